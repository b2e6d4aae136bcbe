"""`match`: the learner matches each left item with a right one; partial credit per item."""
from __future__ import annotations

from brokerlearn.course.questions.base import N_, BadResponse, QuestionType, component, shuffled
from brokerlearn.course.questions.model import Pair, Question, opaque_id
from brokerlearn.course.schema_types import Field, ListOf, Text


class Match(QuestionType):
    name, position = "match", 70
    summary = "matches each item on the left with one on the right"
    response = "`{left id: right id}`"
    scoring = "share of left items matched to their right item"
    rules = "at least two pairs, each `[left, right]`; no two left and no two right sides the same"
    keys = (Field("pairs", ListOf(ListOf(Text())), "`[left, right]` pairs", default=None),)
    interaction_type = "matching"
    example = """\
- id: q-match             # [left, right] pairs; the right column is shown shuffled
  type: match
  prompt: Match each criterion with its question.
  pairs:
    - [Fit, Does the offer match the need?]
    - [Capacity, Can they commit people soon?]
    - [Trust signals, Have they worked with firms like this?]
"""
    messages = {"unanswered": N_("Choose an answer.")}
    browser = """{
  read: function (fieldset) {
    var answer = {};
    fieldset.querySelectorAll("select[data-left]").forEach(function (s) { answer[s.getAttribute("data-left")] = s.value; });
    return answer;
  },
  grade: function (key, response, lib) {
    if (typeof response !== "object" || response === null || Array.isArray(response)) return { error: lib.t(m.unanswered) };
    var rights = Object.keys(key.pairs).map(function (left) { return key.pairs[left]; });
    var known = Object.keys(response).every(function (left) {
      var right = response[left];
      return lib.has(key.pairs, left) && (right === null || right === "" || (typeof right === "string" && rights.indexOf(right) >= 0));
    });
    if (!known) return { error: lib.t(m.unanswered) };
    var lefts = Object.keys(key.pairs), right = 0;
    lefts.forEach(function (left) { if (lib.has(response, left) && response[left] === key.pairs[left]) right++; });
    return { share: right / lefts.length };
  }
}"""

    def build(self, question, data, scope, check) -> None:
        pairs = data["pairs"] or []
        if len(pairs) < 2:
            check.error("pairs", "a match question needs at least two 'pairs'")
        for index, pair in enumerate(pairs):
            if len(pair) != 2:
                check.error("pairs", f"pair {index + 1} must be [left, right], not {len(pair)} values")
                return
        lefts, rights = [p[0].casefold() for p in pairs], [p[1].casefold() for p in pairs]
        if len(set(lefts)) < len(lefts) or len(set(rights)) < len(rights):
            check.error("pairs", "each left and each right side must be different from the others")
        question.pairs = [Pair(opaque_id("l", scope, l), l, opaque_id("r", scope, r), r) for l, r in pairs]

    def grade(self, question: Question, response):
        if not isinstance(response, dict):
            raise BadResponse("match every item on the left")
        lefts = {p.left_id for p in question.pairs}
        rights = {p.right_id for p in question.pairs}
        if not set(response) <= lefts or not all(v is None or (isinstance(v, str) and (v in rights or v == ""))
                                                 for v in response.values()):
            raise BadResponse("an item that is not part of this question")
        right_count = sum(response.get(p.left_id) == p.right_id for p in question.pairs)
        return right_count / len(question.pairs), []

    def view(self, question, ctx) -> dict:
        rights = {p.right_id: p.right for p in question.pairs}
        return {"lefts": [{"id": p.left_id, "text": p.left} for p in question.pairs],
                "rights": [{"id": rid, "text": rights[rid]}
                           for rid in shuffled([p.right_id for p in question.pairs], ctx.secret, "rights")]}

    def practice_key(self, question, ctx) -> dict:
        return {"pairs": {p.left_id: p.right_id for p in question.pairs}}

    def xapi_components(self, question: Question, lang: str) -> dict:
        return {"source": [component(p.left_id, p.left, lang) for p in question.pairs],
                "target": [component(p.right_id, p.right, lang) for p in question.pairs]}

    def xapi_correct_responses(self, question: Question) -> list[str] | None:
        return ["[,]".join(f"{p.left_id}[.]{p.right_id}" for p in question.pairs)]


TYPE = Match()
