"""The lints: things an author should fix before learners see them, each a warning with file,
line and column. compiler/checks.py lists them with every other check and runs them; each
function here yields (path, line, column, message) for one course."""
from __future__ import annotations

import functools
import re
from pathlib import Path

from brokerlearn.compiler.markdown import markdown_parser
from brokerlearn.course import decisions, onscreen, schema
from brokerlearn.course.media import CAPTION_SUFFIXES, IMAGE_SUFFIXES, VIDEO_SUFFIXES
from brokerlearn.course.model import Course
from brokerlearn.course.placeholders import PLACEHOLDERS, find_placeholders
from brokerlearn.course.yamlpos import load_yaml_file
from brokerlearn.errors import Diagnostics

WORDS_PER_MINUTE = 200
TOO_LONG = 2.0  # a lesson taking twice its stated minutes to read
IMAGE_MAX_BYTES = 1_000_000
IMAGE_MAX_PIXELS = 2400  # on the longer side: more than any page shows
_BARE_URL = re.compile(r"(?<![(<\"'])\bhttps?://[^\s)>\]]+")


def course_files(course: Course) -> list[Path]:
    files = [course.root / "course.yml"]
    for module in course.modules:
        files += [module.folder / "module.yml", *(lesson.source for lesson in module.lessons),
                  *(quiz.path for quiz in module.quizzes)]
    return [path for path in files if path.is_file()]


def placeholders(course: Course):
    for path in course_files(course):
        for line, col, text in find_placeholders(path.read_text(encoding="utf-8", errors="replace")):
            yield path, line, col, (f"'{text}' is placeholder text from 'brokerlearn new': replace it with "
                                    f"{PLACEHOLDERS[text]}")


def _parsed_lessons(course: Course):
    """(lesson, its Markdown tokens) for the lints that read tokens; each body is parsed once."""
    return [(lesson, _tokens(lesson.body)) for _, lesson in course.lessons()]


@functools.lru_cache(maxsize=512)
def _tokens(body: str) -> list:
    return markdown_parser().parse(body)


def _line(lesson, token) -> int:
    return (token.map[0] + lesson.body_line) if token.map else lesson.body_line


def skipped_heading_levels(course: Course):
    for lesson, tokens in _parsed_lessons(course):
        previous_level = 1  # the lesson title is the page's h1
        for token in tokens:
            if token.type == "heading_open":
                level = int(token.tag[1])
                if level > previous_level + 1:
                    yield lesson.source, _line(lesson, token), 1, (
                        f"heading level skips from h{previous_level} to h{level}: use {'#' * (previous_level + 1)} here")
                previous_level = level


def bare_urls(course: Course):
    for lesson, tokens in _parsed_lessons(course):
        body_lines = lesson.body.splitlines()
        for token in tokens:
            if token.type != "inline" or not token.children:
                continue
            line, inside_link = _line(lesson, token), 0
            for child in token.children:
                if child.type == "link_open":
                    inside_link += 1
                elif child.type == "link_close":
                    inside_link -= 1
                elif child.type == "text" and not inside_link:
                    for match in _BARE_URL.finditer(child.content):
                        column = _column(body_lines, line - lesson.body_line + 1, match.group(0))
                        yield lesson.source, line, column, (f"a web address written as plain text: make it a "
                                                            f"link, e.g. [describe it]({match.group(0)})")


def long_lessons(course: Course):
    for _, lesson in course.lessons():
        words = len(re.findall(r"\w+", lesson.body))
        if lesson.minutes_declared and words / WORDS_PER_MINUTE > TOO_LONG * lesson.minutes_declared:
            yield lesson.source, 1, 1, (f"the lesson has {words} words, about {round(words / WORDS_PER_MINUTE)} "
                                        f"minutes of reading, far more than its 'minutes: {lesson.minutes_declared}'")


def _column(lines: list[str], line: int, needle: str) -> int:
    if 0 < line <= len(lines) and needle in lines[line - 1]:
        return lines[line - 1].index(needle) + 1
    return 1


def missing_explanations(course: Course):
    for quiz in course.quizzes.values():
        items = quiz.data["questions"]
        for index, question in enumerate(quiz.questions):
            data = (items or [])[index]
            pos = items.pos_at(index) if hasattr(items, "pos_at") else None
            if question.scored and not question.explanation:
                yield quiz.path, pos.line if pos else 1, pos.col if pos else 1, (
                    f"question '{data.get('id')}' has no explanation: learners who got it wrong need to know why")


def _referenced(course: Course) -> str:
    texts = [lesson.body for _, lesson in course.lessons()]  # already read by the loader
    texts += [str(course.summary or "")]
    return "\n".join(texts)


def unused_media(course: Course):
    used_text = _referenced(course)
    embedded_videos = set(re.findall(r"^:::\s*video\s+([\w.-]+)", used_text, re.M))
    media_dir = course.root / "media"
    for path in course.media_files:
        suffix = path.suffix.lower()
        relative = path.relative_to(media_dir).as_posix()
        if suffix in VIDEO_SUFFIXES:
            video = course.videos.get(path.stem)
            if path.stem not in embedded_videos and not (video and video.branch_of):  # a branch plays in its video
                yield path, 1, 1, f"video '{path.stem}' is not used by any lesson (::: video {path.stem})"
        elif suffix not in CAPTION_SUFFIXES and suffix not in (".yml", ".yaml") and relative not in used_text:
            yield path, 1, 1, f"media file '{relative}' is not used by any lesson"


def heavy_images(course: Course):
    for path in course.media_files:
        if path.suffix.lower() in IMAGE_SUFFIXES:
            yield from _heavy_image(path)


def _heavy_image(path: Path):
    size = path.stat().st_size
    if size > IMAGE_MAX_BYTES:
        yield path, 1, 1, f"image of {size / 1e6:.1f} MB: too large for the web, aim for under 1 MB"
    if path.suffix.lower() == ".svg":
        return
    try:
        from PIL import Image
        with Image.open(path) as image:
            width, height = image.size
    except Exception:  # not an image Pillow reads: the browser may still; say nothing
        return
    if max(width, height) > IMAGE_MAX_PIXELS:
        yield path, 1, 1, (f"image of {width}x{height} pixels: scale it to at most {IMAGE_MAX_PIXELS} pixels "
                           "on the longer side")


def storyboards(course: Course):
    """A storyboard's scenes: what is shown is said or described (WCAG 1.2.5), and its decisions
    are sound. What `brokerlearn video render` would refuse is a warning here: the build reads
    the rendered video, not the storyboard."""
    for path in sorted((course.root / "storyboards").glob("*.y*ml")):
        found = Diagnostics()
        data = load_yaml_file(path, found)
        values = schema.STORYBOARD.validate(data, found) if isinstance(data, dict) else None
        if values is not None and not found.errors:
            decisions.check_storyboard(values, path, found)
            onscreen.check_storyboard(values, path, found)
        for problem in found.errors + found.warnings:
            yield problem.path, problem.line, problem.col, problem.message
