"""`multiple`: the learner chooses any number of options; partial credit."""
from __future__ import annotations

from brokerlearn.course.questions.base import N_
from brokerlearn.course.questions.choice import ChoiceType
from brokerlearn.course.questions.model import Question


class Multiple(ChoiceType):
    name, position, many = "multiple", 20, True
    summary = "chooses every right option"
    response = "a list of option ids"
    scoring = "(right options chosen − wrong options chosen) ÷ number of right options, never below 0"
    rules = "at least one option has `correct: true`; at least two options, no two with the same text"
    example = """\
- id: q-multiple          # at least one option is correct
  type: multiple
  points: 2
  prompt: Which belong in a first meeting's agenda?
  options:
    - text: What each side wants
      correct: true
    - text: A shared question
      correct: true
    - text: A detailed budget
"""
    messages = {"unanswered": N_("Choose at least one answer.")}
    browser = """{
  read: function (fieldset) {
    var chosen = Array.prototype.map.call(fieldset.querySelectorAll("input:checked"), function (i) { return i.value; });
    return chosen.length ? chosen : null;
  },
  grade: function (key, response, lib) {
    if (!Array.isArray(response) || !response.length || !response.every(function (id) {
      return typeof id === "string" && lib.has(key.options, id); })) return { error: lib.t(m.unanswered) };
    var chosen = response.filter(function (id, index) { return response.indexOf(id) === index; });
    var right = 0, wrong = 0, total = 0;
    Object.keys(key.options).forEach(function (id) { if (key.options[id].correct) total++; });
    chosen.forEach(function (id) { if (key.options[id].correct) right++; else wrong++; });
    return { share: Math.max(0, (right - wrong) / total), chosen: chosen };
  }
}"""

    def check_correct(self, correct, check) -> None:
        if correct == 0:
            check.error("options", "a multiple-choice question needs at least one option with 'correct: true'")

    def grade(self, question: Question, response):
        chosen = self.chosen(question, response)
        right = {o.id for o in question.options if o.correct}
        share = max(0.0, (len(chosen & right) - len(chosen - right)) / len(right))
        return share, self.feedback(question, chosen)


TYPE = Multiple()
