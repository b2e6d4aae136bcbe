"""`::: assignment ID`: assessed work (issue 18), an assignment file of any module folder, placed in
a lesson. The page shows the brief, what to submit, the steps and the rubric as a table; the
submission form is filled in by assignment.js when a course server is there. Only
`Assignment.public_view()` is read here: trainer examples and reference ratings stay in the
private manifest."""
from __future__ import annotations

from brokerlearn.compiler.activities import Activity, Placement
from brokerlearn.compiler.markdown import render_inline_markdown, render_markdown_line
from brokerlearn.course.schema_assignment import FILE_TYPES
from brokerlearn.course.schema_types import did_you_mean


def view(place: Placement) -> dict | None:
    course, name = place.course, place.embed.name
    assignments = getattr(course, "assignments", {})
    if name not in assignments:
        place.error(f"unknown assignment '{name}': add a file modules/<module>/{name}.assignment.yml "
                    f"with 'id: {name}'{did_you_mean(name, assignments)}")
        return None
    view = assignment_view(assignments[name].public_view(), course.id, place.index)
    view["in_package"] = place.preview == "package"  # a SCORM package: handed in elsewhere, no form
    return {"assignment": view}


def _points(value: float) -> str:
    return f"{value:g}"


def _criterion(c: dict) -> dict:
    kind = c["kind"]
    top = (max(l["points"] for l in c["levels"]) if kind == "levels" else
           c["max_points"] if kind == "points" else len(c["items"]) if kind == "checklist" else 0)
    return {"id": c["id"], "title": c["title"], "kind": kind, "outcomes": c["outcomes"],
            "description_html": render_inline_markdown(c["description"]) if c["description"] else "",
            "levels": [{"title": l["title"], "points": _points(l["points"]), "count": 1 if l["points"] == 1 else 2, "expected": l["id"] == c["expected"],
                        "descriptor_html": render_markdown_line(l["descriptor"])} for l in c["levels"]],
            "checks": list(c["items"]), "max_points": _points(top)}


def assignment_view(public: dict, course_id: str, index: int) -> dict:
    files = public["files"]
    return {
        "id": public["id"], "title": public["title"], "course": course_id, "dom_id": f"assignment-{index}",
        "brief_html": render_inline_markdown(public["brief"]),
        "text": public["text"], "files": files,
        "file_types": [FILE_TYPES[t] for t in files["types"]] if files else [],
        "accept": ",".join(f".{t}" + (",.jpeg" if t == "jpg" else "") for t in files["types"]) if files else "",
        "max_mb": _points(files["max_mb"]) if files else "",
        "steps": public["steps"], "peer_reviews": public["peer_reviews"],
        "pass_percent": round(public["pass_mark"] * 100), "max_attempts": public["max_attempts"],
        "resubmit": public["resubmit"], "due": {k: public["due"].get(k) for k in ("submit", "review", "feedback")},
        "rubric_title": public["rubric"]["title"], "rubric_version": public["rubric"]["version"],
        "criteria": [_criterion(c) for c in public["rubric"]["criteria"]],
    }


ACTIVITY = Activity(kind="assignment", container="assignment", template="assignment.html", view=view, order=30,
                    reference="| assessed work | `::: assignment ID` then `:::`: the assignment whose `id` is ID "
                              "(a file `NAME.assignment.yml` in any module folder): brief, rubric and, with a "
                              "course server, the submission form |")
