"""The preview keeps the loaded course between saves (course/kept.py): after every edit its
site is, file by file, the site a fresh full build of the same sources gives, and its problems
are the build's."""
import itertools
import os

import pytest

from brokerlearn.authoring.preview import Preview
from brokerlearn.compiler.pipeline import build
from brokerlearn.errors import BuildFailed
from conftest import write_course


def tree(out) -> dict:
    """Every file a build publishes or gives the server, by path, with its bytes."""
    return {str(p.relative_to(out)): p.read_bytes()
            for part in ("site", "server") for p in sorted((out / part).rglob("*")) if p.is_file()}


def full_build(courses, out) -> tuple[dict, list]:
    try:
        build(courses, out, show_progress=False, preview=True)
    except BuildFailed as exc:
        return {}, sorted((os.path.relpath(d.path), d.line, d.col, d.message)  # as the preview shows them
                          for d in exc.diagnostics.sorted() if d.level == "error")
    return tree(out), []


@pytest.fixture
def edit(make_course, tmp_path):
    """edit({path: text or None}) saves through the preview as its watcher does, then checks
    the preview against a fresh full build; it returns the preview's problems."""
    root = make_course({"modules/01-intro/01-start.md": "---\ntitle: Start\noutcomes: [U1.O1]\n---\n\n"
                                                       "## First part\n\nHello.\n"})
    preview = Preview(root.parent, tmp_path / "preview-out")
    preview.rebuild()
    assert preview.state.problems == []
    builds = itertools.count()

    def save(files: dict) -> list:
        before = tree(preview.out_dir)
        write_course(root, files)
        preview.kept.changed(root / rel for rel in files)
        preview.rebuild()
        expected, errors = full_build(root.parent, tmp_path / f"full-{next(builds)}")
        problems = sorted((p["path"], p["line"], p["column"], p["message"]) for p in preview.state.problems)
        assert problems == errors
        if errors:
            assert tree(preview.out_dir) == before  # the last good site stays
        else:
            assert tree(preview.out_dir) == expected
        return preview.state.problems
    return root, preview, save


def test_edits_through_the_preview_give_the_site_a_full_build_gives(edit):
    root, preview, save = edit
    kept = preview.kept.courses[0]
    save({"modules/01-intro/01-start.md": "---\ntitle: Start\noutcomes: [U1.O1]\n---\n\n## First part\n\nHello again.\n"})
    assert preview.kept.courses[0] is kept and preview.state.last_rendered == [str(root / "modules/01-intro/01-start.md")]
    save({"modules/01-intro/02-next.md": "---\ntitle: Next steps\n---\n\nSee [start](01-start.md#first-part).\n"})
    assert preview.kept.courses[0] is kept  # a new title in front matter: still only that lesson parsed
    save({"modules/01-intro/module.yml": "title: Introduction\nsummary: Where to begin.\nlessons: [01-start, 02-next]\n"})
    assert preview.kept.courses[0] is not kept  # a module's YAML: loaded again
    save({"modules/01-intro/03-more.md": "---\ntitle: More\n---\n\nBack to [start](01-start.md).\n",
          "modules/01-intro/module.yml": "title: Introduction\nlessons: [01-start, 03-more]\n",
          "modules/01-intro/02-next.md": None})
    problems = save({"modules/01-intro/module.yml": "title: Introduction\nlessons: [01-start, 03-more"})
    assert problems[0]["path"].endswith("module.yml") and problems[0]["line"] > 1  # names its file and line
    assert save({"modules/01-intro/module.yml": "title: Introduction\nlessons: [01-start, 03-more]\n"}) == []


def test_a_lesson_edit_keeps_the_loader_diagnostics_exact(edit):
    """An undefined outcome and a broken front matter appear and go away as a full load reports them."""
    root, preview, save = edit
    lesson = "modules/01-intro/01-start.md"
    problems = save({lesson: "---\ntitle: Start\noutcomes: [U1.O9]\n---\n\n## First part\n\nHello.\n"})
    assert [p["message"] for p in problems] == ["outcome 'U1.O9' is not defined in profile.yml (did you mean 'U1.O1'?)"]
    assert save({lesson: "---\ntitle: Start\noutcomes: [U1.O1]\n---\n\n## First part\n\nHello.\n"}) == []
    assert save({lesson: "---\ntitle: [Start\n---\n\n## First part\n\nHello.\n"})  # front matter that gives no lesson
    assert save({lesson: "---\ntitle: Start\n---\n\n## First part\n\nHello.\n"}) == []
    kept = preview.kept.courses[0]
    save({"themes-are-elsewhere.txt": "a file the course does not know"})
    assert preview.kept.courses[0] is not kept  # an unknown file in the folder: loaded again
