"""A non-editable install works: an sdist is built from the project's files, a wheel from that
sdist, and the wheel is installed into a fresh virtual environment. That environment's
`brokerlearn` builds the example course and a German course (German interface words) and
creates a database with `db upgrade`, from nothing but the wheel.

The dependencies come from the test's own environment through a .pth file, so the test needs
no network and takes seconds; brokerlearn itself must come from the wheel."""
import os
import shutil
import sqlite3
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

from brokerlearn import i18n

REPO = Path(__file__).resolve().parents[1]
PROJECT_FILES = ["pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "LICENSE", "LICENSE-CC-BY", "src", "themes"]


def backend(hook: str, source: Path, target: Path) -> Path:
    """Call a PEP 517 hook of setuptools (no build isolation: offline, with our setuptools)."""
    code = f"import sys; from setuptools import build_meta; print(build_meta.{hook}(sys.argv[1]))"
    done = subprocess.run([sys.executable, "-c", code, str(target)], cwd=source, capture_output=True, text=True,
                          env=clean_env(), timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return target / done.stdout.strip().splitlines()[-1]


def clean_env() -> dict:
    """No PYTHONPATH (it would put a checkout's src/ first) and no settings of a real installation."""
    return {k: v for k, v in os.environ.items()
            if k not in {"PYTHONPATH", "DATABASE_URL"} and not k.startswith("BROKERLEARN_")}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> tuple[Path, Path]:
    """(the copied project, the wheel built from its sdist)"""
    root = tmp_path_factory.mktemp("packaging")
    project = root / "project"
    project.mkdir()
    for name in PROJECT_FILES:
        source = REPO / name
        if not source.exists():
            continue
        if source.is_dir():
            shutil.copytree(source, project / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(source, project / name)
    sdist = backend("build_sdist", project, root / "dist")
    with tarfile.open(sdist) as archive:
        archive.extractall(root / "unpacked", filter="data")
    return project, backend("build_wheel", next((root / "unpacked").iterdir()), root / "dist")


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    env_dir = tmp_path_factory.mktemp("fresh") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)], check=True, timeout=60)
    python = env_dir / "bin" / "python"
    installed = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
                                "--no-index", "--quiet", "--disable-pip-version-check", str(wheel[1])],
                               capture_output=True, text=True, env=clean_env(), timeout=120)
    assert installed.returncode == 0, installed.stderr
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               capture_output=True, text=True, check=True).stdout.strip())
    # The dependencies: a plain path line, so the shared environment's own .pth files (an editable
    # brokerlearn among them) are not processed and cannot shadow the wheel.
    (site / "zz_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return env_dir


def brokerlearn(venv: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(venv / "bin" / "brokerlearn"), *args], cwd=cwd, capture_output=True, text=True,
                          env=clean_env(), timeout=120)


def test_the_wheel_holds_every_file_of_the_package_and_the_default_theme(wheel):
    project, built = wheel
    package = project / "src"
    wanted = {p.relative_to(package).as_posix() for p in (package / "brokerlearn").rglob("*") if p.is_file()}
    wanted |= {"brokerlearn/_themes/default/" + p.relative_to(project / "themes/default").as_posix()
               for p in (project / "themes/default").rglob("*") if p.is_file()}
    with zipfile.ZipFile(built) as archive:
        shipped = set(archive.namelist())
    assert wanted - shipped == set()
    assert {"brokerlearn/locale/de/LC_MESSAGES/messages.po", "brokerlearn/server/migrations/script.py.mako",
            "brokerlearn/_themes/default/templates/base.html"} <= shipped


def test_brokerlearn_comes_from_the_wheel(venv):
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import brokerlearn; print(brokerlearn.__file__)"],
                           capture_output=True, text=True, env=clean_env(), check=True).stdout.strip()
    assert Path(where).resolve().is_relative_to(venv.resolve()), where


def test_the_installed_tool_builds_the_example_and_a_german_course(venv, tmp_path):
    courses = tmp_path / "courses"
    shutil.copytree(REPO / "courses" / "example", courses / "example")
    german = courses / "beispiel"
    shutil.copytree(REPO / "courses" / "example", german)
    text = (german / "course.yml").read_text()
    text = text.replace("id: example", "id: beispiel").replace("language: en", "language: de")
    (german / "course.yml").write_text(text)

    built = brokerlearn(venv, "build", "courses", "-o", "out", "--no-progress", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    site = tmp_path / "out" / "site"
    english = (site / "example" / "index.html").read_text()
    assert "Start the course" in english and (site / "_static" / "quiz.js").is_file()

    de = i18n.translations("de").gettext
    assert de("Start the course") != "Start the course"
    page = (site / "beispiel" / "index.html").read_text()
    assert de("Start the course") in page and de("Modules") in page and ">Modules<" not in page
    lesson = (site / "beispiel/finding-partners/assessing-candidates/index.html").read_text()
    assert de("Mark this lesson as complete") in lesson and '<html lang="de"' in lesson


def test_the_installed_tool_creates_a_database(venv, tmp_path):
    upgraded = brokerlearn(venv, "db", "upgrade", "--instance", "instance", cwd=tmp_path)
    assert upgraded.returncode == 0, upgraded.stderr
    with sqlite3.connect(tmp_path / "instance" / "brokerlearn.db") as db:
        tables = {row[0] for row in db.execute("select name from sqlite_master where type = 'table'")}
        version = db.execute("select version_num from alembic_version").fetchone()
    assert {"users", "alembic_version"} <= tables and version is not None

    # Alembic's template for a new migration came along too: a revision can be written from it.
    probe = ("import sys; from alembic import command; from brokerlearn.server.db import alembic_config; "
             "script = command.revision(alembic_config('sqlite:///' + sys.argv[1]), 'probe'); "
             "print('made', script.path)")
    made = subprocess.run([str(venv / "bin" / "python"), "-c", probe, str(tmp_path / "instance" / "brokerlearn.db")],
                          capture_output=True, text=True, env=clean_env(), timeout=60)
    assert made.returncode == 0, made.stderr
    made_file = Path(made.stdout.strip().splitlines()[-1].removeprefix("made "))
    assert made_file.is_file() and made_file.resolve().is_relative_to(venv.resolve())
    assert "def upgrade" in made_file.read_text()


def test_a_wheel_built_in_a_checkout_leaves_the_site_folder_alone(wheel, tmp_path):
    """setuptools' scratch folder was build/, the folder `brokerlearn build` writes the site to."""
    project, _ = wheel
    (project / "build").mkdir(exist_ok=True)
    backend("build_wheel", project, tmp_path / "dist")
    assert list((project / "build").iterdir()) == []
    assert (project / ".setuptools-build").is_dir()
