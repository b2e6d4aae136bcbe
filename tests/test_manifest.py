"""The build→server contract (brokerlearn.course.manifest): the build writes it through the typed
objects, the server reads only objects, and a manifest of another format is refused with a
message that names the file and says to rebuild, at the server's start and wherever it is read."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from brokerlearn.course.manifest import FORMAT, CourseManifest, ManifestError, load

REPO = Path(__file__).resolve().parents[1]


def _file(built: Path, course: str = "example") -> Path:
    return built / "server" / f"{course}.json"


def test_the_built_manifest_round_trips_through_the_objects(built_example):
    written = json.loads(_file(built_example).read_text())
    course = load(_file(built_example))
    assert written["format"] == FORMAT == 2
    assert course.to_json() == written
    assert CourseManifest.from_json(course.to_json()) == course
    # What the server reads of it, as objects.
    assert course.lesson_order == ["finding-partners/cooperation-profiles", "finding-partners/assessing-candidates",
                                   "working-together/first-meeting"]
    assert course.lessons["working-together/first-meeting"].url == "example/working-together/first-meeting/index.html"
    quiz = course.quiz("m2-assessment")
    assert quiz.graded and quiz.max_attempts == 3 and [q.id for q in quiz.questions][:2] == ["q1", "q2"]
    assert course.questions["m2-assessment"]["q2"].options[0].id == written["quizzes"]["m2-assessment"][
        "questions"][1]["options"][0]["id"]
    assert course.certificate.requires.lessons_completed == 0.9
    assert course.profile.alignment["U2.O1"].lessons == ["working-together/first-meeting"]
    assert course.outcomes["U1.O1"].unit == "U1"
    assert list(course.videos) == ["partner-call"]  # its decision's branch clip is part of it
    assert 10 < course.videos["partner-call"].duration < 60


def test_a_course_without_profile_or_videos_round_trips(make_course, tmp_path):
    from brokerlearn.compiler.pipeline import build
    root = make_course({"profile.yml": None})
    build(root, tmp_path / "out", show_progress=False)
    course = load(_file(tmp_path / "out", "mini"))
    assert course.profile is None and course.certificate is None and course.videos == {}
    assert CourseManifest.from_json(json.loads(json.dumps(course.to_json()))) == course


@pytest.mark.parametrize("change, expected", [
    ({"format": 1}, "format 1, written by another version of brokerlearn, and this one reads format 2"),
    ({"format": None}, "no manifest format number"),
    ({"format": 3}, "format 3, written by a newer brokerlearn"),
    ({"modules": None}, "not a course manifest of format 2"),
])
def test_another_format_is_refused_naming_the_file(built_example, tmp_path, change, expected):
    data = {**json.loads(_file(built_example).read_text()), **change}
    if change.get("format", 0) is None:
        del data["format"]
    path = tmp_path / "example.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ManifestError) as caught:
        load(path)
    message = str(caught.value)
    assert message.startswith(str(path)) and expected in message
    assert message.endswith("rebuild the course with `brokerlearn build`")


def test_a_file_that_is_not_json_is_refused(tmp_path):
    path = tmp_path / "x.json"
    path.write_text("{not json")
    with pytest.raises(ManifestError, match=r"x\.json cannot be read as a course manifest \(not JSON"):
        load(path)


def _old_build(built_example, tmp_path) -> Path:
    """A build folder as an older brokerlearn left it: its manifest is of format 1."""
    build = tmp_path / "build"
    shutil.copytree(built_example, build)
    data = json.loads(_file(build).read_text())
    data["format"] = 1
    _file(build).write_text(json.dumps(data))
    return build


def _command(*args, tmp_path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "BROKERLEARN_INSTANCE": str(tmp_path / "instance")}
    return subprocess.run([sys.executable, "-m", "brokerlearn", *args], capture_output=True, text=True,
                          env=env, timeout=120)


def test_the_server_does_not_start_on_a_manifest_of_another_format(built_example, tmp_path):
    build = _old_build(built_example, tmp_path)
    result = _command("serve", str(build), "--port", "0", tmp_path=tmp_path)
    assert result.returncode == 2, result.stderr
    assert f"{_file(build)} cannot be read: it is of manifest format 1" in result.stderr
    assert "rebuild the course with `brokerlearn build`" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "instance").exists()  # refused before anything was made


def test_the_exports_refuse_a_manifest_of_another_format(built_example, tmp_path):
    from brokerlearn.server.db import upgrade
    build = _old_build(built_example, tmp_path)
    (tmp_path / "instance").mkdir()
    upgrade(f"sqlite:///{tmp_path / 'instance' / 'brokerlearn.db'}")
    (tmp_path / "instance" / "secret_key").write_text("k" * 64)
    for args in (["export", "xapi", "--public-url", "https://learn.example.org"], ["export", "csv", "progress"]):
        result = _command(*args, "--build-dir", str(build), tmp_path=tmp_path)
        assert result.returncode == 2, (args, result.stderr)
        assert f"error: {_file(build)} cannot be read: it is of manifest format 1" in result.stderr
        assert "Traceback" not in result.stderr and result.stdout == ""


def test_a_running_server_leaves_out_a_course_rebuilt_in_another_format(app, learner, built_example, tmp_path,
                                                                         caplog):
    from brokerlearn.server.courses import CourseCatalog
    build = tmp_path / "rebuilt"
    shutil.copytree(built_example, build)
    app.extensions["brokerlearn_courses"] = CourseCatalog(build / "server")
    ana = learner()
    assert ana.api("get", "/api/progress/example").status_code == 200
    data = json.loads(_file(build).read_text())
    data["format"] = 1
    _file(build).write_text(json.dumps(data))
    os.utime(_file(build), ns=(1, 1))  # a change the catalog sees, whatever the clock's resolution
    with caplog.at_level("WARNING", logger="brokerlearn.courses"):
        response = ana.api("get", "/api/progress/example")
        ana.api("get", "/api/progress/example")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "unknown_course"
    warnings = [r.getMessage() for r in caplog.records if r.name == "brokerlearn.courses"]
    assert len(warnings) == 1 and "rebuild the course with `brokerlearn build`" in warnings[0]
    assert str(_file(build)) in warnings[0] and not caplog.records[0].exc_info


def _dicts(value, depth=0):
    """Every dict in a JSON-like value (a template context: a few levels deep)."""
    if depth > 4:
        return
    if isinstance(value, dict):
        yield value
        values = value.values()
    elif isinstance(value, (list, tuple)):
        values = value
    else:
        return
    for item in values:
        yield from _dicts(item, depth + 1)


def _canonical(value) -> str | None:
    try:
        return json.dumps(value, sort_keys=True)
    except (TypeError, ValueError):
        return None  # holds objects: not a piece of the manifest's JSON


def test_no_page_is_given_the_raw_manifest(app, learner, built_example):
    """Every server page a learner and an admin reach renders from objects and the services'
    summaries: no template context holds the manifest's JSON, and the course report's `course`
    is the manifest object."""
    from flask import template_rendered

    from brokerlearn.server import db
    from brokerlearn.server.services.accounts import find_user, set_role
    boss = learner("boss@agency.org")
    with app.app_context():
        set_role(db.session(), find_user(db.session(), "boss@agency.org"), "admin")
    boss.login("boss@agency.org")
    boss.api("post", "/api/progress", {"events": [{"event_id": "evt-tpl-0001", "course": "example",
                                                   "kind": "lesson_completed",
                                                   "item": "finding-partners/cooperation-profiles"}]})
    rendered = []

    def record(sender, template, context, **extra):
        rendered.append((template.name, context))
    template_rendered.connect(record, app)
    try:
        for path in ("/dashboard", "/admin/", "/admin/learners", "/admin/courses/example", "/admin/learners/1",
                     "/admin/certificates"):
            assert boss.client.get(path).status_code == 200, path
    finally:
        template_rendered.disconnect(record, app)
    names = {name for name, _ in rendered}
    assert {"dashboard.html", "admin/course.html", "admin/learners.html", "admin/learner.html"} <= names
    raw = {_canonical(d) for d in _dicts(json.loads(_file(built_example).read_text())) if len(d) > 1}
    for name, context in rendered:
        given = [d for d in _dicts(dict(context)) if _canonical(d) in raw]
        assert not given, (name, given)
    course_page = next(context for name, context in rendered if name == "admin/course.html")
    assert course_page["course_title"] == "Example: a partner search in three steps"
