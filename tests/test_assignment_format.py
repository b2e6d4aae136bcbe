"""The assignment format (issue 18, item 1): loading, the rubric's version, and every validation
error at its file and line; the scaffold builds as it is."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from brokerlearn.course.loader import load_course
from brokerlearn.errors import Diagnostics

PROFILE = """\
id: p
title: P
units:
  - id: U1
    title: Unit
    outcomes:
      - id: U1.O1
        statement: Writes a plan.
"""

GOOD = """\
id: plan
title: Write a plan
brief: Write **a plan**.
outcomes: [U1.O1]
submission:
  text:
    min_words: 10
    max_words: 200
  files:
    types: [pdf, docx]
    max_mb: 2
rubric:
  criteria:
    - id: agenda
      title: Agenda
      outcomes: [U1.O1]
      levels:
        - {id: no, title: No, descriptor: None given., points: 0}
        - {id: yes, title: Yes, descriptor: Given., points: 2}
    - id: steps
      title: Steps
      kind: checklist
      items: [Who, When]
    - id: words
      title: Words
      kind: points
      max_points: 5
    - id: note
      title: Note
      kind: comment
steps:
  practice:
    examples:
      - id: ex1
        text: A weak plan.
        ratings:
          - {criterion: agenda, value: no, reason: No agenda.}
          - {criterion: steps, value: 1, reason: Only who.}
          - {criterion: words, value: 2, reason: Short.}
  peer:
    reviews: 2
  self: true
pass_mark: 0.6
due:
  submit: 7
"""


def make_course(tmp_path: Path, assignment: str, rubric: str | None = None, name="plan.assignment.yml") -> Path:
    root = tmp_path / "c"
    module = root / "modules" / "01-m"
    module.mkdir(parents=True)
    (root / "course.yml").write_text("id: c\ntitle: C\nlanguage: en\n")
    (root / "profile.yml").write_text(PROFILE)
    (module / "module.yml").write_text("title: M\n")
    (module / "01-l.md").write_text("---\ntitle: L\n---\n\nText.\n\n::: assignment plan\n:::\n")
    (module / name).write_text(textwrap.dedent(assignment))
    if rubric is not None:
        (root / "rubrics").mkdir()
        (root / "rubrics" / "shared.yml").write_text(textwrap.dedent(rubric))
    return root


def load(root: Path):
    diags = Diagnostics()
    course = load_course(root, diags)
    return course, diags


def errors(root: Path) -> list[tuple[str, int, str]]:
    _, diags = load(root)
    return [(Path(d.path).name, d.line, d.message) for d in diags.items if d.level == "error"]


def test_a_good_assignment_loads_with_its_steps_and_is_not_a_quiz(tmp_path):
    course, diags = load(make_course(tmp_path, GOOD))
    assert not diags.items, diags.items
    assert "plan" not in course.quizzes  # an assignment file is not read as a quiz
    plan = course.assignments["plan"]
    assert plan.steps == ["submit", "practice", "peer", "self", "trainer"]
    assert plan.rubric.max_points == 2 + 2 + 5
    assert plan.rubric.criterion("agenda").expected == "yes"  # lowest level worth at least half the top
    assert plan.examples[0].ratings[0].value == "no" and plan.files["types"] == ["pdf", "docx"]
    assert plan.due == {"submit": 7}


def test_the_manifest_round_trips_an_assignment(tmp_path):
    from brokerlearn.course.assignment import Assignment
    plan = load(make_course(tmp_path, GOOD))[0].assignments["plan"]
    again = Assignment.from_json(plan.to_json())
    assert again.to_json() == plan.to_json()
    assert "examples" not in plan.public_view() and "ex1" not in repr(plan.public_view())


def test_a_shared_rubric_file_and_its_version(tmp_path):
    rubric = """\
    id: shared
    title: Shared
    criteria:
      - id: a
        title: A
        levels:
          - {id: lo, title: Lo, descriptor: Lo., points: 0}
          - {id: hi, title: Hi, descriptor: Hi., points: 1}
    """
    assignment = GOOD.split("rubric:")[0] + "rubric: shared\n"
    course, diags = load(make_course(tmp_path, assignment, rubric))
    assert not diags.errors, diags.items
    first = course.assignments["plan"].rubric
    assert first.id == "shared" and first.title == "Shared"
    # A wording change keeps the version; a change of points is a new version.
    reworded = rubric.replace("title: Hi,", "title: High,")
    course2, _ = load(make_course(tmp_path / "2", assignment, reworded))
    repointed = rubric.replace("points: 1", "points: 3")
    course3, _ = load(make_course(tmp_path / "3", assignment, repointed))
    assert course2.assignments["plan"].rubric.version == first.version
    assert course3.assignments["plan"].rubric.version != first.version


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(textwrap.dedent(text).splitlines(), 1) if needle in line)


CASES = {
    "criterion without levels": (
        GOOD.replace("      levels:\n        - {id: no, title: No, descriptor: None given., points: 0}\n"
                     "        - {id: yes, title: Yes, descriptor: Given., points: 2}\n", ""),
        "- id: agenda", "criterion 'agenda' of kind 'levels' has no 'levels'"),
    "levels that all score the same": (
        GOOD.replace("Given., points: 2", "Given., points: 0"), "      levels:",
        "the levels of criterion 'agenda' are all worth 0 points"),
    "an outcome the profile lacks": (
        GOOD.replace("      outcomes: [U1.O1]", "      outcomes: [U1.O9]"), "outcomes: [U1.O9]",
        "outcome 'U1.O9' is not defined in the profile (did you mean 'U1.O1'?)"),
    "a peer count a small cohort cannot meet": (
        GOOD.replace("reviews: 2", "reviews: 4"), "reviews: 4",
        "4 peer reviews of each submission are more than a small cohort can give: at most 3"),
    "an unknown file type": (
        GOOD.replace("types: [pdf, docx]", "types: [pdf, exe]"), "types: [pdf, exe]",
        "item 2 of 'types' must be one of pdf, docx, odt, png, jpg, txt, not 'exe'"),
    "a reference rating of an unknown level": (
        GOOD.replace("value: no,", "value: nope,"), "value: nope",
        "unknown level 'nope' of criterion 'agenda'"),
    "a reference rating without its reason": (
        GOOD.replace(", reason: Only who.", ""), "{criterion: steps, value: 1}",
        "missing required key 'reason' in a reference rating"),
    "an example that leaves a criterion unrated": (
        GOOD.replace("          - {criterion: words, value: 2, reason: Short.}\n", ""), "ratings:",
        "example 'ex1' has no reference rating for 'words'"),
    "peer scores that count without practice": (
        GOOD.replace("  practice:\n", "  old:\n").replace("reviews: 2", "reviews: 3\n    weight: 0.3")
            .split("  old:")[0] + "  peer:\n    reviews: 3\n    weight: 0.3\n", "weight: 0.3",
        "peers' scores may count ('weight' above 0) only with a practice step"),
    "a word range upside down": (
        GOOD.replace("max_words: 200", "max_words: 5"), "max_words: 5", "'max_words' (5) is below 'min_words' (10)"),
    "a submission that asks for nothing": (
        GOOD.replace("  text:\n    min_words: 10\n    max_words: 200\n  files:\n    types: [pdf, docx]\n    max_mb: 2\n",
                     "  {}\n"), "submission:", "the submission asks for nothing"),
    "an unknown rubric file": (
        GOOD.split("rubric:")[0] + "rubric: nowhere\n", "rubric: nowhere", "unknown rubric 'nowhere': add rubrics/nowhere.yml"),
    "a rating of a comment-only criterion": (
        GOOD.replace("          - {criterion: words, value: 2, reason: Short.}\n",
                     "          - {criterion: words, value: 2, reason: Short.}\n"
                     "          - {criterion: note, value: 1, reason: Hm.}\n"), "criterion: note",
        "criterion 'note' is comment-only: it takes no rating"),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_each_mistake_is_an_error_at_its_file_and_line(tmp_path, case):
    text, needle, message = CASES[case]
    found = errors(make_course(tmp_path, text))
    line = _line_of(text, needle)
    assert any(name == "plan.assignment.yml" and got_line == line and message in got
               for name, got_line, got in found), (line, found)


def test_an_unknown_assignment_in_a_lesson_is_an_error_at_its_line(tmp_path):
    from brokerlearn.compiler.pipeline import BuildFailed, build
    root = make_course(tmp_path, GOOD)
    (root / "modules" / "01-m" / "01-l.md").write_text("---\ntitle: L\n---\n\nText.\n\n::: assignment plam\n:::\n")
    with pytest.raises(BuildFailed) as failed:
        build(root, tmp_path / "out", show_progress=False)
    problems = [(Path(d.path).name, d.line, d.message) for d in failed.value.diagnostics.items]
    assert ("01-l.md", 7, "unknown assignment 'plam': add a file modules/<module>/plam.assignment.yml "
            "with 'id: plam' (did you mean 'plan'?)") in problems


def test_the_scaffold_builds_as_it_is(tmp_path):
    from brokerlearn.authoring.scaffold import scaffold_assignment
    root = make_course(tmp_path, GOOD)
    path = scaffold_assignment(root / "modules" / "01-m", "write-profile")
    assert path.name == "write-profile.assignment.yml"
    course, diags = load(root)
    assert not diags.errors, diags.items
    assert course.assignments["write-profile"].rubric.criterion("content").expected == "meets"
    lesson = root / "modules" / "01-m" / "01-l.md"
    lesson.write_text(lesson.read_text() + "\n::: assignment write-profile\n:::\n")
    from brokerlearn.compiler.pipeline import build
    result = build(root, tmp_path / "out", show_progress=False)
    assert not result.diagnostics.errors
    page = (tmp_path / "out" / "site" / "c" / "m" / "l" / "index.html").read_text()
    assert 'data-assignment="write-profile"' in page and "Submit within 14 days" in page
