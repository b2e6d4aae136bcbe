"""`cloze` (fill in the blanks): a text with blanks; each blank's accepted answers are compared
as `text` compares them; partial credit per blank."""
from __future__ import annotations

import re

from brokerlearn.course.questions.base import N_, BadResponse, QuestionType, normalise_text, typed_text
from brokerlearn.course.questions.model import Question
from brokerlearn.course.schema_types import Field, Text

BLANK = re.compile(r"\[\[(.*?)\]\]", re.DOTALL)


class Cloze(QuestionType):
    name, position = "cloze", 80
    summary = "types the missing words into the blanks of a text"
    response = "a list of texts, one per blank"
    scoring = "share of the blanks filled in right"
    rules = "`cloze` has at least one blank, each with an accepted answer, and no `[[` or `]]` left over"
    keys = (Field("cloze", Text(), "The text with its blanks: `[[answer]]`, or `[[answer|another]]` "
                  "for several accepted answers", default=None),)
    interaction_type = "fill-in"
    example = """\
- id: q-cloze             # each [[blank]] lists its accepted answers, separated by |
  type: cloze
  points: 2
  prompt: Complete the rule for a first meeting.
  cloze: It ends with a [[date|day]] for the [[next step]].
"""
    messages = {"unanswered": N_("Fill in the blanks.")}
    browser = """{
  read: function (fieldset) {
    var values = Array.prototype.map.call(fieldset.querySelectorAll("input[data-blank]"), function (i) { return i.value; });
    return values.some(function (v) { return v.trim(); }) ? values : null;
  },
  grade: function (key, response, lib) {
    if (!Array.isArray(response) || response.length !== key.blanks.length ||
        !response.every(function (v) { return v === null || typeof v === "string"; })) return { error: lib.t(m.unanswered) };
    var given = response.map(function (v) { return lib.typedText(v || ""); });
    if (given.indexOf(null) >= 0 || !given.some(Boolean)) return { error: lib.t(m.unanswered) };
    var right = given.filter(function (g, i) { return key.blanks[i].indexOf(g) >= 0; }).length;
    return { share: right / key.blanks.length };
  }
}"""

    def build(self, question, data, scope, check) -> None:
        text = data["cloze"]
        if text is None:
            check.error(None, "a cloze question needs 'cloze': a text with at least one [[blank]]")
            return
        texts, blanks = BLANK.split(text)[::2], [[a.strip() for a in b.split("|") if a.strip()]
                                                 for b in BLANK.findall(text)]
        if not blanks:
            check.error("cloze", "'cloze' has no blank: mark each as [[answer]] or [[answer|another answer]]")
        for number, accepted in enumerate(blanks, start=1):
            if not accepted:
                check.error("cloze", f"blank {number} is empty: write [[answer]] or [[answer|another answer]]")
        if any("[[" in t or "]]" in t for t in texts):
            check.error("cloze", "a '[[' without its ']]' (or the other way round) in 'cloze'")
        question.extra = {"texts": texts, "blanks": blanks}

    def grade(self, question: Question, response):
        blanks = question.extra["blanks"]
        if (not isinstance(response, (list, tuple)) or len(response) != len(blanks)
                or not all(v is None or isinstance(v, str) for v in response)):
            raise BadResponse(f"fill in the {len(blanks)} blanks")
        given = [typed_text(v or "") for v in response]
        if not any(given):
            raise BadResponse("fill in the blanks")
        right = sum(g in {normalise_text(a) for a in accepted} for g, accepted in zip(given, blanks))
        return right / len(blanks), []

    def view(self, question, ctx) -> dict:
        return {"cloze_texts": question.extra["texts"]}

    def practice_key(self, question, ctx) -> dict:  # accepted answers as normalise_text makes them
        return {"blanks": [sorted({normalise_text(a) for a in accepted}) for accepted in question.extra["blanks"]]}

    def xapi_correct_responses(self, question: Question) -> list[str] | None:
        return ["[,]".join(accepted[0] for accepted in question.extra["blanks"])]


TYPE = Cloze()
