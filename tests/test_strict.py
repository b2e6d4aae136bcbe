"""One list of checks, one meaning of --strict: a table of faulty courses, one per check of
compiler/checks.py, each run through `check` and `build`, with and without --strict. Both
commands give the same verdict; an error fails both, a warning only with --strict; and what is
reported has the severity the list gives it."""
import json
import shutil

import pytest
from click.testing import CliRunner

from brokerlearn.cli import main
from brokerlearn.compiler.checks import CHECKS, ERROR

SVG = "<svg xmlns='http://www.w3.org/2000/svg' width='4' height='4'></svg>"
LICENCE = "license: CC0-1.0\nattribution: brokerlearn tests\n"
# A course with no warning at all: its outcome taught and assessed, every question explained.
CLEAN = {
    "modules/01-intro/01-start.md": "---\ntitle: Start\noutcomes: [U1.O1]\n---\n\n## First part\n\nHello.\n",
    "modules/01-intro/check.yml": ("id: check\ntitle: Check\nmode: graded\nquestions:\n  - id: q1\n    type: truefalse\n"
                                   "    prompt: Yes?\n    answer: true\n    explanation: Because.\n    outcomes: [U1.O1]\n"),
}
START = "---\ntitle: Start\noutcomes: [U1.O1]\n---\n\n## First part\n\n"
LESSON = "modules/01-intro/01-start.md"
QUIZ = "modules/01-intro/check.yml"


def _quiz(question: str) -> str:
    return "id: check\ntitle: Check\nmode: graded\nquestions:\n" + question


CASES = {  # check name: (files over CLEAN, text of the diagnostic)
    "format": ({"course.yml": "id: mini\ntitle: Mini\nsumary: x\nlanguage: en\nmodules: [01-intro]\n"},
               "unknown key 'sumary'"),
    "lesson-not-listed": ({"modules/01-intro/03-extra.md": "---\ntitle: Extra\n---\n\nMore.\n"}, "is not listed"),
    "two-item-order": ({QUIZ: _quiz("  - id: q1\n    type: order\n    prompt: Which first?\n    explanation: x\n"
                                    "    outcomes: [U1.O1]\n    items: [a, b]\n")}, "gives the answer away"),
    "lesson-markup": ({LESSON: START + "::: nosuch\nText.\n:::\n"}, "unknown container 'nosuch'"),
    "links": ({LESSON: START + "See [gone](03-gone.md).\n"}, "03-gone.md"),
    "title-heading": ({LESSON: START + "# Again the title\n\nText.\n"}, "the lesson title is the page's heading"),
    "image-alt": ({LESSON: START + "![](../../media/a.svg)\n", "media/a.svg": SVG, "media/a.svg.yml": LICENCE},
                  "image without alt text"),
    "tab-indent": ({LESSON: START + "- a\n\t- b\n"}, "a tab in the indentation"),
    "media-allowed": ({LESSON: START + "[page](../../media/x.html)\n", "media/x.html": "<p>hi</p>"}, "not allowed"),
    "svg-safe": ({LESSON: START + "![A](../../media/a.svg)\n", "media/a.svg.yml": LICENCE,
                  "media/a.svg": "<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"},
                 "SVG image not allowed"),
    "quiz-images": ({QUIZ: _quiz("  - id: q1\n    type: truefalse\n    prompt: 'Yes? ![x](https://example.org/a.png)'\n"
                                 "    answer: true\n    explanation: Because.\n    outcomes: [U1.O1]\n")},
                    "is from another site"),
    "image-licence": ({LESSON: START + "![A picture](../../media/a.svg)\n", "media/a.svg": SVG}, "has no licence file"),
    "outcome-taught": ({LESSON: "---\ntitle: Start\n---\n\n## First part\n\nHello.\n"}, "is taught by no lesson"),
    "outcome-assessed": ({QUIZ: None}, "is assessed by no graded question"),
    "video-readable": ({LESSON: START + "::: video clip\n:::\n", "media/clip.mp4": "not a video",
                        "media/clip.en.vtt": "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nHello.\n",
                        "media/clip.yml": "title: Clip\nlicense: CC0-1.0\nattribution: tests\nlanguage: en\n"},
                       "video cannot be read"),
    "heading-levels": ({LESSON: START + "#### Too deep\n"}, "heading level skips from h2 to h4"),
    "bare-url": ({LESSON: START + "See https://example.org/x now.\n"}, "web address written as plain text"),
    "lesson-length": ({LESSON: "---\ntitle: Start\noutcomes: [U1.O1]\nminutes: 1\n---\n\n## First part\n\n" + "word " * 900},
                      "far more than its 'minutes: 1'"),
    "explanation": ({QUIZ: _quiz("  - id: q1\n    type: truefalse\n    prompt: Yes?\n    answer: true\n"
                                 "    outcomes: [U1.O1]\n")}, "has no explanation"),
    "unused-media": ({"media/unused.svg": SVG, "media/unused.svg.yml": LICENCE}, "is not used by any lesson"),
    "image-weight": ({LESSON: START + "![A big picture](../../media/big.png)\n", "media/big.png.yml": LICENCE},
                     "3000x200 pixels"),
    "placeholder": ({LESSON: START + "Write the lesson here, in Markdown.\n"}, "is placeholder text"),
    "storyboard": ({"storyboards/case.yml": ("title: Case\nlicense: CC-BY-4.0\nattribution: tests\nlanguage: en\n"
                                             "scenes:\n  - title: Fourteen firms answered\n"
                                             "    narration: The adviser waits for replies.\n")},
                   "shown on screen"),
}
# Not a fault of the course: ffmpeg missing here. `check` warns that it cannot look at the
# videos; `build`, which must convert them, stops with a usage error (exit 2).
ENVIRONMENT = {"video-tools"}


def test_every_check_has_a_faulty_course_in_the_table():
    assert set(CASES) | ENVIRONMENT == {check.name for check in CHECKS}


def _course(make_course, files):
    root = make_course({**CLEAN, **files})
    if "media/big.png.yml" in files:
        from PIL import Image
        Image.new("RGB", (3000, 200), "white").save(root / "media" / "big.png")
    return root


def _run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code in (0, 1), result.output
    return result


def test_the_clean_course_passes_everything(make_course, tmp_path):
    root = _course(make_course, {})
    report = json.loads(_run("check", root, "--format", "json", "--strict").output)
    assert report["diagnostics"] == [] and report["ok"] is True
    assert _run("build", root, "-o", tmp_path / "out", "--strict", "--no-progress").exit_code == 0


@pytest.mark.parametrize("name", sorted(CASES))
def test_check_and_build_give_the_same_verdict(name, make_course, tmp_path):
    level = next(check.level for check in CHECKS if check.name == name)
    if name.startswith("video") and shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed")
    files, needle = CASES[name]
    root = _course(make_course, files)
    report = json.loads(_run("check", root, "--format", "json").output)
    levels = {d["level"] for d in report["diagnostics"] if needle in d["message"]}
    assert levels == {level}, report["diagnostics"]  # reported, with the severity of the list
    expected = {False: 1 if level == ERROR else 0, True: 1}
    for strict in (False, True):
        flag = ["--strict"] if strict else []
        checked = _run("check", root, *flag).exit_code
        built = _run("build", root, "-o", tmp_path / f"out-{strict}", "--no-progress", *flag).exit_code
        assert checked == built == expected[strict], (name, strict, checked, built)


def test_the_authoring_guide_lists_every_check_with_its_level():
    from pathlib import Path
    guide = (Path(__file__).resolve().parents[1] / "docs" / "authoring.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip(" `"): line.split("|")[2].strip() for line in guide.splitlines()
            if line.startswith("| `")}
    assert {check.name: check.level for check in CHECKS}.items() <= rows.items()
