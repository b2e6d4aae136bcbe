"""A ```quiz block: one practice question written in the lesson body itself, checked in the page.

Its ID is scoped to the lesson (the lesson's source key), so two lessons may use the same one.
"""
from __future__ import annotations

from brokerlearn.compiler.activities import Activity, Placement
from brokerlearn.compiler.quizzes import inline_question_view
from brokerlearn.course import schema
from brokerlearn.course.loader import build_questions, check_outcome_refs
from brokerlearn.course.yamlpos import load_yaml


def view(place: Placement) -> dict | None:
    diags, embed = place.diags, place.embed
    errors_before = len(diags.errors)
    data = load_yaml(embed.data, place.path, diags, line_offset=embed.line)
    if not isinstance(data, dict):
        if len(diags.errors) == errors_before:
            diags.error(place.path, embed.line, 1, "a ```quiz block holds one question: id, type, prompt, ...")
        return None
    values = schema.QUESTION.validate(data, diags)
    questions = build_questions([values], place.scope, False, diags)
    check_outcome_refs(place.course, [values], diags)
    if not questions or len(diags.errors) > errors_before:
        return None
    return {"quiz": inline_question_view(questions[0], place.index, place.scope)}


ACTIVITY = Activity(kind="question", fence="quiz", template="quiz.html", view=view, order=30,
                    reference="| one question | a fenced ` ```quiz ` block holding one question, checked in "
                              "the page (see [question types](#question-types-one-example-each)) |")
