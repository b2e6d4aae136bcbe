"""`order`: the learner puts items in order; partial credit by pairs in the right order."""
from __future__ import annotations

from itertools import combinations

from brokerlearn.course.questions.base import N_, BadResponse, QuestionType, component, not_in_order
from brokerlearn.course.questions.model import Item, Question, opaque_id
from brokerlearn.course.schema_types import Field, ListOf, Text


class Order(QuestionType):
    name, position = "order", 60
    summary = "gives each item its position"
    response = "the item ids in order"
    scoring = "share of item pairs in the right relative order (one swap of neighbours in 4 items: 5/6)"
    rules = "at least two items, no two the same; in a graded quiz, only two items is a warning " \
            "(shown in the wrong order, they give the answer away)"
    keys = (Field("items", ListOf(Text()), "Items in their correct order", default=None),)
    interaction_type = "sequencing"
    example = """\
- id: q-order             # items listed in their correct order; shown shuffled
  type: order
  prompt: Put the agenda in order.
  items: [Presentations, Shared question, Next step]
"""
    messages = {"unanswered": N_("Give every item a different position.")}
    browser = """{
  read: function (fieldset) {
    var selects = Array.prototype.slice.call(fieldset.querySelectorAll("select[data-item]"));
    var positions = selects.map(function (s) { return s.value; });
    if (positions.some(function (p) { return !p; }) || new Set(positions).size !== positions.length) return null;
    return selects.slice().sort(function (a, b) { return a.value - b.value; })
      .map(function (s) { return s.getAttribute("data-item"); });
  },
  grade: function (key, response, lib) {
    if (!Array.isArray(response) || !response.every(function (v) { return typeof v === "string"; }) ||
        JSON.stringify(response.slice().sort()) !== JSON.stringify(key.items.slice().sort())) return { error: lib.t(m.unanswered) };
    var rank = {}, good = 0, total = 0;
    response.forEach(function (id, index) { rank[id] = index; });
    for (var a = 0; a < key.items.length; a++) {
      for (var b = a + 1; b < key.items.length; b++) {
        total++;
        if (rank[key.items[a]] < rank[key.items[b]]) good++;
      }
    }
    return { share: good / total };
  }
}"""

    def build(self, question, data, scope, check) -> None:
        items = data["items"] or []
        if len(items) < 2:
            check.error("items", "an order question needs at least two 'items'")
        if len({i.casefold() for i in items}) < len(items):
            check.error("items", "two items have the same text")
        question.items = [Item(opaque_id("i", scope, text), text) for text in items]

    def grade(self, question: Question, response):
        expected = [i.id for i in question.items]
        if (not isinstance(response, (list, tuple)) or not all(isinstance(v, str) for v in response)
                or sorted(response) != sorted(expected)):
            raise BadResponse("put every item in an order, each once")
        rank = {item: index for index, item in enumerate(response)}
        pairs = list(combinations(expected, 2))
        return sum(rank[a] < rank[b] for a, b in pairs) / len(pairs), []

    def view(self, question, ctx) -> dict:
        texts = {i.id: i.text for i in question.items}
        return {"order_items": [{"id": iid, "text": texts[iid]}
                                for iid in not_in_order([i.id for i in question.items], ctx.secret, "items")]}

    def practice_key(self, question, ctx) -> dict:
        return {"items": [i.id for i in question.items]}

    def graded_warning(self, question: Question) -> str | None:
        if len(question.items) == 2:
            return ("a graded question with two items shows them in the wrong order, which gives the answer "
                    "away: add a third")
        return None

    def xapi_components(self, question: Question, lang: str) -> dict:
        return {"choices": [component(i.id, i.text, lang) for i in question.items]}

    def xapi_correct_responses(self, question: Question) -> list[str] | None:
        return ["[,]".join(i.id for i in question.items)]


TYPE = Order()
