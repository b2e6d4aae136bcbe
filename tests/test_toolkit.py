"""The course's toolkit (issue 21): a tool written once as toolkit/<id>.yml, placed in a lesson with
`::: tool ID`, published as an office document, Markdown and CSV, each crediting the course and
its licence. The .docx is read back by mammoth, an independent reader of the format."""
import csv
import io
import zipfile

import mammoth
import pytest

from brokerlearn.compiler.pipeline import build
from brokerlearn.errors import BuildFailed

TOOL = """id: contact-plan
title: Contact plan
purpose: |
  Keep each new contact alive: who they are, what was agreed, and the **next step** with a date.
sections:
  - heading: The firm
    intro: Fill this in with the firm's owner.
    fields:
      - label: Firm and region
        hint: one line
      - label: What the firm wants from a partner
table:
  title: Contacts
  columns: [Contact, Organisation, Next step, By when]
  example:
    - [Ms Berg, Berg Sensorik, "Send the draft outline, with a quote", 9 March]
  rows: 5
"""
LESSON = "---\ntitle: Start\n---\n\n## First part\n\nUse this:\n\n::: tool contact-plan\n:::\n"


def _course(make_course, tool=TOOL, lesson=LESSON):
    return make_course({"toolkit/contact-plan.yml": tool, "modules/01-intro/01-start.md": lesson,
                        "course.yml": "id: mini\ntitle: Mini\nlanguage: en\nlicense: CC-BY-4.0\n"
                                      "authors: [{name: Agency Trainers}]\nmodules: [01-intro]\n"})


def test_a_tool_is_placed_in_a_lesson_with_its_three_downloads(make_course, tmp_path):
    root = _course(make_course)
    build(root.parent, tmp_path / "out", show_progress=False)
    site = tmp_path / "out/site/mini"
    page = (site / "intro/start/index.html").read_text()
    for fmt in ("docx", "md", "csv"):
        assert f'href="../../toolkit/contact-plan.{fmt}"' in page
        assert (site / f"toolkit/contact-plan.{fmt}").stat().st_size > 0
    assert 'rel="license"' in page and "CC BY 4.0" in page and "Agency Trainers" in page

    html = mammoth.convert_to_html(io.BytesIO((site / "toolkit/contact-plan.docx").read_bytes())).value
    assert "Contact plan" in html and "Firm and region" in html and "one line" in html
    assert "<table>" in html and "Berg Sensorik" in html and "By when" in html
    assert "Attribution 4.0" in html and "Agency Trainers" in html  # the credit travels with the file

    rows = list(csv.reader(io.StringIO((site / "toolkit/contact-plan.csv").read_text(encoding="utf-8"))))
    assert rows == [["Contact", "Organisation", "Next step", "By when"],
                    ["Ms Berg", "Berg Sensorik", "Send the draft outline, with a quote", "9 March"]]
    markdown = (site / "toolkit/contact-plan.md").read_text()
    assert markdown.startswith("# Contact plan\n") and "**Firm and region** _(one line)_:" in markdown
    assert "| Contact | Organisation | Next step | By when |" in markdown and "CC BY 4.0" in markdown


def test_the_same_tool_gives_the_same_bytes_and_is_not_written_again(make_course, tmp_path):
    root = _course(make_course)
    build(root.parent, tmp_path / "one", show_progress=False)
    again = build(root.parent, tmp_path / "one", show_progress=False)
    assert not [p for p in again.report.written if "toolkit/" in p]
    build(root.parent, tmp_path / "two", show_progress=False)
    first = (tmp_path / "one/site/mini/toolkit/contact-plan.docx").read_bytes()
    assert first == (tmp_path / "two/site/mini/toolkit/contact-plan.docx").read_bytes()
    with zipfile.ZipFile(io.BytesIO(first)) as package:
        assert {info.date_time for info in package.infolist()} == {(2000, 1, 1, 0, 0, 0)}
    (root / "toolkit/contact-plan.yml").write_text(TOOL.replace("rows: 5", "rows: 6"))
    changed = build(root.parent, tmp_path / "one", show_progress=False)
    assert "site/mini/toolkit/contact-plan.docx" in changed.report.written


@pytest.mark.parametrize("tool, lesson, message", [
    (TOOL, LESSON.replace("contact-plan", "contact-plans"), "unknown tool 'contact-plans'"),
    (TOOL.replace("id: contact-plan", "id: plan"), LESSON, "must be its file's name"),
    (TOOL.replace("    - [Ms Berg, Berg Sensorik, \"Send the draft outline, with a quote\", 9 March]",
                  "    - [Ms Berg, Berg Sensorik]"), LESSON, "example row 1 has 2 cells, the table has 4 columns"),
    ("id: contact-plan\ntitle: Contact plan\npurpose: Nothing.\n", LESSON, "a tool needs 'sections'"),
    (TOOL.replace("title: Contact plan\n", "titel: Contact plan\n"), LESSON, "unknown key 'titel'"),
])
def test_a_bad_tool_names_its_file_and_line(make_course, tmp_path, tool, lesson, message):
    root = _course(make_course, tool, lesson)
    with pytest.raises(BuildFailed) as failure:
        build(root.parent, tmp_path / "out", show_progress=False)
    text = "\n".join(d.format(root) for d in failure.value.diagnostics.items)
    assert message in text
    assert ("toolkit/contact-plan.yml:" in text) or ("01-start.md:" in text)


def test_the_toolkit_page_lists_every_tool_and_is_linked_from_home_and_outline(make_course, tmp_path):
    """Issue 21 item 4: the tools were published but had no page of their own. A course with
    tools gets one: each tool's purpose, what it asks for, its downloads, the lessons that use it
    and its licence; the course home, every lesson's outline and each placed tool link to it."""
    other = "id: agenda\ntitle: Meeting agenda\npurpose: A first call in forty minutes.\nsections:\n  - heading: Items\n"
    root = _course(make_course)
    (root / "toolkit/agenda.yml").write_text(other)  # a tool no lesson places yet: listed last
    build(root.parent, tmp_path / "out", show_progress=False)
    site = tmp_path / "out/site/mini"
    page = (site / "toolkit/index.html").read_text()
    assert page.index('id="tool-contact-plan"') < page.index('id="tool-agenda"')
    for fmt in ("docx", "md", "csv"):
        assert f'href="contact-plan.{fmt}"' in page and (site / f"toolkit/contact-plan.{fmt}").is_file()
    assert 'href="agenda.docx"' in page and 'href="agenda.csv"' not in page
    assert "It asks for: The firm; Contacts (Contact, Organisation, Next step, By when)" in page
    assert 'Used in: <a href="../intro/start/index.html">Start</a>' in page
    assert page.count('rel="license"') >= 3 and "Agency Trainers" in page
    assert 'href="toolkit/index.html"' in (site / "index.html").read_text()
    lesson = (site / "intro/start/index.html").read_text()
    assert 'href="../../toolkit/index.html#tool-contact-plan"' in lesson  # from the placed tool
    assert 'class="outline-toolkit"><a href="../../toolkit/index.html"' in lesson


def test_a_course_without_tools_has_no_toolkit_page(make_course, tmp_path):
    root = _course(make_course, lesson=LESSON.replace("::: tool contact-plan\n:::\n", ""))
    (root / "toolkit/contact-plan.yml").unlink()
    build(root.parent, tmp_path / "out", show_progress=False)
    site = tmp_path / "out/site/mini"
    assert not (site / "toolkit").exists()
    assert "toolkit" not in (site / "index.html").read_text() + (site / "intro/start/index.html").read_text()
