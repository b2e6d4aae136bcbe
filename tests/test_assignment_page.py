"""The assignment in the static site (issue 18, item 2): the brief, what to submit, the steps and
the rubric as a table; a plain note that submissions need the course server; and no trainer
example, reference rating, reason or note anywhere under site/ (they are in the private manifest)."""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

PAGE = "site/example/working-together/first-meeting/index.html"
ASSIGNMENT = Path(__file__).resolve().parents[1] / "courses/example/modules/02-working-together/meeting-plan.assignment.yml"


class _Tables(HTMLParser):
    """The rubric table's header cells and rows, as a screen reader reads them."""

    def __init__(self):
        super().__init__()
        self.rows, self.in_rubric, self.cell = [], False, None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and "rubric" in (dict(attrs).get("class") or ""):
            self.in_rubric = True
        elif self.in_rubric and tag == "tr":
            self.rows.append([])
        elif self.in_rubric and tag in ("th", "td"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self.in_rubric = False
        elif self.in_rubric and tag in ("th", "td") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def test_the_lesson_shows_the_brief_the_submission_the_steps_and_the_rubric(built_example):
    html = (built_example / PAGE).read_text()
    assert 'data-assignment="meeting-plan"' in html
    assert "Choose a contact you found in module 1." in html
    assert "A text of 60 to 400 words, written in this page." in html
    assert "One file (PDF document, Word document, OpenDocument text, PNG image, JPEG image), at most 5 MB." in html
    assert "You review the work of 2 other learners" in html and "the trainer's grade is the one that counts" in html
    assert "To pass: 60% of the rubric's points." in html
    tables = _Tables()
    tables.feed(html)
    header, *rows = tables.rows
    assert header == ["Criterion", "What the reviewer looks for", "Points"]
    assert [row[0] for row in rows] == ["A short agenda Outcomes: U2.O1", "A concrete next step Outcomes: U2.O1",
                                        "What would you tell the author?"]
    assert rows[0][1].startswith("Not yet (0 points): No agenda") and "Meets the standard (2 points) · meets the standard" in rows[0][1]
    assert rows[1][1] == "A point for each of these that is there:Says who does the next step.Gives a date for it."
    assert [row[2] for row in rows] == ["2", "2", "—"]


def test_without_a_server_the_page_says_submissions_need_it(built_example):
    html = (built_example / PAGE).read_text()
    note = re.search(r'<p class="[^"]*assignment-note[^"]*" data-needs-server>([^<]+)</p>', html)
    assert note and "Submissions need the course server" in note.group(1)
    assert re.search(r'<form class="assignment-form" hidden', html)  # no form to fill in without one


def _private_strings() -> list[str]:
    import yaml
    data = yaml.safe_load(ASSIGNMENT.read_text())
    found = []
    for example in data["steps"]["practice"]["examples"]:
        found += [line.strip() for line in example["text"].splitlines() if line.strip()]
        found += [rating["reason"] for rating in example["ratings"]]
        found.append(example["note"])
    return found


def test_no_trainer_example_rating_reason_or_note_reaches_the_site(built_example):
    secrets = _private_strings()
    assert len(secrets) >= 4
    manifest = (built_example / "server" / "example.json").read_text()
    assert all(json.dumps(s)[1:-1] in manifest for s in secrets)  # the server has them
    for path in (built_example / "site").rglob("*"):
        if path.is_file():
            text = path.read_bytes().decode("utf-8", "replace")
            leaked = [s for s in secrets if s in text or json.dumps(s)[1:-1] in text]
            assert not leaked, (path, leaked)
    reference_ratings = json.loads(manifest)["assignments"]["meeting-plan"]["examples"][0]["ratings"]
    assert reference_ratings[0] == {"criterion": "agenda", "value": "missing",
                                    "reason": "Topics without times, and an hour is twice the length."}


@pytest.mark.parametrize("width", [390, 1366])
def test_the_rubric_fits_the_screen(built_example, width, tmp_path):
    from browser import browser, chromium_path, serve_dir
    if not chromium_path():
        pytest.skip("no chromium")
    shots = Path("/tmp/shots-h/assign")
    shots.mkdir(parents=True, exist_ok=True)
    with serve_dir(built_example / "site") as base, browser() as b:
        page = b.new_page(viewport={"width": width, "height": 900})
        page.goto(base + "example/working-together/first-meeting/")
        section = page.locator("section.assignment")
        section.scroll_into_view_if_needed()
        wider = page.evaluate("""w => [...document.querySelectorAll('section.assignment, section.assignment *')]
            .filter(e => e.getBoundingClientRect().right > w || e.getBoundingClientRect().left < 0).map(e => e.tagName)""", width)
        assert not wider  # nothing of the assignment, its rubric's cells included, leaves the screen
        box = page.locator("table.rubric").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
        assert page.locator("[data-needs-server]").last.is_visible()
        section.screenshot(path=str(shots / f"static-{width}.png"))
