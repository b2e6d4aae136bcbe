"""The build end to end: output layout, atomic swap, incremental cache, themes, CLI."""
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from brokerlearn.compiler import output as output_module
from brokerlearn.compiler.pipeline import build
from brokerlearn.errors import BuildFailed


def snapshot(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()
            and not any(part.startswith(".") for part in p.relative_to(folder).parts)}


def inodes(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*.html")}


def test_output_has_public_site_and_private_server(example_course, tmp_path):
    out = tmp_path / "out"
    build(example_course.parent, out, show_progress=False)
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == ["server", "site"]
    site_text = " ".join(p.read_text(errors="ignore") for p in (out / "site").rglob("*") if p.is_file())
    assert "server/" not in site_text and "example.json" not in site_text
    lesson = (out / "site/example/finding-partners/cooperation-profiles/index.html").read_text()
    assert 'lang="en"' in lesson and lesson.count("<h1") == 1
    assert 'rel="license"' in lesson and '"@type": "LearningResource"' in lesson
    assert 'href="../assessing-candidates/index.html#criteria-that-matter"' in lesson
    course = (out / "site/example/index.html").read_text()
    assert '"@type": "Course"' in course and '"educationalLevel": "EQF 5"' in course


def test_no_page_requests_another_host(example_course, tmp_path):
    out = tmp_path / "out"
    build(example_course.parent, out, show_progress=False)
    import re
    for page in (out / "site").rglob("*.html"):
        text = page.read_text()
        for tag in re.findall(r"<(?:script|link|img|iframe|video|source|track)\b[^>]*>", text):
            assert "http://" not in tag and "https://" not in tag or 'rel="license"' in tag, (page, tag)


def test_broken_anchor_and_missing_embeds_fail_the_build(make_course, tmp_path):
    root = make_course({"modules/01-intro/02-next.md":
                        "---\ntitle: Next\n---\n\n[a](01-start.md#nope)\n\n::: video ghost\n:::\n\n::: quiz nope\n:::\n"})
    with pytest.raises(BuildFailed) as failure:
        build(root.parent, tmp_path / "out", show_progress=False)
    messages = [(Path(d.path).name, d.line, d.message) for d in failure.value.diagnostics.errors]
    assert ("02-next.md", 5, "no heading with the anchor '#nope' in modules/01-intro/01-start.md") in messages
    assert any(line == 7 and "unknown video 'ghost'" in m for _, line, m in messages)
    assert any(line == 10 and "unknown quiz 'nope'" in m for _, line, m in messages)
    assert not (tmp_path / "out" / "site").exists()


def test_failed_build_leaves_previous_site_byte_identical(example_course, tmp_path, monkeypatch):
    out = tmp_path / "out"
    build(example_course.parent, out, show_progress=False)
    before = snapshot(out)
    lesson = example_course / "modules/01-finding-partners/01-cooperation-profiles.md"
    lesson.write_text(lesson.read_text().replace("title: Writing a cooperation profile", "title: Changed"))
    calls = {"n": 0}
    real_produce = output_module._produce

    def produce_then_crash(planned, target):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk full (simulated)")
        real_produce(planned, target)
    monkeypatch.setattr(output_module, "_produce", produce_then_crash)
    with pytest.raises(OSError):
        build(example_course.parent, out, show_progress=False)
    assert calls["n"] == 2  # some files were written to staging before the failure
    assert snapshot(out) == before
    assert not [p for p in out.iterdir() if p.name.startswith(".staging-")]


def test_author_error_leaves_previous_site_byte_identical(example_course, tmp_path):
    out = tmp_path / "out"
    build(example_course.parent, out, show_progress=False)
    before = snapshot(out)
    (example_course / "course.yml").write_text("id: example\ntitle: [broken\n")
    with pytest.raises(BuildFailed):
        build(example_course.parent, out, show_progress=False)
    assert snapshot(out) == before


def build_killed(course, out, patch: str):
    """Build in a child process with `patch` applied to brokerlearn.compiler.output first."""
    script = ("import os, signal\nfrom pathlib import Path\nfrom brokerlearn.compiler import output\n" + patch +
              "from brokerlearn.compiler.pipeline import build\n"
              f"build(Path({str(course.parent)!r}), Path({str(out)!r}), show_progress=False)\n")
    return subprocess.run([sys.executable, "-c", script], capture_output=True)


def test_killed_build_leaves_previous_site_and_next_build_cleans_up(example_course, tmp_path):
    out = tmp_path / "out"
    build(example_course.parent, out, show_progress=False)
    before = snapshot(out)
    lesson = example_course / "modules/02-working-together/01-first-meeting.md"
    lesson.write_text(lesson.read_text() + "\nMore text.\n")
    # A child process that is killed (SIGKILL) in the middle of writing its staging folder.
    result = build_killed(example_course, out, (
        "real = output._produce\n"
        "def produce(planned, target):\n"
        "    real(planned, target)\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "output._produce = produce\n"))
    assert result.returncode == -9
    assert [p.name for p in out.iterdir() if p.name.startswith(".staging-")]  # left behind
    assert snapshot(out) == before
    build(example_course.parent, out, show_progress=False)
    assert not [p for p in out.iterdir() if p.name.startswith((".staging-", ".old-"))]
    assert "More text." in (out / "site/example/working-together/first-meeting/index.html").read_text()


def test_build_killed_while_committing_is_finished_by_the_next_build(example_course, tmp_path):
    out = tmp_path / "out"
    build(example_course.parent, out, show_progress=False)
    module = example_course / "modules/01-finding-partners/module.yml"
    module.write_text(module.read_text().replace("title: Finding partners", "title: Partner finding"))
    result = build_killed(example_course, out, (
        "real = os.replace\n"
        "def replace(a, b):\n"
        "    real(a, b)\n"
        "    if str(b).endswith('.html'):\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n"
        "output.os.replace = replace\n"))
    assert result.returncode == -9
    staged = [p for p in out.iterdir() if p.name.startswith(".staging-")]
    assert staged and (staged[0] / "COMMIT").is_file()  # decided, but only partly applied
    # The author undoes the edit before building again: the roll-forward must not be trusted.
    module.write_text(module.read_text().replace("title: Partner finding", "title: Finding partners"))
    build(example_course.parent, out, show_progress=False)
    clean = tmp_path / "clean"
    build(example_course.parent, clean, show_progress=False)
    assert snapshot(out) == snapshot(clean)
    assert not [p for p in out.iterdir() if p.name.startswith(".staging-")]


def test_stale_files_are_removed_when_a_lesson_goes(example_course, tmp_path):
    out = tmp_path / "out"
    build(example_course.parent, out, show_progress=False)
    module = example_course / "modules/01-finding-partners/module.yml"
    module.write_text(module.read_text().replace("  - 02-assessing-candidates\n", ""))
    (example_course / "modules/01-finding-partners/02-assessing-candidates.md").unlink()
    (example_course / "modules/01-finding-partners/assess-practice.yml").unlink()
    other = example_course / "modules/01-finding-partners/01-cooperation-profiles.md"
    other.write_text(other.read_text().replace("Continue with [assessing candidates](02-assessing-candidates.md#criteria-that-matter).", ""))
    result = build(example_course.parent, out, show_progress=False)
    assert "site/example/finding-partners/assessing-candidates/index.html" in result.report.removed
    assert not (out / "site/example/finding-partners/assessing-candidates").exists()


def test_rebuild_without_change_writes_nothing(example_course, tmp_path):
    out = tmp_path / "out"
    build(example_course.parent, out, show_progress=False)
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file() and ".cache" not in p.parts}
    ino = inodes(out / "site")
    result = build(example_course.parent, out, show_progress=False)
    assert result.report.written == [] and result.rendered_bodies == []
    assert {p: p.stat().st_mtime_ns for p in before} == before
    assert inodes(out / "site") == ino


def test_one_lesson_changed_rerenders_only_what_depends_on_it(example_course, tmp_path):
    out = tmp_path / "out"
    build(example_course.parent, out, show_progress=False)
    ino = inodes(out / "site")
    lesson = example_course / "modules/01-finding-partners/02-assessing-candidates.md"
    lesson.write_text(lesson.read_text().replace("title: Assessing candidate partners",
                                                 "title: Assessing candidates"))
    result = build(example_course.parent, out, show_progress=False)
    assert result.rendered_bodies == [str(lesson)]
    written = sorted(p.removeprefix("site/") for p in result.pages_written)
    assert written == [
        "example/finding-partners/assessing-candidates/index.html",  # the lesson
        "example/finding-partners/cooperation-profiles/index.html",  # its neighbours' next link
        "example/finding-partners/index.html",  # the module page lists it
        "example/index.html",  # the course home's module outline lists it
        "example/qualification/index.html",  # the alignment matrix names the lessons
        "example/toolkit/index.html",  # the toolkit page names the lesson that places its tool
        "example/working-together/first-meeting/index.html",  # previous link, the course outline
    ]
    unchanged = inodes(out / "site")
    assert unchanged["index.html"] == ino["index.html"]  # reused by hard link, not rewritten
    assert unchanged["example/working-together/index.html"] == ino["example/working-together/index.html"]  # another module


def test_broken_cache_is_discarded_with_a_warning(example_course, tmp_path, capsys):
    out = tmp_path / "out"
    build(example_course.parent, out, show_progress=False)
    (out / ".cache" / "state.json").write_text("{not json")
    (out / ".cache" / "bodies.sqlite").write_text("garbage")
    result = build(example_course.parent, out, show_progress=False)
    assert "build cache unreadable" in capsys.readouterr().err
    assert len(result.rendered_bodies) == 3
    assert (out / "site/index.html").is_file()


def test_compiled_templates_are_kept_and_a_broken_one_is_compiled_again(example_course, tmp_path):
    """A new build process loads the theme's templates compiled by the last build (the build
    cache's `templates/`); a damaged file there costs a compile, never the build."""
    out, clean = tmp_path / "out", tmp_path / "clean"
    build(example_course.parent, out, show_progress=False)
    compiled = sorted((out / ".cache" / "templates").iterdir())
    assert compiled, "no compiled template was kept"
    for entry in compiled:
        entry.write_bytes(b"j2" + b"\x00" * 40)  # Jinja's magic, then garbage
    lesson = next(example_course.rglob("*.md"))
    lesson.write_text(lesson.read_text() + "\nOne more sentence.\n")
    build(example_course.parent, out, show_progress=False)
    build(example_course.parent, clean, show_progress=False)
    assert snapshot(out / "site") == snapshot(clean / "site")


def test_custom_theme_overrides_one_template_and_falls_back(example_course, tmp_path):
    theme = tmp_path / "mytheme"
    (theme / "templates").mkdir(parents=True)
    (theme / "static").mkdir()
    (theme / "templates" / "catalog.html").write_text(
        '{% extends "base.html" %}{% block main %}<h1>Our agency courses</h1>{% endblock %}')
    (theme / "static" / "extra.css").write_text("body{}")
    out = tmp_path / "out"
    build(example_course.parent, out, theme_dir=theme, show_progress=False)
    assert "Our agency courses" in (out / "site/index.html").read_text()
    assert (out / "site/_static/extra.css").is_file() and (out / "site/_static/brokerlearn.css").is_file()
    assert "Writing a cooperation profile" in (out / "site/example/finding-partners/index.html").read_text()


def run_cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "brokerlearn", *args], cwd=cwd, capture_output=True,
                          text=True)


def test_cli_reports_all_errors_without_traceback(make_course, tmp_path):
    root = make_course({"course.yml": "id: mini\ntitle: Mini\nlanguage: en\nsumary: x\n",
                        "modules/01-intro/module.yml": "title: Intro\nminutes: ten\n"})
    result = run_cli("build", str(root.parent), "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert "courses/mini/course.yml:4:1: error: unknown key 'sumary' in course.yml (did you mean 'summary'?)" in lines
    assert "courses/mini/modules/01-intro/module.yml:2:10: error: 'minutes' must be a whole number, not text" in lines


def test_cli_new_course_builds_at_once(tmp_path):
    result = run_cli("new", "course", "my-course", "--dir", "courses", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    result = run_cli("build", "courses", "-o", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out/site/my-course/introduction/welcome/index.html").is_file()
    again = run_cli("new", "course", "my-course", "--dir", "courses", cwd=tmp_path)
    assert again.returncode == 2 and "already exists" in again.stderr


def test_cli_version_and_help(tmp_path):
    assert run_cli("--version", cwd=tmp_path).stdout.startswith("brokerlearn, version ")
    for command in ([], ["build"], ["serve"], ["new"], ["new", "course"]):
        result = run_cli(*command, "--help", cwd=tmp_path)
        assert result.returncode == 0 and "Usage:" in result.stdout


def test_cli_bad_theme_is_a_usage_error(example_course, tmp_path):
    result = run_cli("build", str(example_course.parent), "-o", "out", "--theme", "nope", cwd=tmp_path)
    assert result.returncode == 2 and "theme folder 'nope' does not exist" in result.stderr


EDITS = [
    ("course.yml", "title: \"Example: a partner search in three steps\"", "title: Renamed course"),
    ("modules/01-finding-partners/module.yml", "title: Finding partners", "title: Finding good partners"),
    ("profile.yml", "Writes a cooperation profile", "Drafts a cooperation profile"),
    ("modules/02-working-together/01-first-meeting.md", "A first meeting", "A first meeting " + "word " * 400),
    ("media/partner-call.yml", "title: A first call", "title: The first call"),
    ("modules/01-finding-partners/02-assessing-candidates.md", "## Criteria that matter", "## Criteria that count"),
]


@pytest.mark.parametrize("edit", EDITS, ids=[e[0] for e in EDITS])
def test_incremental_build_equals_a_clean_build(example_course, tmp_path, edit):
    """Whatever changes, reusing the previous build gives the same site as building afresh."""
    out = tmp_path / "out"
    build(example_course.parent, out, show_progress=False)
    rel, old, new = edit
    path = example_course / rel
    if "Criteria that matter" in old:  # keep the anchor link that points at it working
        other = example_course / "modules/01-finding-partners/01-cooperation-profiles.md"
        other.write_text(other.read_text().replace("#criteria-that-matter", "#criteria-that-count"))
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new))
    build(example_course.parent, out, show_progress=False)
    clean = tmp_path / "clean"
    build(example_course.parent, clean, show_progress=False)
    assert snapshot(out) == snapshot(clean)


def test_damaged_body_in_cache_is_rendered_again(example_course, tmp_path):
    out = tmp_path / "out"
    build(example_course.parent, out, show_progress=False)
    expected = snapshot(out)
    (out / ".cache" / "bodies.sqlite").write_bytes(b"[damaged" * 1000)
    (out / "site/example/finding-partners/cooperation-profiles/index.html").unlink()
    build(example_course.parent, out, show_progress=False)
    assert snapshot(out) == expected


def test_damaged_body_entry_is_rendered_again_and_a_damaged_store_replaced(example_course, tmp_path, capsys):
    """One unreadable row costs its body a rendering; a file that is no store is replaced by an
    empty one as soon as bodies are written, with a warning, and the next build keeps them."""
    out = tmp_path / "out"
    build(example_course.parent, out, show_progress=False)
    expected = snapshot(out)
    with closing(sqlite3.connect(out / ".cache" / "bodies.sqlite")) as store, store:
        store.execute("UPDATE bodies SET entry = '[damaged'")
    (out / "site/example/finding-partners/cooperation-profiles/index.html").unlink()
    build(example_course.parent, out, show_progress=False)
    assert snapshot(out) == expected
    (out / ".cache" / "bodies.sqlite").write_bytes(b"not a database" * 1000)
    lesson = example_course / "modules/01-finding-partners/02-assessing-candidates.md"
    lesson.write_text(lesson.read_text() + "\nOne more line.\n")
    result = build(example_course.parent, out, show_progress=False)
    assert "bodies.sqlite unreadable" in capsys.readouterr().err
    assert result.rendered_bodies == [str(lesson)]
    with closing(sqlite3.connect(out / ".cache" / "bodies.sqlite")) as store:
        assert store.execute("SELECT count(*) FROM bodies").fetchone() == (1,)  # the body rendered now


def test_same_size_edit_right_after_a_build_is_seen(example_course, tmp_path):
    """Coarse file times must not hide an edit that keeps the size (the 'racy git' case)."""
    out = tmp_path / "out"
    lesson = example_course / "modules/02-working-together/01-first-meeting.md"
    lesson.write_text(lesson.read_text())  # saved just now, as an editor does
    build(example_course.parent, out, show_progress=False)
    stat = lesson.stat()
    lesson.write_text(lesson.read_text().replace("Keep it short", "Keep it brief"[:13]))
    os.utime(lesson, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size, same time
    build(example_course.parent, out, show_progress=False)
    assert "Keep it brief" in (out / "site/example/working-together/first-meeting/index.html").read_text()


def test_root_cause_is_listed_before_its_knock_on(make_course, tmp_path):
    """A quiz file that does not parse made the lesson's '::: quiz' unknown; the knock-on came
    first (sorted by path) and did not say what it depended on."""
    root = make_course({
        "modules/01-intro/01-start.md": "---\ntitle: Start\n---\n\n## First part\n\n::: quiz actors-practice\n:::\n",
        "modules/01-intro/actors-practice.yml": "id: actors-practice\ntitle: Check yourself: the actors\n"
                                                "mode: practice\nquestions: []\n"})
    result = run_cli("build", str(root.parent), "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert lines[0].startswith("courses/mini/modules/01-intro/actors-practice.yml:2:22: error: YAML syntax error: "
                               "a ': ' inside a value: put text that contains ': ' in quotes")
    assert lines[1] == ("courses/mini/modules/01-intro/01-start.md:7:1: error: unknown quiz 'actors-practice': "
                        "modules/01-intro/actors-practice.yml could not be read (see its error above); fix that first")


def test_build_strict_and_check_strict_accept_the_same_courses(make_course, tmp_path):
    """A course whose only problem is a lint warning passed `build --strict` but not `check --strict`."""
    from click.testing import CliRunner

    from brokerlearn.cli import main
    root = make_course({"modules/01-intro/module.yml": "title: Intro\noutcomes: [U1.O1]\nlessons: [01-start, 02-next]\n",
                        "modules/01-intro/01-start.md": "---\ntitle: Start\n---\n\n## First part\n\n#### Too deep\n",
                        "modules/01-intro/q.yml": "id: q\ntitle: Q\nmode: graded\nquestions:\n  - id: q1\n"
                        "    type: truefalse\n    prompt: Yes?\n    answer: true\n    explanation: Because.\n"
                        "    outcomes: [U1.O1]\n"})
    runner = CliRunner()
    checked = runner.invoke(main, ["check", "--format", "json", str(root)])
    assert checked.exit_code == 0 and [d["message"][:33] for d in json.loads(checked.output)["diagnostics"]] == [
        "heading level skips from h2 to h4"]
    assert runner.invoke(main, ["build", str(root), "-o", str(tmp_path / "out")]).exit_code == 0
    checked = runner.invoke(main, ["check", "--strict", str(root)])
    with pytest.raises(BuildFailed) as failed:
        build(root, tmp_path / "out2", strict=True, show_progress=False)
    assert checked.exit_code == 1
    assert [d.message[:33] for d in failed.value.diagnostics.warnings] == ["heading level skips from h2 to h4"]
    built = runner.invoke(main, ["build", "--strict", str(root), "-o", str(tmp_path / "out2")])
    assert built.exit_code == 1 and "1 warning(s), which --strict counts as errors" in built.output
    assert not (tmp_path / "out2" / "site").exists()
    (root / "modules/01-intro/01-start.md").write_text("---\ntitle: Start\n---\n\n## First part\n\n### Deep enough\n")
    assert runner.invoke(main, ["check", "--strict", str(root)]).exit_code == 0
    assert runner.invoke(main, ["build", "--strict", str(root), "-o", str(tmp_path / "out2")]).exit_code == 0


def test_broken_image_in_author_html_fails_the_build(make_course, tmp_path):
    root = make_course({"modules/01-intro/01-start.md": "---\ntitle: Start\n---\n\n## First part\n\n"
                                                         '<figure><img src="x" alt="A map"></figure>\n'})
    with pytest.raises(BuildFailed) as failed:
        build(root, tmp_path / "out", show_progress=False)
    assert [(Path(d.path).name, d.line, d.col, d.message) for d in failed.value.diagnostics.errors] == [
        ("01-start.md", 7, 19, "image 'x' does not exist")]


def test_image_from_another_host_in_a_quiz_text_fails_the_build(make_course, tmp_path):
    """F13: quiz texts are not link-checked like lessons, but a hot-linked image there is an error too."""
    root = make_course({"modules/01-intro/q.yml": "id: q\ntitle: Q\nmode: practice\nquestions:\n  - id: q1\n"
                        "    type: truefalse\n    prompt: 'Look ![x](https://evil.example/t.png)'\n    answer: true\n"
                        "    explanation: 'See <img src=\"//evil.example/u.png\" alt=u>'\n"})
    with pytest.raises(BuildFailed) as failed:
        build(root, tmp_path / "out", show_progress=False)
    assert [(Path(d.path).name, d.line, d.col, d.message.split(":")[0]) for d in failed.value.diagnostics.errors] == [
        ("q.yml", 7, 13, "image 'https"), ("q.yml", 9, 18, "image '//evil.example/u.png' is from another site")]
