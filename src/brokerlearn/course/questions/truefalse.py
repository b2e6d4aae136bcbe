"""`truefalse`: the learner says whether a statement is true."""
from __future__ import annotations

from brokerlearn.course.questions.base import N_, BadResponse, QuestionType
from brokerlearn.course.questions.model import Question
from brokerlearn.course.schema_types import Anything, Field


class TrueFalse(QuestionType):
    name, position = "truefalse", 30
    summary = "says whether the prompt is true or false"
    response = "`true` or `false`"
    rules = "`answer` is `true` or `false`"
    keys = (Field("answer", Anything(), "`true` or `false`", default=None),)
    interaction_type = "true-false"
    example = """\
- id: q-truefalse
  type: truefalse
  prompt: A first meeting should end with a date for the next step.
  answer: true
"""
    messages = {"unanswered": N_("Choose true or false.")}
    browser = """{
  read: function (fieldset) {
    var chosen = fieldset.querySelector("input:checked");
    return chosen ? chosen.value === "true" : null;
  },
  grade: function (key, response, lib) {
    if (typeof response === "string" && /^\\s*(true|false)\\s*$/i.test(response)) response = response.trim().toLowerCase() === "true";
    if (typeof response !== "boolean") return { error: lib.t(m.unanswered) };
    return { share: response === key.answer ? 1 : 0 };
  }
}"""

    def build(self, question, data, scope, check) -> None:
        if not isinstance(data["answer"], bool):
            check.error("answer", "a truefalse question needs 'answer: true' or 'answer: false'")
        question.answer = data["answer"]

    def grade(self, question: Question, response):
        if isinstance(response, str) and response.strip().lower() in ("true", "false"):
            response = response.strip().lower() == "true"
        if not isinstance(response, bool):
            raise BadResponse("answer true or false")
        return (1.0 if response == question.answer else 0.0), []

    def practice_key(self, question, ctx) -> dict:
        return {"answer": question.answer}

    def xapi_correct_responses(self, question: Question) -> list[str] | None:
        return ["true" if question.answer else "false"] if isinstance(question.answer, bool) else None


TYPE = TrueFalse()
