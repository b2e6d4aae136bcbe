"""`::: tool ID`: one tool of the course's toolkit (a file `toolkit/ID.yml`) placed in a lesson:
what it is for, what it asks for, and its downloads (office document, Markdown, CSV for a table),
each with the course's licence. The downloads themselves are built by compiler/toolkit.py."""
from __future__ import annotations

from brokerlearn.compiler.activities import Activity, Placement
from brokerlearn.compiler.licenses import license_info
from brokerlearn.compiler.links import relative_url
from brokerlearn.compiler.markdown import render_inline_markdown
from brokerlearn.compiler.toolkit import downloads, page_url
from brokerlearn.course.schema_types import did_you_mean


def view(place: Placement) -> dict | None:
    course, name = place.course, place.embed.name
    tools = getattr(course, "tools", {})
    if name not in tools:
        place.error(f"unknown tool '{name}': add a file toolkit/{name}.yml with 'id: {name}'"
                    f"{did_you_mean(name, tools)}")
        return None
    tool = tools[name]
    licence = license_info(course.license or "CC-BY-4.0")
    return {"tool": {
        "id": tool.id, "title": tool.title, "dom_id": f"tool-{place.index}",
        "purpose_html": render_inline_markdown(tool.purpose),
        "sections": [s.heading for s in tool.sections],
        "table": {"title": tool.table.title, "columns": list(tool.table.columns)} if tool.table else None,
        "downloads": [{"format": d.format, "href": relative_url(place.page_url, d.url)}
                      for d in downloads(course, tool)],
        "licence": licence, "authors": ", ".join(a.name for a in course.authors),
        "toolkit_url": relative_url(place.page_url, page_url(course)),
    }}


ACTIVITY = Activity(kind="tool", container="tool", template="tool.html", view=view, order=35,
                    reference="| a working tool | `::: tool ID` then `:::`: the tool whose `id` is ID (a file "
                              "`toolkit/ID.yml` of the course): what it is for and its editable downloads |")
