"""Trusted HTML for what a lesson embeds: `::: video NAME`, `::: quiz ID` and ```quiz blocks.

It is placed into lesson bodies after sanitizing. Each embed is checked here, every build
(cheap), so an embed naming something that no longer exists is always an error.
"""
from __future__ import annotations

from pathlib import Path

from brokerlearn.compiler.lessons import Embed, RenderedBody
from brokerlearn.compiler.links import lesson_url
from brokerlearn.compiler.quizzes import inline_question_view, quiz_view
from brokerlearn.compiler.video.player import player_view
from brokerlearn.compiler.theme import Theme
from brokerlearn.course import schema
from brokerlearn.course.decisions import check_decision_times
from brokerlearn.course.loader import build_questions, check_outcome_refs, unknown_quiz_hint
from brokerlearn.course.model import Course
from brokerlearn.course.schema_types import did_you_mean
from brokerlearn.course.yamlpos import load_yaml
from brokerlearn.errors import Diagnostics


def prepare_embeds(course: Course, path: Path, scope: str, body: RenderedBody, theme: Theme,
                   diags: Diagnostics, preview: bool = False) -> list[str]:
    """The HTML of each embed of a lesson, in order; errors go to `diags`."""
    return [_prepare(course, path, scope, index, embed, theme, diags, preview)
            for index, embed in enumerate(body.embeds)]


def _prepare(course, path, scope, index, embed: Embed, theme, diags, preview: bool = False) -> str:
    if embed.kind == "question":
        return _inline_question(course, path, scope, index, embed, theme, diags)
    if not embed.name:
        return ""  # already reported while rendering
    if embed.kind == "video":
        if embed.name not in course.videos:
            diags.error(path, embed.line, embed.col, f"unknown video '{embed.name}': add media/{embed.name}.mp4 "
                        f"with its sidecar media/{embed.name}.yml{did_you_mean(embed.name, course.videos)}")
            return ""
        video = course.videos[embed.name]
        view = player_view(course, video, _page_url(course, path), index)
        if view:
            check_decision_times(video, view["duration"], video.sidecar.pos.path, diags)
        return theme.render("video.html", {"video": view, "lang": course.language}) if view else ""
    if embed.name not in course.quizzes:
        diags.error(path, embed.line, embed.col,
                    f"unknown quiz '{embed.name}'{did_you_mean(embed.name, course.quizzes)}"
                    f"{unknown_quiz_hint(course, embed.name)}")
        return ""
    return theme.render("quiz.html", {"quiz": quiz_view(course.quizzes[embed.name], index, preview),
                                      "lang": course.language})


def _inline_question(course, path, scope, index, embed: Embed, theme, diags) -> str:
    errors_before = len(diags.errors)
    data = load_yaml(embed.data, path, diags, line_offset=embed.line)
    if not isinstance(data, dict):
        if len(diags.errors) == errors_before:
            diags.error(path, embed.line, 1, "a ```quiz block holds one question: id, type, prompt, ...")
        return ""
    values = schema.QUESTION.validate(data, diags)
    questions = build_questions([values], scope, False, diags)
    check_outcome_refs(course, [values], diags)
    if not questions or len(diags.errors) > errors_before:
        return ""
    return theme.render("quiz.html", {"quiz": inline_question_view(questions[0], index, scope),
                                      "lang": course.language})


def _page_url(course: Course, path: Path) -> str:
    for module, lesson in course.lessons():
        if lesson.source == path:
            return lesson_url(course, module, lesson)
    return f"{course.id}/index.html"
