import os
import shutil
from pathlib import Path

import pytest

# One quiz key for every build of the tests (and the builds they start in subprocesses), so two
# builds of the same course into two folders are byte-identical. tests/test_quiz_sealing.py
# removes it where a build must make its own key.
os.environ.setdefault("BROKERLEARN_QUIZ_KEY", "tests-quiz-key-" + "0" * 32)

# The builds of the tests convert their videos with x264's fastest preset: they check the courses,
# not the encoder (the flagship's ~25 minutes of video are most of a cold run's CPU time otherwise).
# tests/test_video.py and tests/test_media_cache.py remove it: they test the production settings.
os.environ.setdefault("BROKERLEARN_VIDEO_PRESET", "ultrafast")

pytest_plugins = ["server_fixtures"]

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "courses" / "example"


# Where the runs keep their video renditions between runs (BROKERLEARN_TEST_MEDIA_CACHE; empty:
# a folder of the run's own, converted afresh). Converting the flagship's videos costs about three
# CPU minutes a run, and the renditions of unchanged sources by an unchanged pipeline are the same.
TEST_MEDIA_CACHE_ENV = "BROKERLEARN_TEST_MEDIA_CACHE"
DEFAULT_TEST_MEDIA_CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "brokerlearn-tests" / "media"


def media_pipeline_fingerprint() -> str:
    """What a rendition depends on besides its source (which the cache's own key hashes): the
    code that converts it and the ffmpeg that runs. Another of either is another cache."""
    import hashlib
    import subprocess
    from brokerlearn import mediatools
    from brokerlearn.compiler.video import renditions
    digest = hashlib.sha256()
    for module in (renditions, mediatools):
        digest.update(Path(module.__file__).read_bytes())
    version = subprocess.run([mediatools.ffmpeg_exe(), "-version"], capture_output=True, text=True).stdout
    digest.update(version.splitlines()[0].encode() if version else b"no ffmpeg")
    return digest.hexdigest()[:16]


def kept_media_cache() -> Path | None:
    """The folder of renditions kept between runs for this pipeline, or None when turned off."""
    from brokerlearn.errors import UsageError
    named = os.environ.get(TEST_MEDIA_CACHE_ENV)
    if named is not None and not named.strip():
        return None
    try:
        fingerprint = media_pipeline_fingerprint()
    except (UsageError, OSError):  # no ffmpeg: nothing to keep, and the video tests say why they skip
        return None
    return Path(named or DEFAULT_TEST_MEDIA_CACHE).expanduser() / fingerprint


def remove_abandoned_entries(cache: Path, older_than_s: float = 6 * 3600) -> None:
    """Entries half-made by a run that was killed (NAME.partial-PID-THREAD) are never finished
    or read; a kept cache would hold them for ever. A run converting now is hours younger."""
    import time
    for work in cache.glob("*.partial-*"):
        try:
            if time.time() - work.stat().st_mtime > older_than_s:
                shutil.rmtree(work, ignore_errors=True)
        except FileNotFoundError:  # finished (renamed) or removed by another run meanwhile
            pass


def usable_kept_cache() -> Path | None:
    """kept_media_cache, made and tidied; None when turned off or its folder cannot be written
    (a read-only home): the run then converts into a folder of its own."""
    kept = kept_media_cache()
    if kept is None:
        return None
    try:
        kept.mkdir(parents=True, exist_ok=True)
        remove_abandoned_entries(kept)
    except OSError:
        return None
    return kept if os.access(kept, os.W_OK) else None


@pytest.fixture(scope="session", autouse=True)
def shared_media_cache(tmp_path_factory) -> Path:
    """One media cache for every build of the run (BROKERLEARN_MEDIA_CACHE, shared by the xdist
    workers and the builds they start in subprocesses): a video is converted once, not once per
    build folder, and kept for the next run (kept_media_cache) under a key of its source, the
    pipeline's code and ffmpeg's version; the pipeline locks each entry, so runs side by side
    share it too. The conversion itself is tested on small videos in caches of their own
    (tests/test_video.py and tests/test_media_cache.py remove the variable)."""
    from server_fixtures import run_folder
    folder = usable_kept_cache() or run_folder(tmp_path_factory) / "media-cache"
    folder.mkdir(parents=True, exist_ok=True)
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
