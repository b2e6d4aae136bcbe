"""`brokerlearn check`: each lint with a minimal course that triggers it, at its line; the JSON
output; exit codes; nothing written."""
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from brokerlearn.cli import main


def run_check(root: Path, *extra):
    result = CliRunner().invoke(main, ["check", str(root), "--format", "json", *extra])
    return result.exit_code, json.loads(result.output)


def found(report, needle):
    return [(Path(d["path"]).name, d["line"], d["column"], d["level"]) for d in report["diagnostics"]
            if needle in d["message"]]


def test_clean_course_passes_and_nothing_is_written(make_course, tmp_path):
    root = make_course()
    before = sorted(p for p in tmp_path.rglob("*"))
    code, report = run_check(root)
    assert code == 0 and report["ok"] is True and report["errors"] == 0 and report["courses"] == ["mini"]
    assert sorted(p for p in tmp_path.rglob("*")) == before


@pytest.mark.parametrize("files, needle, where", [
    ({"modules/01-intro/01-start.md": "---\ntitle: Start\n---\n\n## First part\n\n#### Too deep\n"},
     "heading level skips from h2 to h4", ("01-start.md", 7, 1, "warning")),
    ({"modules/01-intro/01-start.md": "---\ntitle: Start\n---\n\n## First part\n\nSee https://example.org/x now.\n"},
     "web address written as plain text", ("01-start.md", 7, 5, "warning")),
    ({"modules/01-intro/01-start.md": "---\ntitle: Start\nminutes: 1\n---\n\n## First part\n\n" + "word " * 900},
     "far more than its 'minutes: 1'", ("01-start.md", 1, 1, "warning")),
    ({"modules/01-intro/01-start.md": "---\ntitle: Start\n---\n\n## First part\n\n![](../../media/a.svg)\n",
      "media/a.svg": "<svg xmlns='http://www.w3.org/2000/svg' width='4' height='4'></svg>"},
     "image without alt text", ("01-start.md", 7, 1, "warning")),
    ({"media/unused.svg": "<svg xmlns='http://www.w3.org/2000/svg' width='4' height='4'></svg>"},
     "is not used by any lesson", ("unused.svg", 1, 1, "warning")),
    ({"modules/01-intro/check.yml": "id: check\ntitle: Check\nmode: practice\nquestions:\n"
      "  - id: q1\n    type: truefalse\n    prompt: Yes?\n    answer: true\n"},
     "has no explanation", ("check.yml", 5, 5, "warning")),
    ({"modules/01-intro/check.yml": "id: check\ntitle: Check\nmode: practice\nquestions:\n"
      "  - id: q1\n    type: single\n    prompt: Which?\n    explanation: x\n    options:\n"
      "      - text: A\n        correct: true\n      - text: A\n"},
     "two options have the same text", ("check.yml", 9, 7, "error")),
    ({"modules/01-intro/02-next.md": "---\ntitle: Next\n---\n\nSee [start](01-start.md#no-such-part).\n"},
     "no heading with the anchor '#no-such-part'", ("02-next.md", 5, 5, "error")),
    ({"modules/01-intro/02-next.md": "---\ntitle: Next\n---\n\nSee [gone](03-gone.md).\n"},
     "03-gone.md", ("02-next.md", 5, 5, "error")),
])
def test_each_check_names_file_and_line(make_course, files, needle, where):
    code, report = run_check(make_course(files))
    hits = found(report, needle)
    assert hits and hits[0][:2] == where[:2] and hits[0][3] == where[3], report["diagnostics"]
    if where[3] == "error":
        assert code == 1 and report["ok"] is False


def test_outcomes_not_taught_or_assessed_and_strict(make_course):
    root = make_course()
    code, report = run_check(root)
    assert code == 0 and found(report, "is assessed by no graded question")
    code, report = run_check(root, "--strict")
    assert code == 1 and report["ok"] is False


def test_large_image_and_unused_video(make_course, tmp_path):
    from PIL import Image
    root = make_course({"modules/01-intro/01-start.md": "---\ntitle: Start\n---\n\n## First part\n\n"
                                                         "![A big picture](../../media/big.png)\n"})
    (root / "media").mkdir(exist_ok=True)
    Image.new("RGB", (3000, 200), "white").save(root / "media" / "big.png")
    code, report = run_check(root)
    assert found(report, "3000x200 pixels")[0][:2] == ("big.png", 1)


def test_text_output_and_not_a_course(tmp_path, make_course):
    root = make_course({"modules/01-intro/01-start.md": "---\ntitle: Start\n---\n\n## First part\n\n#### Deep\n"})
    result = CliRunner().invoke(main, ["check", str(root)])
    assert result.exit_code == 0
    assert any(line.endswith("01-start.md:7:1: warning: heading level skips from h2 to h4: use ### here")
               for line in result.output.splitlines())
    empty = tmp_path / "nothing"
    empty.mkdir()
    result = CliRunner().invoke(main, ["check", str(empty)])
    assert result.exit_code == 1 and "no course here" in result.output


def test_scaffold_placeholders_are_reported_until_replaced(tmp_path):
    """'Your Name' and the scaffold's other placeholder text passed `check`."""
    runner = CliRunner()
    assert runner.invoke(main, ["new", "course", "demo", "--dir", str(tmp_path)]).exit_code == 0
    root = tmp_path / "demo"
    code, report = run_check(root)
    assert code == 0 and report["errors"] == 0
    assert found(report, "'Your Name' is placeholder text") == [("course.yml", 7, 11, "warning")]
    assert found(report, "'What this module covers.'") == [("module.yml", 2, 10, "warning")]
    assert ("01-welcome.md", 5, 1, "warning") in found(report, "placeholder text")
    assert len(found(report, "placeholder text")) == report["warnings"] == 6
    code, report = run_check(root, "--strict")
    assert code == 1 and report["ok"] is False
    course_yml = root / "course.yml"
    course_yml.write_text(course_yml.read_text().replace("Your Name", "Ada Lovelace"))
    assert not found(run_check(root)[1], "'Your Name'")
