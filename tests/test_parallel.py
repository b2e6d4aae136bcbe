"""compiler/parallel.py, and a build on two processes: the same site, the same errors, the
previous site kept when a worker fails."""
import os
from pathlib import Path

import pytest

from brokerlearn.compiler import output as output_module
from brokerlearn.compiler import parallel, pipeline
from brokerlearn.compiler.pages import Page
from brokerlearn.compiler.pipeline import build
from brokerlearn.errors import BuildFailed
from golden_site import snapshot


@pytest.fixture
def small_work_forks(monkeypatch):
    """The example course is far below the size at which a build starts workers."""
    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)


def test_items_run_in_other_processes_and_come_back_in_order(small_work_forks):
    results = parallel.map_items(lambda n: (n * n, os.getpid()), list(range(50)), jobs=2)
    assert [square for square, _ in results] == [n * n for n in range(50)]
    assert os.getpid() not in {pid for _, pid in results}


def test_jobs_1_and_small_work_stay_in_this_process(monkeypatch):
    assert {pid for pid in parallel.map_items(lambda _: os.getpid(), list(range(50)), jobs=1)} == {os.getpid()}
    monkeypatch.setattr(parallel, "MIN_ITEMS", 100)
    assert {pid for pid in parallel.map_items(lambda _: os.getpid(), list(range(50)), jobs=2)} == {os.getpid()}


def test_a_function_can_tell_it_runs_in_a_worker(small_work_forks):
    assert set(parallel.map_items(lambda _: parallel.in_worker(), list(range(50)), jobs=2)) == {True}
    assert set(parallel.map_items(lambda _: parallel.in_worker(), list(range(50)), jobs=1)) == {False}
    assert not parallel.in_worker()


def test_an_error_in_a_worker_is_raised_here(small_work_forks):
    def fail_on_7(n):
        if n == 7:
            raise ValueError("item 7 is broken")
        return n
    with pytest.raises(ValueError, match="item 7 is broken"):
        parallel.map_items(fail_on_7, list(range(20)), jobs=2)


def test_two_jobs_build_the_same_site_as_one(example_course, tmp_path, small_work_forks):
    build(example_course.parent, tmp_path / "one", show_progress=False, jobs=1)
    build(example_course.parent, tmp_path / "two", show_progress=False, jobs=2)
    assert snapshot(tmp_path / "two") == snapshot(tmp_path / "one")


def test_bodies_rendered_by_workers_leave_their_html_in_the_cache(example_course, tmp_path, monkeypatch,
                                                                   small_work_forks):
    """The main process holds no lesson's HTML from workers (its memory); pages read it back."""
    planned = []
    real_plan = pipeline._plan

    def plan(courses, bodies, *args, **kwargs):
        planned.append([body.segments for body in bodies.values()])
        return real_plan(courses, bodies, *args, **kwargs)
    monkeypatch.setattr(pipeline, "_plan", plan)
    build(example_course.parent, tmp_path / "one", show_progress=False, jobs=1)
    build(example_course.parent, tmp_path / "two", show_progress=False, jobs=2)
    in_process, from_workers = planned
    assert all(segments for segments in in_process) and not any(from_workers)
    assert snapshot(tmp_path / "two") == snapshot(tmp_path / "one")


def test_a_lesson_page_keeps_no_context_it_made():
    """A page-stage worker renders hundreds of lesson pages: none keeps its context after."""
    made = []
    page = Page("c/m/l/index.html", "lesson.html", None, make_context=lambda: {"made": len(made.append(1) or made)})
    assert [page.get_context(), page.get_context()] == [{"made": 1}, {"made": 2}]
    assert page.context is None


def test_errors_found_by_workers_name_the_file_and_line(make_course, tmp_path, small_work_forks):
    root = make_course({"modules/01-intro/02-next.md":
                        "---\ntitle: Next\n---\n\n[a](01-start.md#nope)\n\n[b](ghost.md)\n\n::: bogus\n:::\n"})

    def errors(jobs: int) -> list:
        with pytest.raises(BuildFailed) as failure:
            build(root.parent, tmp_path / f"out{jobs}", show_progress=False, jobs=jobs)
        return [(d.path, d.line, d.col, d.message) for d in failure.value.diagnostics.sorted()]
    serial = errors(1)
    assert {(Path(path).name, line) for path, line, _, _ in serial} >= {("02-next.md", 5), ("02-next.md", 7)}
    assert errors(2) == serial


def test_a_worker_failing_to_write_leaves_the_previous_site(example_course, tmp_path, monkeypatch, small_work_forks):
    out = tmp_path / "out"
    build(example_course.parent, out, show_progress=False, jobs=2)
    before = snapshot(out)
    lesson = example_course / "modules/01-finding-partners/01-cooperation-profiles.md"
    lesson.write_text(lesson.read_text().replace("title: Writing a cooperation profile", "title: Changed"))
    real_produce = output_module._produce

    def crash_on_the_lesson(planned, target):  # runs in a worker: the fork inherits the patch
        if target.parent.name == "cooperation-profiles":
            raise OSError("disk full (simulated)")
        real_produce(planned, target)
    monkeypatch.setattr(output_module, "_produce", crash_on_the_lesson)
    with pytest.raises(OSError, match="disk full"):
        build(example_course.parent, out, show_progress=False, jobs=2)
    assert snapshot(out) == before
    assert not [p for p in out.iterdir() if p.name.startswith(".staging-")]
