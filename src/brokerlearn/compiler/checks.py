"""Every check of a course, in one list with its severity, for `brokerlearn build` and
`brokerlearn check` alike.

A course is accepted when no check reports an error; with --strict, when no check reports
anything: warnings are errors (Diagnostics.fail holds that rule). Both commands run the same
checks, so `build --strict` and `check --strict` accept the same courses, and so do `build` and
`check` without it. Where a check runs:

* READ and RENDER: while the course is read (course/) or its lessons rendered (compiler/), in the
  module named, because that is where the problem is seen. Listed here with their severity;
  tests/test_strict.py holds the list and those modules together.
* COURSE: on the loaded and rendered course, by this module (`run`).
* LINT: as COURSE, warnings only, each about something an author should fix before learners see
  it. `build` without --strict skips them (warnings cannot fail it, and they parse every
  lesson again); `check`, and `build --strict`, run them.
* VIDEO: `check` probes each video here; `build` converts it instead (compiler/video/), which
  reports the same error for a video that cannot be read.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from brokerlearn.compiler import lint
from brokerlearn.compiler.links import remote_images, source_key
from brokerlearn.course.alignment import align
from brokerlearn.course.media import IMAGE_SUFFIXES, unpublishable_reason
from brokerlearn.course.model import Course
from brokerlearn.course.svgcheck import unsafe_svg_reason
from brokerlearn.errors import ERROR, WARNING, Diagnostics

READ, RENDER, COURSE, LINT, VIDEO = "read", "render", "course", "lint", "video"
Finding = tuple  # (path, line, column, message)


@dataclass(frozen=True)
class Check:
    name: str
    level: str  # ERROR or WARNING: what each finding of the check is
    stage: str
    what: str  # one line, for the authoring guide
    run: Callable[[Course], Iterable[Finding]] | None = None  # COURSE, LINT and VIDEO checks
    where: str = ""  # READ and RENDER checks: the module that reports it


# -- the checks run here -------------------------------------------------------------------------

def _unpublishable(course: Course):
    for path in course.media_files:
        if reason := unpublishable_reason(path):
            yield path, 1, 1, f"media file '{path.name}' not allowed: {reason}"


def _unsafe_svg(course: Course):
    for path in course.media_files:
        if path.suffix.lower() == ".svg" and not unpublishable_reason(path) and (reason := unsafe_svg_reason(path)):
            yield path, 1, 1, f"SVG image not allowed: {reason}"


def _image_without_licence(course: Course):
    for path in course.media_files:
        if path.suffix.lower() in IMAGE_SUFFIXES and path not in course.image_credits:
            relative = source_key(course, path)
            yield path, 1, 1, (f"image '{relative}' has no licence file: add {relative}.yml with license and "
                               "attribution (and title, source), so that its credit is shown")


def _remote_quiz_images(course: Course):
    """Quiz texts are not link-checked like lessons; an image from another host there is an
    error all the same (the sanitizer removes it in any case)."""
    for quiz in course.quizzes.values():
        for text, pos in _located_strings(quiz.data):
            for url in remote_images(text):
                yield pos.path, pos.line, pos.col, (f"image '{url}' is from another site: images must be files "
                                                    "of the course, under media/")


def _located_strings(data, pos=None):
    if isinstance(data, str):
        yield data, pos
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _located_strings(value, data.value_pos_of(key) if hasattr(data, "value_pos_of") else pos)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _located_strings(value, data.pos_at(index) if hasattr(data, "pos_at") else pos)


def _outcomes_without(what: str, advice: str):
    """A check that reports, at the outcome in profile.yml, each outcome of the profile whose
    alignment row has no `what` (lessons, questions): an outcome nothing teaches or assesses
    cannot honestly be certified."""
    def check(course: Course):
        if course.profile is None:
            return
        for oid, row in align(course).items():
            if not getattr(row, what):
                pos = row.outcome.pos
                yield pos.path, pos.line, pos.col, f"outcome '{oid}' is {advice}"
    return check


_untaught_outcomes = _outcomes_without("lessons", "taught by no lesson: list it under 'outcomes' of a lesson or module")
_unassessed_outcomes = _outcomes_without("questions", "assessed by no graded question: list it under 'outcomes' of a "
                                                      "question in a graded quiz")


def _unreadable_videos(course: Course):
    from brokerlearn import mediatools
    if not course.videos or _no_ffmpeg():
        return
    for video in course.videos.values():
        try:
            mediatools.probe(video.source)
        except mediatools.ProbeError as exc:
            yield video.source, 1, 1, f"video cannot be read: {exc}"


def _videos_unchecked(course: Course):
    if course.videos and (missing := _no_ffmpeg()):
        video = next(iter(course.videos.values()))
        yield video.source, 1, 1, missing


def _no_ffmpeg() -> str | None:
    """Why videos cannot be probed here (no ffmpeg), or None."""
    from brokerlearn import mediatools
    from brokerlearn.errors import UsageError
    try:
        mediatools.ffmpeg_exe()
    except UsageError as exc:
        return str(exc)
    return None


# -- the list ------------------------------------------------------------------------------------

CHECKS: tuple[Check, ...] = (
    # Read with the course (course/loader.py and the modules it uses).
    Check("format", ERROR, READ, "files the format reference does not allow: YAML syntax, unknown or missing "
          "keys, wrong types, duplicate or reserved IDs, unknown modules, lessons, quizzes and outcomes, "
          "questions whose options repeat, videos without captions or sidecar, links that leave the course "
          "folder", where="course/"),
    Check("lesson-not-listed", WARNING, READ, "a lesson file in a module folder that module.yml's 'lessons' "
          "leaves out (it is not built)", where="course/loader.py"),
    Check("two-item-order", WARNING, READ, "a graded question with two items, whose shuffled order gives the "
          "answer away", where="course/loader.py"),
    # Rendering the lessons (compiler/lessons.py, markdown.py, embeds.py, links.py).
    Check("lesson-markup", ERROR, RENDER, "containers and embeds that are unknown, unclosed or broken, a quiz block "
          "in a lesson that is not one question, a line a tab turned into code", where="compiler/lessons.py"),
    Check("links", ERROR, RENDER, "links and images that lead nowhere (a lesson, file or heading anchor that "
          "does not exist), images from another site, links with other schemes than http, https, mailto, tel",
          where="compiler/links.py"),
    Check("title-heading", WARNING, RENDER, "a # heading in a lesson (the title is the page's heading)",
          where="compiler/lessons.py"),
    Check("image-alt", WARNING, RENDER, "an image without alt text", where="compiler/lessons.py"),
    Check("tab-indent", WARNING, RENDER, "a tab in the indentation of a list or quote", where="compiler/markdown.py"),
    # On the whole course, here.
    Check("media-allowed", ERROR, COURSE, "a media file of a kind a browser runs (HTML, scripts, ...)",
          _unpublishable),
    Check("svg-safe", ERROR, COURSE, "an SVG image with script, event handlers or outside references",
          _unsafe_svg),
    Check("quiz-images", ERROR, COURSE, "an image from another site in a quiz", _remote_quiz_images),
    Check("image-licence", WARNING, COURSE, "an image without its licence file (IMAGE.yml)", _image_without_licence),
    Check("outcome-taught", WARNING, COURSE, "an outcome of the profile that no lesson teaches",
          _untaught_outcomes),
    Check("outcome-assessed", WARNING, COURSE, "an outcome of the profile that no graded question assesses",
          _unassessed_outcomes),
    Check("video-readable", ERROR, VIDEO, "a video ffmpeg cannot read", _unreadable_videos),
    Check("video-tools", WARNING, VIDEO, "videos that cannot be checked because ffmpeg is missing",
          _videos_unchecked),
    # Lints: things to fix before learners see them.
    Check("heading-levels", WARNING, LINT, "a heading level skipped (## then ####)", lint.skipped_heading_levels),
    Check("bare-url", WARNING, LINT, "a web address written as plain text, not as a link", lint.bare_urls),
    Check("lesson-length", WARNING, LINT, "a lesson far longer to read than its 'minutes'", lint.long_lessons),
    Check("explanation", WARNING, LINT, "a scored question without an explanation", lint.missing_explanations),
    Check("unused-media", WARNING, LINT, "a media file or video that no lesson uses", lint.unused_media),
    Check("image-weight", WARNING, LINT, f"an image over {lint.IMAGE_MAX_BYTES // 1_000_000} MB or over "
          f"{lint.IMAGE_MAX_PIXELS} pixels on its longer side", lint.heavy_images),
    Check("storyboard", WARNING, LINT, "a storyboard whose scene shows text its narration does not say and "
          "no description gives, an image not described, or a decision that does not hold together",
          lint.storyboards),
    Check("placeholder", WARNING, LINT, "placeholder text that 'brokerlearn new' wrote (\"Your Name\", ...)",
          lint.placeholders),
)


def run(course: Course, diags: Diagnostics, stages: Iterable[str]) -> None:
    """Run the checks of the given stages (COURSE, LINT, VIDEO) on a loaded, rendered course."""
    stages = set(stages)
    for check in CHECKS:
        if check.stage in stages:
            for path, line, col, message in check.run(course):
                diags.add(path, line, col, check.level, message)


def stages(command: str, strict: bool) -> tuple[str, ...]:
    """What `build` and `check` run here (the module docstring says why)."""
    if command == "check":
        return COURSE, LINT, VIDEO
    return (COURSE, LINT) if strict else (COURSE,)

