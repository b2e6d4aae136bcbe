"""The command line: parses options and calls library functions; domain errors become exit
codes here, in one place."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from brokerlearn import __version__

EXIT_AUTHOR_ERRORS = 1
EXIT_USAGE = 2


def _fail_usage(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_USAGE)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="brokerlearn")
def main() -> None:
    """Build self-paced online courses from YAML and Markdown, and serve them."""


@main.command()
@click.argument("courses_dir", default="courses", type=click.Path(path_type=Path))
@click.option("-o", "--output", "out_dir", default="build", type=click.Path(path_type=Path),
              help="Output folder: OUT/site/ is public, OUT/server/ is private.", show_default=True)
@click.option("--theme", type=click.Path(path_type=Path), default=None,
              help="Theme folder; templates it lacks come from the default theme.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--progress/--no-progress", default=None,
              help="Show a progress bar (default: when writing to a terminal).")
def build(courses_dir: Path, out_dir: Path, theme: Path | None, strict: bool, progress) -> None:
    """Build the courses in COURSES_DIR (or one course folder) into OUT."""
    import time

    from brokerlearn.build.pipeline import build as run_build, print_diagnostics
    from brokerlearn.errors import BuildFailed, UsageError

    started = time.perf_counter()
    try:
        result = run_build(courses_dir, out_dir, theme, strict, progress)
    except UsageError as exc:
        _fail_usage(str(exc))
    except BuildFailed as exc:
        print_diagnostics(exc.diagnostics)
        errors = len(exc.diagnostics.errors) or len(exc.diagnostics.warnings)
        click.echo(f"build failed: {errors} error(s); the previous output in {out_dir} is unchanged",
                   err=True)
        sys.exit(EXIT_AUTHOR_ERRORS)
    print_diagnostics(result.diagnostics)
    report = result.report
    pages = sum(1 for p in report.written + report.reused if p.endswith(".html"))
    click.echo(f"built {len(result.courses)} course(s), {pages} pages into {out_dir}/site "
               f"({len(report.written)} files written, {len(report.reused)} unchanged, "
               f"{len(result.diagnostics.warnings)} warning(s)) in {time.perf_counter() - started:.2f}s",
               err=True)


@main.command()
@click.argument("build_dir", default="build", type=click.Path(path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def serve(build_dir: Path, host: str, port: int) -> None:
    """Serve BUILD_DIR/site/ over HTTP (the static site; the learning server comes later)."""
    from brokerlearn.static_server import serve_static

    site = build_dir / "site"
    if not (site / "index.html").is_file():
        _fail_usage(f"no built site in {site}: run 'brokerlearn build' first")
    serve_static(site, host, port)


@main.group()
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
    from brokerlearn.errors import UsageError
    from brokerlearn.scaffold import scaffold_course

    try:
        root = scaffold_course(parent, name, title, language)
    except UsageError as exc:
        _fail_usage(str(exc))
    click.echo(f"created {root}; build it with: brokerlearn build {parent}")


if __name__ == "__main__":
    main()
