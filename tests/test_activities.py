"""Activities as plug-ins (compiler/activities/): the registry the Markdown renderer asks, each
kind's reference check, and that a new activity is one module and one template."""
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import MINIMAL, write_course

from brokerlearn.compiler import activities
from brokerlearn.compiler.lessons import render_body
from brokerlearn.compiler.links import LinkTargets
from brokerlearn.compiler.markdown import markdown_parser
from brokerlearn.compiler.pipeline import build
from brokerlearn.errors import BuildFailed
from brokerlearn.paths import default_theme_dir

REPO = Path(__file__).resolve().parents[1]
TARGETS = LinkTargets("c", pages={"modules/01-a/01-x.md": "c/a/x/index.html"})


def _body(markdown: str):
    return render_body(markdown, 1, "modules/01-a/01-x.md", "c/a/x/index.html", TARGETS)


def test_the_registry_holds_video_quiz_and_the_inline_question():
    assert activities.CONTAINERS == ("video", "quiz", "assignment", "tool")
    assert list(activities.BY_FENCE) == ["quiz"]
    assert [a.kind for a in activities.ACTIVITIES] == ["video", "quiz", "assignment", "question", "tool"]
    for activity in activities.ACTIVITIES:  # every partial is in the default theme
        assert (default_theme_dir() / "templates" / activity.template).is_file()


def test_the_markdown_renderer_places_every_registered_activity():
    body = _body("::: video intro\n:::\n\n::: quiz check\n:::\n\n```quiz\nid: q1\n```\n\n::: tip\nx\n:::\n")
    assert [(e.kind, e.name) for e in body.embeds] == [("video", "intro"), ("quiz", "check"), ("question", "")]
    assert [p for p in body.segments if isinstance(p, int)] == [0, 1, 2]
    for kind in activities.CONTAINERS:  # every registered kind is parsed as its own container
        types = [t.type for t in markdown_parser().parse(f"::: {kind} NAME\n:::\n", {})]
        assert types == [f"container_{kind}_open", f"container_{kind}_close"]


def test_an_unknown_container_lists_the_activities_in_their_order():
    body = _body("::: viedo intro\n:::\n")
    message = next(m for level, _, _, m in body.problems if level == "error")
    assert "note, tip, warning, activity, reflection, video, quiz" in message
    assert "did you mean 'video'" in message


QUIZ = ("id: check\ntitle: Check\nmode: practice\nquestions:\n  - id: q1\n    type: truefalse\n"
        "    prompt: True?\n    answer: true\n")


def test_unknown_references_are_errors_at_their_line_with_did_you_mean(make_course, tmp_path):
    root = make_course({"modules/01-intro/q.yml": QUIZ,
                        "modules/01-intro/02-next.md": "---\ntitle: Next\n---\n\n::: quiz chekc\n:::\n\n"
                                                       "::: video ghost\n:::\n"})
    with pytest.raises(BuildFailed) as failed:
        build(root, tmp_path / "out", show_progress=False)
    errors = {d.line: d.message for d in failed.value.diagnostics.errors if d.path.endswith("02-next.md")}
    assert errors[5] == "unknown quiz 'chekc' (did you mean 'check'?)"
    assert errors[8].startswith("unknown video 'ghost': add media/ghost.mp4 with its sidecar media/ghost.yml")


STAMP = '''
"""`::: stamp WORD`: a word in a box (a test's activity)."""
from brokerlearn.compiler.activities import Activity


def view(place):
    if place.embed.name not in ("approved", "rejected"):
        place.error(f"unknown stamp '{place.embed.name}'")
        return None
    return {"stamp": {"word": place.embed.name, "id": f"st{place.index}"}}


ACTIVITY = Activity(kind="stamp", container="stamp", template="stamp.html", view=view, order=40,
                    reference="| a stamp | `::: stamp WORD` then `:::` |")
'''


def test_a_new_activity_is_one_module_and_one_template(tmp_path):
    """Nothing else names the activities: a copy of the package with one more module, and a
    theme with its partial, build a lesson that places it."""
    src = tmp_path / "src"
    shutil.copytree(REPO / "src" / "brokerlearn", src / "brokerlearn",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "themes").symlink_to(REPO / "themes")  # the default theme, found beside src/
    (src / "brokerlearn" / "compiler" / "activities" / "stamp.py").write_text(STAMP, encoding="utf-8")
    theme = tmp_path / "theme"
    (theme / "templates").mkdir(parents=True)
    (theme / "templates" / "stamp.html").write_text(
        '<p class="stamp" id="{{ stamp.id }}">{{ stamp.word }}</p>\n', encoding="utf-8")
    course = write_course(tmp_path / "courses" / "mini", {**MINIMAL, "modules/01-intro/01-start.md":
                          "---\ntitle: Start\n---\n\n## First part\n\n::: stamp approved\n:::\n"})
    script = textwrap.dedent(f"""
        from pathlib import Path
        from brokerlearn.compiler.activities import CONTAINERS, render_reference
        from brokerlearn.compiler.pipeline import build
        assert CONTAINERS == ("video", "quiz", "assignment", "tool", "stamp"), CONTAINERS
        assert "| a stamp |" in render_reference()
        build(Path({str(course)!r}), Path({str(tmp_path / 'out')!r}), Path({str(theme)!r}), show_progress=False)
    """)
    run = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                         env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin",
                              "BROKERLEARN_QUIZ_KEY": "k" * 32})
    assert run.returncode == 0, run.stdout + run.stderr
    pages = [p.read_text(encoding="utf-8") for p in (tmp_path / "out" / "site").rglob("index.html")]
    assert sum('<p class="stamp" id="st' in page and ">approved</p>" in page for page in pages) == 1


def test_the_format_reference_lists_exactly_the_registered_activities():
    document = (REPO / "docs" / "format-reference.md").read_text(encoding="utf-8")
    assert activities.replace_generated(document) == document, \
        "run: python -m brokerlearn.compiler.activities docs/format-reference.md"
