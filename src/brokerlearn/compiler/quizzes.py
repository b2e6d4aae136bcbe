"""Quizzes in the public site: display data for the theme's quiz template.

Practice quizzes carry their key to the page (they are checked in the browser). Graded
quizzes are sealed: what reaches the page is built only from prompts and option texts, under
IDs keyed by the build's secret quiz key (`seal_course`), in an order drawn from that key
alone, so neither tells the answer or the author's order; the key goes to build/server/ alone.
"""
from __future__ import annotations

import hashlib
import json

from brokerlearn.compiler.markdown import render_inline_markdown, render_markdown_line
from brokerlearn.course.model import Course, Quiz
from brokerlearn.course.questions import Question, question_type, seal
from brokerlearn.course.questions.base import ViewContext, not_in_order, shuffled

__all__ = ["inline_question_view", "not_in_order", "practice_key", "private_quiz", "question_view", "quiz_view",
           "seal_course", "shuffled"]


def seal_course(course: Course, key: bytes) -> None:
    """Every quiz of the course gets sealed IDs and secret page shuffles (see questions.seal)."""
    for quiz in course.quizzes.values():
        for question in quiz.questions:
            seal(question, key, quiz.id)


def _display_key(question: Question, seed: str) -> bytes:
    """The sealed question's secret; a practice question outside a quiz file (a ```quiz
    block, never sealed: its key is in the page anyway) uses a public one."""
    return question.display_key or hashlib.sha256(f"public\x1f{seed}".encode()).digest()


def _context(question: Question, seed: str, shuffle: bool) -> ViewContext:
    return ViewContext(_display_key(question, seed), shuffle, render_markdown_line, render_inline_markdown)


def question_view(question: Question, dom_id: str, seed: str, shuffle: bool) -> dict:
    """What the page shows of a question: never a correct flag, feedback or answer. Its type
    adds what it shows beyond the prompt (options in the author's order unless the quiz
    shuffles; order items never in the right order; a match's right column in a keyed order)
    and names the template partial that shows it."""
    kind = question_type(question.type)
    view = {"id": question.id, "dom_id": dom_id, "type": question.type, "template": kind.template,
            "points": question.points, "points_text": f"{question.points:g}",
            "prompt_html": render_markdown_line(question.prompt), "scored": question.scored}
    return {**view, **kind.view(question, _context(question, seed, shuffle))}


def practice_key(question: Question, seed: str = "") -> dict:
    """What the browser needs to check a practice question, exactly as grading.grade does."""
    key = {"type": question.type, "points": question.points, "scored": question.scored,
           "explanation_html": render_inline_markdown(question.explanation) if question.explanation else ""}
    return {**key, **question_type(question.type).practice_key(question, _context(question, seed, False))}


def quiz_view(quiz: Quiz, embed_index: int, preview: bool | str = False) -> dict:
    """With `preview` (brokerlearn preview only, never published), a graded quiz is marked in the
    page like a practice quiz, so that its author can try it. With `preview="package"` (a SCORM
    package, where no course server is), it is marked in the page as the module's assessment."""
    prefix = f"qz{embed_index}-{quiz.id}"
    questions = [question_view(q, f"{prefix}-{q.id}", f"{quiz.id}/{q.id}", quiz.data["shuffle"])
                 for q in quiz.questions]
    view = {"id": quiz.id, "dom_id": prefix, "title": quiz.title, "mode": quiz.mode,
            "graded": quiz.graded, "questions": questions, "max_score": quiz.max_score,
            "pass_mark": quiz.data["pass_mark"], "max_attempts": quiz.data["max_attempts"],
            "preview_of_graded": False, "in_package": False}
    if preview and quiz.graded:
        view.update(graded=False, mode="practice", preview_of_graded=True, in_package=preview == "package")
    if not view["graded"]:
        view["key_json"] = _json_for_script({q.id: practice_key(q) for q in quiz.questions})
    return view


def inline_question_view(question: Question, embed_index: int, scope: str) -> dict:
    """A ```quiz block: one practice question, checked in the page."""
    dom_id = f"qi{embed_index}-{question.id}"
    return {"id": f"inline-{embed_index}", "dom_id": dom_id, "title": None, "mode": "practice",
            "graded": False, "questions": [question_view(question, f"{dom_id}-q", f"{scope}/{question.id}", False)],
            "max_score": question.max_score, "pass_mark": None, "max_attempts": 0, "preview_of_graded": False,
            "in_package": False,
            "key_json": _json_for_script({question.id: practice_key(question)})}


def private_quiz(quiz: Quiz) -> dict:
    """The sealed key, for build/server/ only."""
    return {"id": quiz.id, "title": quiz.title, "mode": quiz.mode, "module": quiz.module_slug,
            "pass_mark": quiz.data["pass_mark"], "max_attempts": quiz.data["max_attempts"],
            "shuffle": quiz.data["shuffle"], "max_score": quiz.max_score,
            "questions": [_private_question(q) for q in quiz.questions]}


def _private_question(question: Question) -> dict:
    """The question with its feedback and explanation rendered as practice quizzes render
    them, so the server shows the learner HTML, not Markdown source."""
    for option in question.options:
        option.feedback_html = render_markdown_line(option.feedback) if option.feedback else None
    question.explanation_html = render_inline_markdown(question.explanation) if question.explanation else None
    return question.to_json()


def _json_for_script(data) -> str:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
