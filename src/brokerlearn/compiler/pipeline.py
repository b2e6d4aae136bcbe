"""`brokerlearn build`: load → validate → render Markdown → render theme → write atomically."""
from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from brokerlearn import __version__, i18n
from brokerlearn.compiler import checks, manifest, toolkit
from brokerlearn.compiler.cache import BuildCache
from brokerlearn.compiler.embeds import prepare_embeds
from brokerlearn.compiler.lessons import RenderedBody, render_body
from brokerlearn.compiler.links import LinkTargets, lesson_url, link_targets, source_key
from brokerlearn.compiler.output import PlannedFile, WriteReport, recover, write_output
from brokerlearn.compiler.parallel import in_worker, map_items
from brokerlearn.compiler.credits import credits_json, credits_json_url
from brokerlearn.compiler.outline import SCRIPT as OUTLINE_SCRIPT, LessonOutline
from brokerlearn.compiler.pages import (Page, assignment_places, body_html, catalog_page, course_page, credits_page,
                                    lesson_outline, lesson_pages, module_pages, packaged_context, qualification_page,
                                    quiz_places, search_page, toolkit_page)
from brokerlearn.compiler.progress import progress_bar
from brokerlearn.compiler.quizzes import seal_course
from brokerlearn.compiler.search import SearchIndex, body_sections
from brokerlearn.compiler.theme import Theme
from brokerlearn.compiler.video.player import published_files
from brokerlearn.compiler.video.renditions import VideoPipeline, encoder_preset, shared_cache
from brokerlearn.course.media import PUBLISHED_SUFFIXES
from brokerlearn.course.kept import KeptCourses
from brokerlearn.course.loader import load_courses
from brokerlearn.course.model import Course
from brokerlearn.course.questions.browser import graders_script
from brokerlearn.errors import BuildFailed, Diagnostics

RENDERER_VERSION = f"{__version__}-2"


@dataclass
class BuildResult:
    courses: list[Course]
    diagnostics: Diagnostics
    report: WriteReport
    rendered_bodies: list[str] = field(default_factory=list)  # lessons whose Markdown was rendered

    @property
    def pages_written(self) -> list[str]:
        return [p for p in self.report.written if p.endswith(".html")]


@contextlib.contextmanager
def _fewer_collections():
    """Run the garbage collector's youngest generation every 50,000 new objects, not 700.

    A build allocates millions of objects that live until its end (the courses, the cache's
    state, the rendered bodies) and makes little cyclic garbage; with the default threshold the
    collector walked them again and again: a quarter of a rebuild with nothing changed on 2,000
    lessons (0.54 -> 0.40 CPU s with the collector off, 0.44 at 50,000; bench/README.md). The
    thresholds are restored after the build (the preview builds in a process that goes on)."""
    before = gc.get_threshold()
    gc.set_threshold(50_000, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


@_fewer_collections()
def build(courses_dir: Path, out_dir: Path, theme_dir: Path | None = None, strict: bool = False,
          show_progress: bool | None = None, preview: bool | str = False,
          media_cache: Path | None = None, video_preset: str | None = None,
          kept: KeptCourses | None = None, jobs: int | None = None) -> BuildResult:
    """Build the site into OUT/site and the server manifests into OUT/server. `preview` builds
    for `brokerlearn preview` only: graded quizzes are marked in the page (never publish it).
    `preview="package"` builds for a SCORM package (build/scorm.py): graded quizzes are marked in
    the page as assessments, and pages do not link to the site's catalog, which is not packaged.
    `media_cache` is a folder of video renditions that builds share (default:
    BROKERLEARN_MEDIA_CACHE, else OUT/.cache/media/ of this build alone). `video_preset` is
    x264's preset for the renditions (default: BROKERLEARN_VIDEO_PRESET, else veryfast). `kept`
    holds the courses loaded by the last build (the preview's), told which files changed since.
    `jobs` is how many processes render lessons and pages (default: one per core; 1: this
    process alone; compiler/parallel.py). The output is the same whatever the count."""
    diags = Diagnostics()
    theme = _theme(theme_dir, out_dir / ".cache" / "templates")  # a bad --theme: a usage error, before any work
    preset = encoder_preset(video_preset)  # as is an unknown preset
    cache = BuildCache(out_dir)
    courses = kept.load(diags, cache.lessons) if kept else load_courses(courses_dir, diags, cache.lessons)
    quiz_key = manifest.quiz_key(out_dir)
    for course in courses:  # graded quizzes' IDs and page order, keyed by the build's secret
        seal_course(course, quiz_key.encode())
    if not diags.errors:  # videos are converted once the course reads cleanly (cached by content)
        shared = shared_cache(media_cache)
        videos = VideoPipeline(shared or out_dir / ".cache" / "media", stats_path=out_dir / ".cache" / "media-sources.json",
                               shared=shared is not None, preset=preset)
        videos.process(courses, diags, show_progress)
        videos.prune(courses)
    rendered: list[str] = []
    bodies = {}
    for course in courses:
        bodies.update(_render_bodies(course, cache, diags, rendered, show_progress, theme, preview, jobs))
        course_checks(course, diags, "build", strict)
    _fail_if_errors(diags, strict)
    for path in recover(out_dir):
        cache.outputs.pop(path, None)
    plan = _plan(courses, bodies, theme, cache, preview == "package")
    key = f"{quiz_key}\n".encode()
    plan[manifest.QUIZ_KEY_FILE] = PlannedFile(_fingerprint("key", hashlib.sha256(key).hexdigest()), produce=lambda: key,
                                             private=True)
    cache.bodies.close()  # the page stage's workers open their own (compiler/body_store.py)
    with progress_bar(len(plan), "writing", show_progress) as bar:
        report = write_output(out_dir, plan, cache.outputs, bar, jobs)
    (out_dir / manifest.QUIZ_KEY_FILE).chmod(0o600)  # also a key file left by an older build
    cache.save({path: planned.fingerprint for path, planned in plan.items()},
               {lesson.content_hash for course in courses for _, lesson in course.lessons()})
    return BuildResult(courses, diags, report, rendered)


_THEMES: dict = {}


def _theme(theme_dir: Path | None, compiled_dir: Path) -> Theme:
    """The theme, with the templates it compiled in an earlier build of this process (the
    preview's) while none changed: compiling them is most of a one-lesson rebuild. A new
    process loads them compiled from `compiled_dir`, the build cache's."""
    theme = Theme(theme_dir, compiled_dir)
    key = (str(theme_dir), str(compiled_dir), theme.fingerprint)
    if key not in _THEMES:
        _THEMES.clear()
        _THEMES[key] = theme
    _THEMES[key].forget_fragments()  # they hold the previous build's pages' objects
    return _THEMES[key]


def _fail_if_errors(diags: Diagnostics, strict: bool) -> None:
    if diags.fail(strict):
        raise BuildFailed(diags)


def course_checks(course: Course, diags: Diagnostics, command: str, strict: bool = False) -> None:
    """The checks of a course once its lessons are rendered: compiler/checks.py lists them all
    and says which `build` and `check` run (the same courses pass both, with --strict too)."""
    checks.run(course, diags, checks.stages(command, strict))


def _body_key(lesson, targets_fingerprint: str, lang: str) -> str:
    """A rendered body depends on its file and on what its links can point to."""
    return _fingerprint(RENDERER_VERSION, targets_fingerprint, lesson.content_hash, lang, i18n.fingerprint())[:32]


def _render_bodies(course: Course, cache: BuildCache, diags: Diagnostics, rendered: list,
                   show_progress, theme: Theme, preview: bool = False, jobs: int | None = 1) -> dict:
    """Every lesson's body, from the cache or rendered now (on `jobs` processes, in order)."""
    targets = link_targets(course)
    fingerprint = targets.fingerprint()
    bodies = {}
    lessons = list(course.lessons())
    keys = {lesson.source: _body_key(lesson, fingerprint, course.language) for _, lesson in lessons}
    cached = {source: cache.get_body(key) for source, key in keys.items()}
    todo = [(module, lesson) for module, lesson in lessons if cached[lesson.source] is None]

    def render(item) -> tuple[RenderedBody, dict, list]:
        """The body, with its cache entry written and its analysis for the state. From a worker
        it comes back without its HTML, which its entry holds: the page stage reads it from
        there (`_segments`), so the main process never holds every lesson's HTML at once. In
        this process (a few lessons, or `jobs=1`) the body keeps it: no entry is read again."""
        module, lesson = item
        body = _render_lesson(course, module, lesson, targets)
        body.key = keys[lesson.source]
        sections = body_sections(body.segments)
        analysis = cache.write_entry(body.key, body, sections)
        if in_worker():
            body.segments = None
        return body, analysis, sections

    with progress_bar(len(lessons), f"{course.id}: lessons", show_progress) as bar:
        bar.update(len(lessons) - len(todo))
        if todo:
            cache.prepare_bodies()
        for (module, lesson), (body, analysis, sections) in zip(todo, map_items(render, todo, jobs, bar.update)):
            cache.record_body(body.key, analysis, sections)
            cached[lesson.source] = body
            rendered.append(str(lesson.source))
    for module, lesson in lessons:
        body = cached[lesson.source]
        body.rerender = functools.partial(_render_lesson, course, module, lesson, targets)
        bodies[lesson.source] = body
    _report(course, bodies, diags, theme, preview)
    return bodies


def _render_lesson(course, module, lesson, targets: LinkTargets) -> RenderedBody:
    return render_body(lesson.body, lesson.body_line, source_key(course, lesson.source),
                       lesson_url(course, module, lesson), targets, course.language)


def _report(course: Course, bodies: dict, diags: Diagnostics, theme: Theme, preview: bool = False) -> None:
    """Problems found while rendering, then checks that need every lesson rendered."""
    keys = {path: source_key(course, path) for path in bodies}
    by_key = {key: bodies[path] for path, key in keys.items()}  # a page's anchors: only those linked to are asked
    for path, body in bodies.items():
        for level, line, col, message in body.problems:
            diags.add(path, line, col, level, message)
        for ref in body.anchor_refs:
            target = by_key.get(ref.page_key)
            if target is None or ref.anchor not in target.anchors:
                where = "this lesson" if ref.page_key == keys[path] else ref.page_key
                diags.error(path, ref.line, ref.col, f"no heading with the anchor '#{ref.anchor}' in {where}")
        body.embed_html = prepare_embeds(course, path, keys[path], body, theme, diags, preview)


def _plan(courses: list[Course], bodies: dict, theme: Theme, cache: BuildCache,
          package: bool = False) -> dict[str, PlannedFile]:
    plan: dict[str, PlannedFile] = {}
    pages: list[Page] = [catalog_page(courses)] if courses else []
    for course in courses:
        outline = lesson_outline(course, bodies)  # the lesson pages' and their shared outline.js
        plan[f"site/{course.id}/{OUTLINE_SCRIPT}"] = _planned_outline(outline)
        pages += [course_page(course, bodies), *module_pages(course, bodies), *lesson_pages(course, bodies, outline)]
        qualification = qualification_page(course, bodies)
        if qualification:
            pages.append(qualification)
        toolkit = toolkit_page(course, bodies)
        if toolkit:
            pages.append(toolkit)
        pages += [search_page(course), credits_page(course)]
        index = SearchIndex(course, bodies, lambda body: _search_sections(body, cache))
        plan[f"site/{course.id}/search-index.js"] = _planned_bytes(index.script())
        for url, part in index.parts.items():
            plan[f"site/{course.id}/{url}"] = PlannedFile(_fingerprint("search", part.fingerprint), produce=part.script)
        _plan_media(course, plan)
        _plan_toolkit(course, plan)
        plan[f"site/{credits_json_url(course)}"] = _planned_bytes(credits_json(course))
        plan[f"server/{course.id}.json"] = _planned_manifest(manifest.course_manifest(
            course, quiz_places(course, bodies), assignment_places(course, bodies)))
    for page in pages:
        plan[f"site/{page.url}"] = _planned_page(page, theme, cache, package)
    for relpath, path in theme.static_files().items():
        plan[f"site/_static/{relpath}"] = _planned_copy(path)
    plan["site/_static/question-types.js"] = _planned_bytes(graders_script().encode())  # the types' browser graders
    return plan


def _plan_media(course: Course, plan: dict) -> None:
    """Images, audio and documents under media/ are published; videos as their web renditions."""
    for path in course.media_files:
        if path.suffix.lower() not in PUBLISHED_SUFFIXES:
            continue  # videos, captions and sidecars: published by the video pipeline, or not at all
        # A link inside the course folder is published as its target; the copy never follows one.
        plan[f"site/{course.id}/{source_key(course, path)}"] = _planned_copy(path.resolve())
    for video in course.videos.values():
        for relpath, content in published_files(course, video).items():
            plan[f"site/{relpath}"] = (_planned_bytes(content.encode()) if isinstance(content, str)
                                       else _planned_copy(content))


def _plan_toolkit(course: Course, plan: dict) -> None:
    """Each tool's downloads (compiler/toolkit.py), built only when the tool or the course's credit changed."""
    for tool in course.tools.values():
        key = toolkit.fingerprint(course, tool)
        for download in toolkit.downloads(course, tool):
            plan[f"site/{download.url}"] = PlannedFile(
                _fingerprint("tool", key, download.format),
                produce=functools.partial(toolkit.produce, course, tool, download.format))


def _fingerprint(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def _planned_page(page: Page, theme: Theme, cache: BuildCache, package: bool = False) -> PlannedFile:
    inputs = page.fingerprint or json.dumps(page.context, sort_keys=True)
    fingerprint = _fingerprint(theme.fingerprint, page.template, inputs, "package" if package else "site")

    def produce() -> bytes:
        context = dict(page.get_context())
        if package:
            context = packaged_context(context)
        if page.body is not None:
            context["body_html"] = body_html(_segments(page.body, cache), context["embeds"])
        return theme.render(page.template, context).encode("utf-8")
    return PlannedFile(fingerprint, produce=produce)


def _segments(body: RenderedBody, cache: BuildCache) -> list:
    """A body's HTML, from its cache entry (rendered again if that is damaged). Not kept on the
    body: a page-stage worker renders hundreds of pages and would keep all their HTML."""
    if body.segments is not None:
        return body.segments
    return cache.segments(body.key) or body.rerender().segments


def _search_sections(body: RenderedBody, cache: BuildCache) -> list:
    """From the cache; a body whose entry is missing gives its sections again."""
    sections = cache.search_sections(body.key)
    return body_sections(_segments(body, cache)) if sections is None else sections


def _planned_copy(path: Path) -> PlannedFile:
    stat = path.stat()
    return PlannedFile(_fingerprint("copy", str(path), str(stat.st_size), str(stat.st_mtime_ns)), copy_from=path)


def _planned_manifest(data: dict) -> PlannedFile:
    """Fingerprinted by its compact form (the C encoder); written indented only when it changed:
    an indented dump takes the encoder's slow path, noticeable on thousands of lessons."""
    compact = json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
    return PlannedFile(_fingerprint("manifest", hashlib.sha256(compact).hexdigest()),
                       produce=lambda: json.dumps(data, indent=1, sort_keys=True).encode())


def _planned_outline(outline: LessonOutline) -> PlannedFile:
    """Fingerprinted by the outline's inputs: the outline is made only when the file changed."""
    return PlannedFile(_fingerprint("outline", outline.inputs), produce=lambda: outline.script)


def _planned_bytes(data: bytes) -> PlannedFile:
    return PlannedFile(_fingerprint("bytes", hashlib.sha256(data).hexdigest()), produce=lambda: data)


def print_diagnostics(diags: Diagnostics, stream=None) -> None:
    """To standard error as it is at the call (a default bound at import would keep an old one)."""
    for diagnostic in diags.sorted():
        print(diagnostic.format(Path.cwd()), file=stream or sys.stderr)


def check(courses_dir: Path, theme_dir: Path | None = None) -> tuple[list[Course], Diagnostics]:
    """Everything the build would reject, plus the linter's warnings, without writing a site.

    Videos are probed (a corrupt file is an error) but not converted."""
    import tempfile

    diags = Diagnostics()
    theme = Theme(theme_dir)
    with tempfile.TemporaryDirectory(prefix="brokerlearn-check-") as scratch:
        cache = BuildCache(Path(scratch))
        courses = load_courses(courses_dir, diags, cache.lessons)
        for course in courses:
            _render_bodies(course, cache, diags, [], False, theme)
            course_checks(course, diags, "check")
    return courses, diags
