"""`numeric`: the learner types a number; right within a tolerance."""
from __future__ import annotations

import math

from brokerlearn.course.questions.base import N_, QuestionType, parse_number
from brokerlearn.course.questions.model import Question
from brokerlearn.course.schema_types import Anything, Field, Number


def _number(value: float) -> str:
    return f"{value:g}" if float(value).is_integer() else repr(float(value))


class Numeric(QuestionType):
    name, position = "numeric", 40
    summary = "types a number (a decimal comma is fine)"
    response = 'a number, or text such as `"24,5"`'
    rules = "`answer` is a number"
    keys = (Field("answer", Anything(), "the number", default=None),
            Field("tolerance", Number(0), "Allowed distance from the answer", default=0))
    interaction_type = "numeric"
    example = """\
- id: q-numeric           # right when |answer - response| <= tolerance (bounds included)
  type: numeric
  prompt: How many minutes does the agenda take?
  answer: 25
  tolerance: 0            # a decimal comma ("24,5") is accepted too
"""
    messages = {"unanswered": N_("Type a number.")}
    browser = """{
  read: function (fieldset) { return fieldset.querySelector(".answer").value; },
  grade: function (key, response, lib) {
    var number = lib.parseNumber(response);
    if (number === null) return { error: lib.t(m.unanswered) };
    var slack = key.tolerance + 1e-9 * Math.max(1, Math.abs(key.answer));
    return { share: Math.abs(number - key.answer) <= slack ? 1 : 0 };
  }
}"""

    def build(self, question, data, scope, check) -> None:
        answer = data["answer"]
        if isinstance(answer, bool) or not isinstance(answer, (int, float)) or not math.isfinite(answer):
            shown = "nothing" if answer is None else f"'{answer}'"
            check.error("answer", f"a numeric question needs a number as 'answer', not {shown}")
            return
        question.answer, question.tolerance = float(answer), float(data["tolerance"] or 0)

    def grade(self, question: Question, response):
        number = parse_number(response)
        # A tiny allowance so 0.1 + 0.2 style rounding never turns a right answer wrong.
        slack = question.tolerance + 1e-9 * max(1.0, abs(question.answer))
        return (1.0 if abs(number - question.answer) <= slack else 0.0), []

    def practice_key(self, question, ctx) -> dict:
        return {"answer": question.answer, "tolerance": question.tolerance}

    def xapi_correct_responses(self, question: Question) -> list[str] | None:
        if question.answer is None:
            return None
        answer, tolerance = float(question.answer), float(question.tolerance or 0)
        if not tolerance:
            return [_number(answer)]
        return [f"{_number(answer - tolerance)}[:]{_number(answer + tolerance)}"]


TYPE = Numeric()
