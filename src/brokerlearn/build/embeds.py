"""Trusted HTML for `::: video NAME` and `::: quiz ID`, placed into lesson bodies after
sanitizing, plus the check that each named video or quiz exists."""
from __future__ import annotations

from html import escape

from brokerlearn.build.lessons import Embed
from brokerlearn.course.model import Course
from brokerlearn.course.schema_types import did_you_mean


def check_embed(course: Course, embed: Embed) -> str | None:
    """The error for an embed naming something that does not exist, or None."""
    if not embed.name:
        return None  # already reported while rendering
    if embed.kind == "video" and embed.name not in course.videos:
        return (f"unknown video '{embed.name}': add media/{embed.name}.mp4 with its sidecar "
                f"media/{embed.name}.yml{did_you_mean(embed.name, course.videos)}")
    if embed.kind == "quiz" and embed.name not in course.quizzes:
        return f"unknown quiz '{embed.name}'{did_you_mean(embed.name, course.quizzes)}"
    return None


def render_embed(course: Course, embed: Embed) -> str:
    if embed.kind == "video":
        return _video_placeholder(course, embed.name)
    return _quiz_placeholder(course, embed.name)


def _video_placeholder(course: Course, name: str) -> str:
    video = course.videos.get(name)
    if video is None:
        return ""
    side = video.sidecar
    return (f'<figure class="embed embed-video embed-pending">\n'
            f'<p class="embed-title">Video: {escape(side["title"] or name)}</p>\n'
            f'<p>The video player is not built yet: this case study will play here once the '
            f'media pipeline is in place.</p>\n'
            f'<figcaption>{escape(side["license"] or "")} · {escape(side["attribution"] or "")}</figcaption>\n'
            f'</figure>\n')


def _quiz_placeholder(course: Course, quiz_id: str) -> str:
    quiz = course.quizzes.get(quiz_id)
    if quiz is None:
        return ""
    count = len(quiz.data["questions"] or [])
    kind = "Graded quiz" if quiz.mode == "graded" else "Practice quiz"
    return (f'<section class="embed embed-quiz embed-pending" aria-label="{escape(kind)}: {escape(quiz.title)}">\n'
            f'<p class="embed-title">{escape(kind)}: {escape(quiz.title)}</p>\n'
            f'<p>{count} question{"s" if count != 1 else ""}. Quizzes are not built yet: the '
            f'questions will appear here.</p>\n</section>\n')
