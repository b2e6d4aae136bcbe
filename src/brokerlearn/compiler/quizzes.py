"""Quizzes in the public site: display data for the theme's quiz template.

Practice quizzes carry their key to the page (they are checked in the browser). Graded
quizzes are sealed: what reaches the page is built only from prompts and option texts, under
IDs keyed by the build's secret quiz key (`seal_course`), in an order drawn from that key
alone, so neither tells the answer or the author's order; the key goes to build/server/ alone.
"""
from __future__ import annotations

import hashlib
import hmac
import json

from brokerlearn.compiler.markdown import render_inline_markdown, render_markdown_line
from brokerlearn.course.grading import normalise_text
from brokerlearn.course.model import Course, Quiz
from brokerlearn.course.questions import Question, seal


def seal_course(course: Course, key: bytes) -> None:
    """Every quiz of the course gets sealed IDs and secret page shuffles (see questions.seal)."""
    for quiz in course.quizzes.values():
        for question in quiz.questions:
            seal(question, key, quiz.id)


def shuffled(ids: list[str], secret: bytes, purpose: str) -> list[str]:
    """`ids` in an order drawn from `secret` alone: sorted by a keyed hash of each ID. Without
    the secret, the order says nothing about the order the IDs came in."""
    return sorted(ids, key=lambda i: hmac.new(secret, f"{purpose}\x1f{i}".encode(), hashlib.sha256).digest())


def not_in_order(ids: list[str], secret: bytes, purpose: str) -> list[str]:
    """A keyed shuffle of `ids` that is never the given (correct) order: drawn again (with a
    new purpose) until it differs, so every other order is equally likely."""
    for attempt in range(100):
        order = shuffled(ids, secret, f"{purpose}/{attempt}")
        if len(ids) < 2 or order != ids:
            return order
    return ids[1:] + ids[:1]  # not reached for two items or more: 100 draws are never all the same


def _display_key(question: Question, seed: str) -> bytes:
    """The sealed question's secret; a practice question outside a quiz file (a ```quiz
    block, never sealed: its key is in the page anyway) uses a public one."""
    return question.display_key or hashlib.sha256(f"public\x1f{seed}".encode()).digest()


def question_view(question: Question, dom_id: str, seed: str, shuffle: bool) -> dict:
    """What the page shows of a question: never a correct flag, feedback or answer. Options
    in the author's order unless the quiz shuffles; order items never in the right order;
    the right column of a match in a keyed order (it may line up with the left: that says
    nothing either)."""
    secret = _display_key(question, seed)
    view = {"id": question.id, "dom_id": dom_id, "type": question.type, "points": question.points,
            "points_text": f"{question.points:g}",
            "prompt_html": render_markdown_line(question.prompt), "scored": question.scored}
    if question.options:
        order = [o.id for o in question.options]
        if shuffle:
            order = shuffled(order, secret, "options")
        texts = {o.id: o.text for o in question.options}
        view["options"] = [{"id": oid, "html": render_markdown_line(texts[oid])} for oid in order]
    if question.items:
        texts = {i.id: i.text for i in question.items}
        view["order_items"] = [{"id": iid, "text": texts[iid]}
                               for iid in not_in_order([i.id for i in question.items], secret, "items")]
    if question.pairs:
        view["lefts"] = [{"id": p.left_id, "text": p.left} for p in question.pairs]
        rights = {p.right_id: p.right for p in question.pairs}
        view["rights"] = [{"id": rid, "text": rights[rid]}
                          for rid in shuffled([p.right_id for p in question.pairs], secret, "rights")]
    return view


def practice_key(question: Question) -> dict:
    """What the browser needs to check a practice question, exactly as grading.grade does."""
    key = {"type": question.type, "points": question.points,
           "explanation_html": render_inline_markdown(question.explanation) if question.explanation else ""}
    if question.options:
        key["options"] = {o.id: {"correct": o.correct,
                                 "feedback_html": render_markdown_line(o.feedback) if o.feedback else ""}
                          for o in question.options}
    if question.type in ("truefalse", "numeric"):
        key["answer"], key["tolerance"] = question.answer, question.tolerance
    if question.type == "text":  # accepted answers as grading.normalise_text makes them
        key["accept"], key["pattern"] = sorted({normalise_text(a) for a in question.accept}), question.pattern
    if question.items:
        key["items"] = [i.id for i in question.items]
    if question.pairs:
        key["pairs"] = {p.left_id: p.right_id for p in question.pairs}
    return key


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
