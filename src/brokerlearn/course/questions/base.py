"""What a question type is made of, and the helpers the types share.

A question type is one module of this package that holds `TYPE`, an instance of a
`QuestionType` subclass. It says, in one place: its keys in a quiz file (documented where
they are defined), how they are checked, how it fills the typed `Question`, how a response is
graded, what the page is given (`view`, `practice_key`, its template partial
`questions/<name>.html`), its browser grader (JavaScript source, assembled with the other
types' into the site's `question-types.js` by `browser.graders_script`), and what statistics
and xAPI need of it. `registry` finds the types; nothing else names one.
"""
from __future__ import annotations

import hashlib
import hmac
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Callable

from brokerlearn.course.questions.model import Question
from brokerlearn.course.schema_types import Field
from brokerlearn.course.yamlpos import Pos, YMap
from brokerlearn.errors import Diagnostics

MAX_TEXT = 2000  # longer answers are refused: an author's pattern must never run for long
_NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")


def N_(text: str) -> str:
    """Marks a word of a browser grader for the catalogs; the page translates it."""
    return text


class BadResponse(ValueError):
    """A response of the wrong shape: graded as wrong, with this plain reason."""


def normalise_text(text: str) -> str:
    """Case-, width- and whitespace-insensitive form of a typed answer."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def parse_number(value) -> float:
    """A number as typed: NFKC, any whitespace and a minus sign (U+2212) allowed, a decimal
    comma when there is no point, ASCII digits only. Not a finite number: BadResponse."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise BadResponse("a number is expected")
    if isinstance(value, str):
        text = "".join(unicodedata.normalize("NFKC", value).split()).replace("\u2212", "-")
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")  # a decimal comma, as written in German
        if not _NUMBER.fullmatch(text):
            raise BadResponse(f"'{value[:40]}' is not a number")
        value = text
    try:
        number = float(value)
    except OverflowError:  # an integer too large for a float (10**400)
        number = math.inf
    if not math.isfinite(number):
        raise BadResponse("not a number of a usable size")
    return number


def typed_text(response, empty: str = "type an answer") -> str:
    """A typed answer of a usable length, normalised; BadResponse otherwise."""
    if not isinstance(response, str):
        raise BadResponse(empty)
    if len(response) > MAX_TEXT:
        raise BadResponse(f"an answer of at most {MAX_TEXT} characters")
    return normalise_text(response)


class Checker:
    """Reports a question's mistakes at the position of the key they are about."""

    def __init__(self, data: YMap, diags: Diagnostics):
        self.data, self.diags, self.ok = data, diags, True

    def error(self, key: str | None, message: str) -> None:
        if key is None or key not in self.data:
            pos: Pos = self.data.pos
        elif isinstance(self.data.get(key), (list, dict)):
            pos = self.data.pos_of(key)  # a block list starts on the next line: point at its key
        else:
            pos = self.data.value_pos_of(key)
        self.diags.error(pos.path, pos.line, pos.col, message)
        self.ok = False


def shuffled(ids: list[str], secret: bytes, purpose: str) -> list[str]:
    """`ids` in an order drawn from `secret` alone: sorted by a keyed hash of each ID. Without
    the secret, the order says nothing about the order the IDs came in."""
    return sorted(ids, key=lambda i: hmac.new(secret, f"{purpose}\x1f{i}".encode(), hashlib.sha256).digest())


def not_in_order(ids: list[str], secret: bytes, purpose: str) -> list[str]:
    """A keyed shuffle of `ids` that is never the given (correct) order: drawn again (with a
    new purpose) until it differs, so every other order is equally likely."""
    for attempt in range(100):
        order = shuffled(ids, secret, f"{purpose}/{attempt}")
        if len(ids) < 2 or order != ids:
            return order
    return ids[1:] + ids[:1]  # not reached for two items or more: 100 draws are never all the same


@dataclass
class ViewContext:
    """What the compiler gives a type to make its page view: the question's display secret
    (page orders are drawn from it), whether the quiz shuffles options, and its Markdown."""

    secret: bytes
    shuffle: bool
    markdown_line: Callable[[str], str]
    inline_markdown: Callable[[str], str]


class QuestionType:
    name: str = ""
    position: int = 50  # where the format reference lists it
    summary: str = ""  # what the learner does, for the format reference
    scoring: str = "all or nothing"  # the share of the points earned, for the format reference
    rules: str = ""  # what the build checks beyond the keys' types, for the format reference
    example: str = ""  # one question as it is written in a quiz file; a test builds it
    keys: tuple[Field, ...] = ()
    response: str = ""  # the answer as the server receives it, for the API's documentation
    scored: bool = True
    interaction_type: str = "other"  # xAPI 1.0.3 Data 2.4.4.1
    # The browser grader: a JavaScript expression for an object with read(fieldset), the response
    # as the server receives it (null: not answered), and grade(key, response, lib), which gives
    # {share} or {error} exactly as `grade` does. `m` holds `messages`, `lib` quiz.js' helpers.
    browser: str = ""
    messages: dict[str, str] = {}  # the browser grader's words, marked with N_ for the catalogs

    @property
    def template(self) -> str:
        return f"questions/{self.name}.html"

    def key_names(self) -> set[str]:
        return {f.name for f in self.keys}

    def build(self, question: Question, data: YMap, scope: str, check: Checker) -> None:
        """Fill the type's part of `question` from the schema-checked `data`; report mistakes."""

    def grade(self, question: Question, response) -> tuple[float, list[dict]]:
        """The share of the points earned and per-option feedback; BadResponse for a bad shape."""
        raise NotImplementedError

    def view(self, question: Question, ctx: ViewContext) -> dict:
        """What the page shows beyond the prompt: never a correct flag, feedback or answer."""
        return {}

    def practice_key(self, question: Question, ctx: ViewContext) -> dict:
        """What the browser grader needs to grade a practice question as `grade` does."""
        return {}

    def graded_warning(self, question: Question) -> str | None:
        """A warning about this question in a graded quiz, or None."""
        return None

    def chosen_options(self, question: Question, response) -> list[str]:
        """The option IDs a response chose, for the item statistics."""
        return []

    def xapi_components(self, question: Question, lang: str) -> dict:
        """The interaction components of the xAPI definition (choices, source, target...)."""
        return {}

    def xapi_correct_responses(self, question: Question) -> list[str] | None:
        """xAPI's correctResponsesPattern for the question's key; None when it has none to give."""
        return None


def component(cid: str, text: str, lang: str) -> dict:
    return {"id": cid, "description": {lang: text}}
