"""`single`: the learner chooses one option; exactly one is right."""
from __future__ import annotations

from brokerlearn.course.questions.base import N_
from brokerlearn.course.questions.choice import ChoiceType
from brokerlearn.course.questions.model import Question


class Single(ChoiceType):
    name, position = "single", 10
    summary = "chooses one of the options"
    response = "an option id"
    rules = "exactly one option has `correct: true`; at least two options, no two with the same text"
    example = """\
- id: q-single            # exactly one option is correct
  type: single
  prompt: Which criterion is about people and time?
  options:
    - text: Fit
      feedback: Fit is about matching the need.
    - text: Capacity
      correct: true
  explanation: Capacity asks whether they can commit people soon.
"""
    messages = {"unanswered": N_("Choose an answer.")}
    browser = """{
  read: function (fieldset) {
    var chosen = fieldset.querySelector("input:checked");
    return chosen ? chosen.value : null;
  },
  grade: function (key, response, lib) {
    if (typeof response !== "string" || !lib.has(key.options, response)) return { error: lib.t(m.unanswered) };
    return { share: key.options[response].correct ? 1 : 0, chosen: [response] };
  }
}"""

    def check_correct(self, correct, check) -> None:
        if correct != 1:
            check.error("options", f"a single-choice question needs exactly one option with "
                        f"'correct: true' (found {correct})")

    def grade(self, question: Question, response):
        chosen = self.chosen(question, response)
        right = next(o.id for o in question.options if o.correct)
        return (1.0 if chosen == {right} else 0.0), self.feedback(question, chosen)


TYPE = Single()
