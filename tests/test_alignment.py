"""The profile in the build: the alignment matrix, and warnings for outcomes nothing teaches or
assesses (errors with --strict)."""
import re

import pytest

from brokerlearn.compiler.pipeline import build
from brokerlearn.errors import BuildFailed

PROFILE = ("id: p\ntitle: P\nunits:\n  - id: U1\n    title: Unit\n    outcomes:\n"
           "      - id: U1.O1\n        statement: Does one thing.\n"
           "      - id: U1.O2\n        statement: Does another thing.\n"
           "certificate:\n  title: Cert\n")
MODULE = "title: Intro\nlessons: [01-start, 02-next]\n"
QUIZ = ("id: check\ntitle: Check\nmode: graded\nquestions:\n"
        "  - id: q1\n    type: truefalse\n    prompt: Yes?\n    answer: true\n    outcomes: [U1.O1]\n")


def test_alignment_matrix_links_both_ways(make_course, tmp_path):
    root = make_course({"profile.yml": PROFILE, "modules/01-intro/module.yml": MODULE,
                        "modules/01-intro/check.yml": QUIZ,
                        "modules/01-intro/01-start.md": "---\ntitle: Start\noutcomes: [U1.O1, U1.O2]\n---\n\n"
                                                        "## First part\n\nText.\n\n::: quiz check\n:::\n",
                        "course.yml": "id: mini\ntitle: Mini\nlanguage: en\nprofile: profile.yml\nmodules: [01-intro]\n"})
    result = build(root.parent, tmp_path / "out", show_progress=False)
    warnings = [d for d in result.diagnostics.warnings if "outcome" in d.message]
    assert [(d.path.endswith("profile.yml"), d.line, d.message) for d in warnings] == [
        (True, 9, "outcome 'U1.O2' is assessed by no graded question: list it under 'outcomes' of a question "
                  "in a graded quiz")]
    html = (tmp_path / "out/site/mini/qualification/index.html").read_text()
    row = html.split('id="outcome-U1.O1"')[1].split("</tr>")[0]
    assert 'href="../intro/start/index.html"' in row
    assert re.search(r'href="\.\./intro/start/index\.html#qz\d+-check-q1">Check, question 1</a>', row)
    assert "no graded question yet" in html.split('id="outcome-U1.O2"')[1].split("</tr>")[0]
    lesson = (tmp_path / "out/site/mini/intro/start/index.html").read_text()
    assert 'href="../../qualification/index.html#outcome-U1.O1"' in lesson  # and back from the lesson
    assert 'id="qz0-check-q1"' in lesson
    with pytest.raises(BuildFailed):
        build(root.parent, tmp_path / "strict", strict=True, show_progress=False)


def test_untaught_outcome_warns(make_course, tmp_path):
    root = make_course({"profile.yml": PROFILE, "modules/01-intro/module.yml": MODULE,
                        "modules/01-intro/check.yml": QUIZ + "    points: 1\n",
                        "course.yml": "id: mini\ntitle: Mini\nlanguage: en\nprofile: profile.yml\nmodules: [01-intro]\n"})
    result = build(root.parent, tmp_path / "out", show_progress=False)
    messages = [d.message for d in result.diagnostics.warnings]
    assert "outcome 'U1.O1' is taught by no lesson: list it under 'outcomes' of a lesson or module" in messages
    assert any(m.startswith("outcome 'U1.O2' is taught by no lesson") for m in messages)
