"""Quiz questions: the checked, typed form of a question, with opaque stable IDs.

Option, item and pair IDs name a thing by where it sits in the course (quiz and question)
and what it says, never by its position, so they say nothing about which answer is right.
The loader gives public IDs (a plain hash); the build then seals every quiz (`seal`): each
ID becomes an HMAC under the build's quiz key, which the public site never sees, and the
page's shuffles are drawn from that key too, so neither the IDs nor the order shown in the
page can be recomputed from what the page shows. With the same key, the IDs are the same
in every build (stored attempts keep their meaning).
"""
from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import asdict, dataclass, field, fields

from brokerlearn.course.patterns import pattern_problem

from brokerlearn.course.yamlpos import Pos, YMap
from brokerlearn.errors import Diagnostics

# Which keys each type uses; any other answer key on a question is a mistake worth reporting.
ANSWER_KEYS = {"options", "answer", "tolerance", "accept", "pattern", "items", "pairs"}
TYPE_KEYS = {
    "single": {"options"}, "multiple": {"options"}, "truefalse": {"answer"},
    "numeric": {"answer", "tolerance"}, "text": {"accept", "pattern"}, "order": {"items"},
    "match": {"pairs"}, "reflection": set(),
}


@dataclass
class Option:
    id: str
    text: str
    correct: bool
    feedback: str | None
    feedback_html: str | None = None  # rendered by the build, for the server's feedback


@dataclass
class Item:
    id: str
    text: str


@dataclass
class Pair:
    left_id: str
    left: str
    right_id: str
    right: str


@dataclass
class Question:
    id: str
    type: str
    prompt: str
    outcomes: list[str]
    points: float
    explanation: str | None
    options: list[Option] = field(default_factory=list)
    answer: object = None  # bool (truefalse) or float (numeric)
    tolerance: float = 0.0
    accept: list[str] = field(default_factory=list)
    pattern: str | None = None
    items: list[Item] = field(default_factory=list)  # order: the correct order
    pairs: list[Pair] = field(default_factory=list)  # match: the correct pairs
    explanation_html: str | None = None  # rendered by the build, for the server's feedback
    former_ids: dict[str, str] = field(default_factory=dict)  # IDs of builds before sealing -> now
    # The secret this question's page shuffles are drawn from (set by `seal`; never written out).
    display_key: bytes | None = field(default=None, repr=False, compare=False)

    @property
    def scored(self) -> bool:
        return self.type != "reflection"

    @property
    def max_score(self) -> float:
        return self.points if self.scored else 0.0

    def to_json(self) -> dict:
        data = asdict(self)
        del data["display_key"]
        return data

    @classmethod
    def from_json(cls, data: dict) -> "Question":
        known = {f.name for f in fields(cls)} - {"display_key"}
        data = {k: v for k, v in data.items() if k in known}  # a newer manifest's extra keys
        data["options"] = [Option(**o) for o in data.get("options", [])]
        data["items"] = [Item(**i) for i in data.get("items", [])]
        data["pairs"] = [Pair(**p) for p in data.get("pairs", [])]
        return cls(**data)


def opaque_id(prefix: str, *parts) -> str:
    """A public ID: a plain hash of where a thing is and what it says (never its position)."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()
    return prefix + digest[:10]


def keyed_id(key: bytes, prefix: str, *parts) -> str:
    """A sealed ID: the same, under the build's secret quiz key."""
    digest = hmac.new(key, "\x1f".join(str(p) for p in parts).encode(), hashlib.sha256).hexdigest()
    return prefix + digest[:10]


def seal(question: Question, key: bytes, scope: str) -> None:
    """Give `question` (of the quiz `scope`) its sealed IDs and the secret its page shuffles
    are drawn from. Keeps a map from the IDs builds gave before sealing existed (a hash of
    the correct position and the text), so answers stored then can still be read."""
    scope = f"{scope}/{question.id}"
    former: dict[str, str] = {}

    def new_id(prefix: str, index: int, text: str) -> str:
        sealed = keyed_id(key, prefix, scope, text)
        former[opaque_id(prefix, scope, index, text)] = sealed
        return sealed
    for index, option in enumerate(question.options):
        option.id = new_id("o", index, option.text)
    for index, item in enumerate(question.items):
        item.id = new_id("i", index, item.text)
    for index, pair in enumerate(question.pairs):
        pair.left_id, pair.right_id = new_id("l", index, pair.left), new_id("r", index, pair.right)
    question.former_ids = former
    question.display_key = hmac.new(key, f"display\x1f{scope}".encode(), hashlib.sha256).digest()


class _Checker:
    def __init__(self, data: YMap, diags: Diagnostics):
        self.data, self.diags, self.ok = data, diags, True

    def error(self, key: str | None, message: str) -> None:
        if key is None:
            pos: Pos = self.data.pos
        elif isinstance(self.data.get(key), (list, dict)):
            pos = self.data.pos_of(key)  # a block list starts on the next line: point at its key
        else:
            pos = self.data.value_pos_of(key)
        self.diags.error(pos.path, pos.line, pos.col, message)
        self.ok = False


def build_question(data: YMap, scope: str, diags: Diagnostics) -> Question | None:
    """Check a schema-validated question and give it its typed form, or None if it is wrong."""
    kind = data.get("type")
    if not data.get("id") or kind not in TYPE_KEYS:
        return None
    check = _Checker(data, diags)
    for key in sorted(ANSWER_KEYS - TYPE_KEYS[kind]):
        if data.get(key) not in (None, 0) or (key == "tolerance" and data.get(key)):
            check.error(key, f"'{key}' does not apply to a {kind} question")
    question = Question(data["id"], kind, data["prompt"] or "", list(data["outcomes"] or []),
                        float(data["points"] or 1), data["explanation"])
    scope = f"{scope}/{data['id']}"
    _TYPE_BUILDERS[kind](question, data, scope, check)
    return question if check.ok else None


def _choice(question: Question, data: YMap, scope: str, check: _Checker) -> None:
    options = data["options"]
    if not options:
        check.error(None, f"a {question.type} question needs 'options'")
        return
    question.options = [Option(opaque_id("o", scope, o["text"]), o["text"], bool(o["correct"]), o["feedback"])
                        for o in options]
    correct = sum(o.correct for o in question.options)
    texts = [o.text.strip().casefold() for o in question.options]
    if len(options) < 2:
        check.error("options", "give at least two options")
    if len(set(texts)) < len(texts):
        check.error("options", "two options have the same text")
    if question.type == "single" and correct != 1:
        check.error("options", f"a single-choice question needs exactly one option with "
                    f"'correct: true' (found {correct})")
    if question.type == "multiple" and correct == 0:
        check.error("options", "a multiple-choice question needs at least one option with 'correct: true'")


def _truefalse(question: Question, data: YMap, scope: str, check: _Checker) -> None:
    if not isinstance(data["answer"], bool):
        check.error("answer" if "answer" in data else None, "a truefalse question needs 'answer: true' or 'answer: false'")
    question.answer = data["answer"]


def _numeric(question: Question, data: YMap, scope: str, check: _Checker) -> None:
    answer = data["answer"]
    if isinstance(answer, bool) or not isinstance(answer, (int, float)) or not math.isfinite(answer):
        shown = "nothing" if answer is None else f"'{answer}'"
        check.error("answer" if "answer" in data else None, f"a numeric question needs a number as 'answer', not {shown}")
        return
    question.answer, question.tolerance = float(answer), float(data["tolerance"] or 0)


def _text(question: Question, data: YMap, scope: str, check: _Checker) -> None:
    accept, pattern = data["accept"], data["pattern"]
    if accept is not None and not accept:
        check.error("accept", "'accept' is empty: list at least one accepted answer")
    if not accept and pattern is None and accept is None:
        check.error(None, "a text question needs 'accept' (accepted answers) or 'pattern'")
    question.accept = list(accept or [])
    if pattern is not None:
        problem = pattern_problem(str(pattern))
        if problem:
            check.error("pattern", problem)
        question.pattern = str(pattern)


def _order(question: Question, data: YMap, scope: str, check: _Checker) -> None:
    items = data["items"] or []
    if len(items) < 2:
        check.error("items" if "items" in data else None, "an order question needs at least two 'items'")
    if len({i.casefold() for i in items}) < len(items):
        check.error("items", "two items have the same text")
    question.items = [Item(opaque_id("i", scope, text), text) for text in items]


def _match(question: Question, data: YMap, scope: str, check: _Checker) -> None:
    pairs = data["pairs"] or []
    if len(pairs) < 2:
        check.error("pairs" if "pairs" in data else None, "a match question needs at least two 'pairs'")
    for index, pair in enumerate(pairs):
        if len(pair) != 2:
            check.error("pairs", f"pair {index + 1} must be [left, right], not {len(pair)} values")
            return
    lefts, rights = [p[0].casefold() for p in pairs], [p[1].casefold() for p in pairs]
    if len(set(lefts)) < len(lefts) or len(set(rights)) < len(rights):
        check.error("pairs", "each left and each right side must be different from the others")
    question.pairs = [Pair(opaque_id("l", scope, l), l, opaque_id("r", scope, r), r) for l, r in pairs]


def _reflection(question: Question, data: YMap, scope: str, check: _Checker) -> None:
    pass


_TYPE_BUILDERS = {"single": _choice, "multiple": _choice, "truefalse": _truefalse, "numeric": _numeric,
                  "text": _text, "order": _order, "match": _match, "reflection": _reflection}
