import os
import shutil
from pathlib import Path

import pytest

# One quiz key for every build of the tests (and the builds they start in subprocesses), so two
# builds of the same course into two folders are byte-identical. tests/test_quiz_sealing.py
# removes it where a build must make its own key.
os.environ.setdefault("BROKERLEARN_QUIZ_KEY", "tests-quiz-key-" + "0" * 32)

pytest_plugins = ["server_fixtures"]

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "courses" / "example"


@pytest.fixture(scope="session", autouse=True)
def shared_media_cache(tmp_path_factory) -> Path:
    """One media cache for every build of the run (BROKERLEARN_MEDIA_CACHE, shared by the xdist
    workers and the builds they start in subprocesses): a video is converted once per run, not
    once per build folder. A test of a build's own cache removes the variable (tests/test_video.py)."""
    from server_fixtures import run_folder
    folder = run_folder(tmp_path_factory) / "media-cache"
    os.environ["BROKERLEARN_MEDIA_CACHE"] = str(folder)
    return folder


@pytest.fixture
def example_course(tmp_path) -> Path:
    """A private copy of the example course that a test may change."""
    target = tmp_path / "courses" / "example"
    shutil.copytree(EXAMPLE, target)
    return target


MINIMAL = {
    "course.yml": "id: mini\ntitle: Mini\nlanguage: en\nmodules: [01-intro]\n",
    "profile.yml": ("id: mini-profile\ntitle: Mini profile\nunits:\n  - id: U1\n    title: Unit\n"
                    "    outcomes:\n      - id: U1.O1\n        statement: Does things.\n"),
    "modules/01-intro/module.yml": "title: Intro\nlessons: [01-start, 02-next]\n",
    "modules/01-intro/01-start.md": "---\ntitle: Start\n---\n\n## First part\n\nHello.\n",
    "modules/01-intro/02-next.md": "---\ntitle: Next\n---\n\nSee [start](01-start.md#first-part).\n",
}


def write_course(root: Path, files: dict) -> Path:
    """Write a course from {relative path: text}; a value of None deletes that file."""
    for rel, text in files.items():
        path = root / rel
        if text is None:
            path.unlink(missing_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def make_course(tmp_path):
    """make_course(overrides) -> course folder: the minimal course with files replaced."""
    def make(overrides: dict | None = None) -> Path:
        root = tmp_path / "courses" / "mini"
        write_course(root, {**MINIMAL, **(overrides or {})})
        return root
    return make


# The files that take longest, run first. With a whole file per xdist worker at a time
# (scripts/test), a long file handed out last keeps its worker busy after the others ran out of
# work. Only the order changes; a file missing here runs in its usual place.
LONGEST_FIRST = ("test_flagship_course.py", "test_every_page_browser.py", "test_narration.py",
                 "test_assessments_browser.py", "test_video.py", "test_deployment.py", "test_outage.py",
                 "test_packaging.py", "test_golden.py")


def pytest_collection_modifyitems(items):
    rank = {name: n for n, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: within a file, as written
