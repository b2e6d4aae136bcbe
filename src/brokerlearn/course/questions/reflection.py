"""`reflection`: the learner writes freely; kept, never scored."""
from __future__ import annotations

from brokerlearn.course.questions.base import N_, BadResponse, QuestionType
from brokerlearn.course.questions.model import Question


class Reflection(QuestionType):
    name, position = "reflection", 100
    summary = "writes freely; the text is kept for the learner"
    response = "text (kept, never marked)"
    scoring = "never scored"
    scored = False
    interaction_type = "long-fill-in"
    example = """\
- id: q-reflection        # free text kept for the learner, never scored
  type: reflection
  prompt: What will you do differently next time?
"""
    messages = {"unanswered": N_("Type an answer.")}
    browser = """{
  read: function (fieldset) { return fieldset.querySelector(".answer").value; },
  grade: function (key, response, lib) {
    if (response !== null && typeof response !== "string") return { error: lib.t(m.unanswered) };
    return { share: 0 };
  }
}"""

    def grade(self, question: Question, response):
        if response is not None and not isinstance(response, str):
            raise BadResponse("write your reflection as text")
        return 0.0, []


TYPE = Reflection()
