"""`brokerlearn new module|lesson|quiz|video`: the next number, the right front matter, course.yml
and module.yml updated (comments kept), and the result builds at once."""
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from brokerlearn.compiler.pipeline import build
from brokerlearn.cli import main
from brokerlearn.authoring.scaffold import append_to_list


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_scaffolded_items_build(tmp_path):
    courses = tmp_path / "courses"
    assert run("new", "course", "demo", "--dir", str(courses)).exit_code == 0
    course = courses / "demo"
    result = run("new", "module", "Finding partners", "--course", str(course))
    assert result.exit_code == 0
    module = course / "modules" / "02-finding-partners"
    assert yaml.safe_load((course / "course.yml").read_text())["modules"] == ["01-introduction", "02-finding-partners"]
    assert run("new", "lesson", "Search terms", "--module", str(module)).exit_code == 0
    lesson = module / "02-search-terms.md"
    assert lesson.read_text().startswith('---\ntitle: "Search terms"\n')
    assert yaml.safe_load((module / "module.yml").read_text())["lessons"] == ["01-first-lesson", "02-search-terms"]
    result = run("new", "quiz", "check-1", "--module", str(module), "--mode", "graded")
    assert result.exit_code == 0 and "::: quiz check-1" in result.output
    lesson.write_text(lesson.read_text() + "\n::: quiz check-1\n:::\n")
    assert run("new", "video", "case one", "--course", str(course)).exit_code == 0
    assert (course / "storyboards" / "case-one.yml").is_file()
    built = build(courses, tmp_path / "out", show_progress=False)
    assert built.diagnostics.errors == []
    assert (tmp_path / "out/site/demo/finding-partners/search-terms/index.html").is_file()
    if shutil.which("espeak-ng") and shutil.which("ffmpeg"):  # the storyboard template renders as it is
        assert run("video", "render", str(course / "storyboards" / "case-one.yml")).exit_code == 0


def test_refusals_change_nothing(tmp_path):
    assert run("new", "module", "X", "--course", str(tmp_path)).exit_code == 2
    assert "is not a course" in run("new", "module", "X", "--course", str(tmp_path)).output
    assert "is not a module" in run("new", "lesson", "X", "--module", str(tmp_path)).output
    run("new", "course", "demo", "--dir", str(tmp_path))
    module = tmp_path / "demo" / "modules" / "01-introduction"
    assert run("new", "quiz", "q", "--module", str(module)).exit_code == 0
    again = run("new", "quiz", "q", "--module", str(module))
    assert again.exit_code == 2 and "taken" in again.output


@pytest.mark.parametrize("text, expected", [
    ("title: T\nlessons: [01-a, 02-b]  # the order\n", "title: T\nlessons: [01-a, 02-b, 03-c]  # the order\n"),
    ("# Module\ntitle: T\nlessons:\n  - 01-a  # first\n  - 02-b\n\nsummary: S\n",
     "# Module\ntitle: T\nlessons:\n  - 01-a  # first\n  - 02-b\n  - 03-c\n\nsummary: S\n"),
    ("title: T\nlessons:\n- 01-a\n- 02-b\n", "title: T\nlessons:\n- 01-a\n- 02-b\n- 03-c\n"),
    ("title: T\n", "title: T\nlessons:\n  - 03-c\n"),
])
def test_lists_are_extended_in_place(tmp_path, text, expected):
    path = tmp_path / "module.yml"
    path.write_text(text)
    append_to_list(path, "lessons", "03-c")
    assert path.read_text() == expected


def test_every_placeholder_is_one_the_scaffold_writes_and_check_names_it(tmp_path):
    """The placeholder list and the scaffold's templates are held together: each placeholder is
    written by some `brokerlearn new`, and `check` reports each one where it is."""
    from brokerlearn.course.placeholders import PLACEHOLDERS
    courses = tmp_path / "courses"
    run("new", "course", "demo", "--dir", str(courses))
    module = courses / "demo" / "modules" / "01-introduction"
    run("new", "lesson", "Second", "--module", str(module))
    run("new", "quiz", "check-1", "--module", str(module), "--mode", "practice")
    written = "\n".join(p.read_text() for p in (courses / "demo").rglob("*") if p.is_file())
    assert [text for text in PLACEHOLDERS if text not in written] == []
    result = CliRunner().invoke(main, ["check", str(courses / "demo"), "--format", "json"])
    import json
    reported = {d["message"].split("'")[1] for d in json.loads(result.output)["diagnostics"]
                if "is placeholder text" in d["message"]}
    assert reported == set(PLACEHOLDERS)
