"""`text`: the learner types a short answer, compared with the accepted ones or a pattern."""
from __future__ import annotations

from brokerlearn.course.patterns import pattern_matches, pattern_problem
from brokerlearn.course.questions.base import N_, BadResponse, QuestionType, normalise_text, typed_text
from brokerlearn.course.questions.model import Question
from brokerlearn.course.schema_types import Field, ListOf, Text


class TextAnswer(QuestionType):
    name, position = "text", 50
    summary = "types a short answer"
    response = "text"
    rules = "`accept` or `pattern` is given; `accept` is not empty; `pattern` is a regular expression " \
            "both engines read alike (see below)"
    keys = (Field("accept", ListOf(Text()), "Accepted answers", default=None),
            Field("pattern", Text(), "Regular expression an answer may match instead", default=None))
    interaction_type = "fill-in"
    example = """\
- id: q-text              # compared case-, width- and whitespace-insensitively
  type: text
  prompt: Name the criterion about people and time.
  accept: [capacity, Kapazität]   # "KAPAZITÄT", "Strasse" for "Straße": both right
  pattern: "capacit(y|ies)"   # optional; must match the whole answer, case-insensitively
"""
    messages = {"unanswered": N_("Type an answer.")}
    browser = """{
  read: function (fieldset) { return fieldset.querySelector(".answer").value; },
  grade: function (key, response, lib) {
    var given = lib.typedText(response);
    if (!given) return { error: lib.t(m.unanswered) };
    if (key.accept.indexOf(given) >= 0) return { share: 1 };  /* the build normalised them */
    if (key.pattern !== null && key.pattern !== undefined && lib.patternMatches(key.pattern, response)) return { share: 1 };
    return { share: 0 };
  }
}"""

    def build(self, question, data, scope, check) -> None:
        accept, pattern = data["accept"], data["pattern"]
        if accept is not None and not accept:
            check.error("accept", "'accept' is empty: list at least one accepted answer")
        if accept is None and pattern is None:
            check.error(None, "a text question needs 'accept' (accepted answers) or 'pattern'")
        question.accept = list(accept or [])
        if pattern is not None:
            problem = pattern_problem(str(pattern))
            if problem:
                check.error("pattern", problem)
            question.pattern = str(pattern)

    def grade(self, question: Question, response):
        given = typed_text(response)
        if not given:
            raise BadResponse("type an answer")
        if given in {normalise_text(a) for a in question.accept}:
            return 1.0, []
        if question.pattern is not None and pattern_matches(question.pattern, response):
            return 1.0, []  # RE2: linear time, whatever the pattern
        return 0.0, []

    def practice_key(self, question, ctx) -> dict:  # accepted answers as normalise_text makes them
        return {"accept": sorted({normalise_text(a) for a in question.accept}), "pattern": question.pattern}

    def xapi_correct_responses(self, question: Question) -> list[str] | None:
        return list(question.accept) or None  # a regular expression pattern has no xAPI form


TYPE = TextAnswer()
