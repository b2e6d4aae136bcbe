"""Commands for course authors: build, check, preview, new (scaffolding), video render, and
export scorm. They only parse options and call the compiler and the authoring tools; errors
reach the boundary in cli/__init__.py."""
from __future__ import annotations

from pathlib import Path

import click

from brokerlearn.cli import EXIT_AUTHOR_ERRORS, FAILURE_NOTE
from brokerlearn.errors import UsageError

_courses_argument = click.argument("courses_dir", default="courses", type=click.Path(path_type=Path))
_theme_option = click.option("--theme", type=click.Path(path_type=Path), default=None,
                             help="Theme folder; templates it lacks come from the default theme.")
_strict_option = click.option("--strict", is_flag=True,
                              help="Warnings are errors: the same checks, and the same courses pass, in "
                                   "'brokerlearn build --strict' and 'brokerlearn check --strict'.")


def _when_failing(note: str) -> None:
    """What a failed build leaves, said by the boundary after the count of errors."""
    click.get_current_context().meta[FAILURE_NOTE] = note


@click.command()
@_courses_argument
@click.option("-o", "--output", "out_dir", default="build", type=click.Path(path_type=Path),
              help="Output folder: OUT/site/ is public, OUT/server/ is private.", show_default=True)
@_theme_option
@_strict_option
@click.option("--progress/--no-progress", default=None,
              help="Show a progress bar (default: when writing to a terminal).")
@click.option("--media-cache", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="A folder of video renditions that builds share, e.g. kept by CI between runs "
                   "(default: $BROKERLEARN_MEDIA_CACHE, else OUT/.cache/media/).")
@click.option("--video-preset", default=None, metavar="PRESET",
              help="x264's preset for the video renditions, ultrafast to veryslow: faster ones encode "
                   "sooner and make bigger files (default: $BROKERLEARN_VIDEO_PRESET, else veryfast).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, metavar="N",
              help="Processes that render lessons and pages (default: one per core; 1: in this "
                   "process alone). The site is the same whatever the count.")
def build(courses_dir: Path, out_dir: Path, theme: Path | None, strict: bool, progress,
          media_cache: Path | None, video_preset: str | None, jobs: int | None) -> None:
    """Build the courses in COURSES_DIR (or one course folder) into OUT."""
    import time

    from brokerlearn.compiler.pipeline import build as run_build, print_diagnostics
    started = time.perf_counter()
    _when_failing(f"the previous output in {out_dir} is unchanged")
    result = run_build(courses_dir, out_dir, theme, strict, progress, media_cache=media_cache,
                       video_preset=video_preset, jobs=jobs)
    print_diagnostics(result.diagnostics)
    report = result.report
    pages = sum(1 for p in report.written + report.reused if p.endswith(".html"))
    click.echo(f"built {len(result.courses)} course(s), {pages} pages into {out_dir}/site "
               f"({len(report.written)} files written, {len(report.reused)} unchanged, "
               f"{len(result.diagnostics.warnings)} warning(s)) in {time.perf_counter() - started:.2f}s",
               err=True)


@click.command()
@_courses_argument
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: path:line:column: level: message; json: one object for editors and CI.")
@_strict_option
@_theme_option
def check(courses_dir: Path, output_format: str, strict: bool, theme: Path | None) -> None:
    """Check COURSES_DIR (or one course folder) without building: errors and warnings.
    Exit status 1 when the course would not build (with --strict: on any warning too)."""
    import json

    from brokerlearn.compiler.pipeline import check as run_check
    courses, diags = run_check(courses_dir, theme)
    items = diags.sorted()
    errors = sum(1 for d in items if d.level == "error")
    warnings = len(items) - errors
    failed = diags.fail(strict)
    if output_format == "json":
        click.echo(json.dumps({"ok": not failed, "errors": errors, "warnings": warnings,
                               "courses": [c.id for c in courses],
                               "diagnostics": [d.as_dict() for d in items]}, indent=1))
    else:
        for diagnostic in items:
            click.echo(diagnostic.format(Path.cwd()))
        click.echo(f"{len(courses)} course(s) checked: {errors} error(s), {warnings} warning(s)", err=True)
    click.get_current_context().exit(EXIT_AUTHOR_ERRORS if failed else 0)


@click.command()
@_courses_argument
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=int)
@_theme_option
def preview(courses_dir: Path, host: str, port: int, theme: Path | None) -> None:
    """Preview COURSES_DIR (or one course) on a local server that rebuilds on save and reloads the page."""
    from brokerlearn.authoring.preview import Preview
    server = Preview(courses_dir, theme_dir=theme)
    click.echo(f"previewing {courses_dir} on http://{host}:{port}/ (rebuilds on save; Ctrl+C to stop)", err=True)
    server.serve(host, port)


# -- brokerlearn new ...: scaffolding ---------------------------------------------------------

@click.group()
def new() -> None:
    """Create a new course, ready to build."""


@new.command("course")
@click.argument("name")
@click.option("--dir", "parent", default="courses", type=click.Path(path_type=Path), show_default=True,
              help="Folder to create the course in.")
@click.option("--title", default=None, help="Course title (default: from NAME).")
@click.option("--language", default="en", show_default=True, help="Language (BCP 47).")
def new_course(name: str, parent: Path, title: str | None, language: str) -> None:
    """Scaffold a course NAME with one module and one lesson, valid as it is."""
    from brokerlearn.authoring.scaffold import scaffold_course
    root = scaffold_course(parent, name, title, language)
    click.echo(f"created {root}; build it with: brokerlearn build {parent}")


@new.command("module")
@click.argument("title")
@click.option("--course", "course", default=".", type=click.Path(path_type=Path, file_okay=False),
              show_default=True, help="The course folder (holding course.yml).")
def new_module(title: str, course: Path) -> None:
    """A module with the next number and one lesson, added to course.yml."""
    from brokerlearn.authoring.scaffold import scaffold_module
    path = scaffold_module(course, title)
    click.echo(f"created {path} and added it to {course / 'course.yml'}")


@new.command("lesson")
@click.argument("title")
@click.option("--module", "module", default=".", type=click.Path(path_type=Path, file_okay=False),
              show_default=True, help="The module folder (holding module.yml).")
@click.option("--outcome", "outcomes", multiple=True, help="An outcome ID the lesson teaches (repeatable).")
def new_lesson(title: str, module: Path, outcomes: tuple[str, ...]) -> None:
    """A lesson with the next number and its front matter, added to module.yml."""
    from brokerlearn.authoring.scaffold import scaffold_lesson
    path = scaffold_lesson(module, title, list(outcomes))
    click.echo(f"created {path} and added it to {module / 'module.yml'}")


@new.command("quiz")
@click.argument("quiz_id")
@click.option("--module", "module", default=".", type=click.Path(path_type=Path, file_okay=False), show_default=True)
@click.option("--mode", type=click.Choice(["graded", "practice"]), default="practice", show_default=True)
def new_quiz(quiz_id: str, module: Path, mode: str) -> None:
    """A quiz file with one example question; place it in a lesson with ::: quiz ID."""
    from brokerlearn.authoring.scaffold import scaffold_quiz
    path = scaffold_quiz(module, quiz_id, mode)
    click.echo(f"created {path}; place it in a lesson with:\n::: quiz {path.stem}\n:::")


@new.command("assignment")
@click.argument("assignment_id")
@click.option("--module", "module", default=".", type=click.Path(path_type=Path, file_okay=False), show_default=True)
def new_assignment(assignment_id: str, module: Path) -> None:
    """An assignment file with a brief, a text submission and a rubric; place it with ::: assignment ID."""
    from brokerlearn.authoring.scaffold import scaffold_assignment
    path = scaffold_assignment(module, assignment_id)
    name = path.name.removesuffix(".assignment.yml")
    click.echo(f"created {path}; place it in a lesson with:\n::: assignment {name}\n:::")


@new.command("video")
@click.argument("name")
@click.option("--course", "course", default=".", type=click.Path(path_type=Path, file_okay=False), show_default=True)
def new_video(name: str, course: Path) -> None:
    """A storyboard for a case-study video; render it with brokerlearn video render."""
    from brokerlearn.authoring.scaffold import scaffold_storyboard
    path = scaffold_storyboard(course, name)
    click.echo(f"created {path}; write the scenes, then: brokerlearn video render {path}\n"
               f"and place it in a lesson with:\n::: video {path.stem}\n:::")


# -- videos and exports of a course --------------------------------------------------------------

@click.group()
def video() -> None:
    """Videos: render storyboards into narrated case-study videos."""


@video.command("render")
@click.argument("storyboards", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("-o", "--media-dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Where the video, captions and sidecar go (default: the course's media/ folder).")
@click.option("--resolution", type=click.Choice(["720p", "1080p"]), default=None,
              help="Frame size (default: the storyboard's resolution, else 720p).")
def video_render(storyboards: tuple[Path, ...], media_dir: Path | None, resolution: str | None) -> None:
    """Render STORYBOARD.yml files: designed scenes drawn by Chromium, narration by Piper (or espeak-ng), exact captions."""
    from brokerlearn.authoring.storyboard import render
    for path in storyboards:
        if not path.is_file():
            raise UsageError(f"no storyboard {path}")
        result = render(path, media_dir, resolution=resolution)
        for warning in result.warnings:  # shown but neither said nor described
            click.echo(warning.format(Path.cwd()), err=True)
        for warning in result.voice_warnings:
            click.echo(f"{path}: warning: {warning}", err=True)
        for clip in [result, *result.branches]:
            click.echo(f"rendered {clip.video} ({clip.duration:.1f} s, {len(clip.cues)} captions; "
                       f"voices: {', '.join(clip.voices)}; {clip.scenes_spoken} scene(s) spoken, the rest cached)")


@click.command("scorm")
@click.argument("course_dir", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="The package to write, e.g. course.zip.")
@_theme_option
def export_scorm(course_dir: Path, output: Path, theme: Path | None) -> None:
    """A SCORM 1.2 package of one course (one SCO per module) for an existing LMS."""
    from brokerlearn.compiler.scorm import export_scorm as run_export
    _when_failing(f"{output} is not written")
    summary = run_export(course_dir, output, theme)
    click.echo(f"wrote {output}: course {summary['course']}, {summary['modules']} SCOs, {summary['files']} files")


COMMANDS = (build, check, preview, new, video)  # and export scorm, in the export group of cli/running.py
