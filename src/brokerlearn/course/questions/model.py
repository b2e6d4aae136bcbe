"""The typed form of a question, the same for every type, with opaque stable IDs.

What a type means (its keys, checks, grading, page view) lives in its own module beside this
one (`single.py`, `cloze.py`, ...); `registry` finds them.

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
from dataclasses import asdict, dataclass, field, fields


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
    tags: list[str] = field(default_factory=list)  # the author's sorting words; never shown or scored
    # What a type needs that no field above holds (cloze: its texts and blanks), as JSON values.
    extra: dict = field(default_factory=dict)
    explanation_html: str | None = None  # rendered by the build, for the server's feedback
    former_ids: dict[str, str] = field(default_factory=dict)  # IDs of builds before sealing -> now
    # The secret this question's page shuffles are drawn from (set by `seal`; never written out).
    display_key: bytes | None = field(default=None, repr=False, compare=False)

    @property
    def scored(self) -> bool:
        from brokerlearn.course.questions.registry import question_type
        return question_type(self.type).scored

    @property
    def max_score(self) -> float:
        return self.points if self.scored else 0.0

    def to_json(self) -> dict:
        data = asdict(self)
        del data["display_key"]
        if not data["extra"]:
            del data["extra"]  # the types that need none write what they wrote before it existed
        if not data["tags"]:
            del data["tags"]  # likewise for untagged questions
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
