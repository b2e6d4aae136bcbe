"""Grading one response to one question: pure Python, shared by the server and the tests.

Partial credit (documented in docs/format-reference.md):
- multiple: (right options chosen − wrong options chosen) / number of right options, at least 0;
- order: share of item pairs placed in the right relative order;
- match: share of left items matched to their right item.
Every other type scores all or nothing; reflection is never scored.

The browser checks practice questions with the same rules (themes/default/static/quiz.js);
tests/data/grading_cases.json holds the cases both must agree on. A response of the wrong
shape, whatever it is, is a wrong answer with a plain `error`, never an exception.
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from itertools import combinations

from brokerlearn.course.patterns import pattern_matches
from brokerlearn.course.questions import Question

_NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")


@dataclass
class GradeResult:
    score: float
    max_score: float
    correct: bool | None  # None: not scored (reflection)
    feedback: list[dict] = field(default_factory=list)  # per chosen option: {option, text, correct}
    explanation: str | None = None
    error: str | None = None  # a response of the wrong shape: scored 0, said plainly

    def as_dict(self) -> dict:
        return {"score": self.score, "max_score": self.max_score, "correct": self.correct,
                "feedback": self.feedback, "explanation": self.explanation, "error": self.error}


class BadResponse(ValueError):
    pass


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


def grade(question: Question, response) -> GradeResult:
    try:
        share, feedback = _GRADERS[question.type](question, current_ids(question, response))
    except BadResponse as exc:
        return GradeResult(0.0, question.max_score, False if question.scored else None,
                           explanation=question.explanation, error=str(exc))
    if not question.scored:
        return GradeResult(0.0, 0.0, None, feedback, question.explanation)
    score = round(question.points * share, 6)
    return GradeResult(score, question.points, share >= 1.0, feedback, question.explanation)


def _option_feedback(question: Question, chosen: set[str]) -> list[dict]:
    """Per chosen option: its feedback as written and as the build rendered it (`html`)."""
    return [{"option": o.id, "text": o.feedback, "html": o.feedback_html, "correct": o.correct}
            for o in question.options if o.id in chosen]


def current_ids(question: Question, response):
    """The response with any option, item or pair ID of a build before sealing replaced by
    today's (question.former_ids), so answers stored or sent by an old page keep their meaning."""
    former = question.former_ids
    if not former:
        return response
    if isinstance(response, str):
        return former.get(response, response)
    if isinstance(response, (list, tuple)):
        return [former.get(v, v) if isinstance(v, str) else v for v in response]
    if isinstance(response, dict):
        return {former.get(k, k): (former.get(v, v) if isinstance(v, str) else v) for k, v in response.items()}
    return response


def _chosen_ids(question: Question, response, many: bool) -> set[str]:
    values = response if many else [response]
    if not isinstance(values, (list, tuple)) or not all(isinstance(v, str) for v in values):
        raise BadResponse("choose from the options")
    if not values:
        raise BadResponse("choose at least one option")
    known = {o.id for o in question.options}
    if not set(values) <= known:
        raise BadResponse("an option that is not part of this question")
    return set(values)


def _single(question: Question, response):
    chosen = _chosen_ids(question, response, many=False)
    right = next(o.id for o in question.options if o.correct)
    return (1.0 if chosen == {right} else 0.0), _option_feedback(question, chosen)


def _multiple(question: Question, response):
    chosen = _chosen_ids(question, response, many=True)
    right = {o.id for o in question.options if o.correct}
    share = max(0.0, (len(chosen & right) - len(chosen - right)) / len(right))
    return share, _option_feedback(question, chosen)


def _truefalse(question: Question, response):
    if isinstance(response, str) and response.strip().lower() in ("true", "false"):
        response = response.strip().lower() == "true"
    if not isinstance(response, bool):
        raise BadResponse("answer true or false")
    return (1.0 if response == question.answer else 0.0), []


def _numeric(question: Question, response):
    number = parse_number(response)
    # A tiny allowance so 0.1 + 0.2 style rounding never turns a right answer wrong.
    slack = question.tolerance + 1e-9 * max(1.0, abs(question.answer))
    return (1.0 if abs(number - question.answer) <= slack else 0.0), []


MAX_TEXT = 2000  # longer answers are refused: an author's pattern must never run for long


def _text(question: Question, response):
    if not isinstance(response, str):
        raise BadResponse("type an answer")
    if len(response) > MAX_TEXT:
        raise BadResponse(f"an answer of at most {MAX_TEXT} characters")
    given = normalise_text(response)
    if not given:
        raise BadResponse("type an answer")
    if given in {normalise_text(a) for a in question.accept}:
        return 1.0, []
    if question.pattern is not None and pattern_matches(question.pattern, response):
        return 1.0, []  # RE2: linear time, whatever the pattern
    return 0.0, []


def _order(question: Question, response):
    expected = [i.id for i in question.items]
    if (not isinstance(response, (list, tuple)) or not all(isinstance(v, str) for v in response)
            or sorted(response) != sorted(expected)):
        raise BadResponse("put every item in an order, each once")
    rank = {item: index for index, item in enumerate(response)}
    pairs = list(combinations(expected, 2))
    return sum(rank[a] < rank[b] for a, b in pairs) / len(pairs), []


def _match(question: Question, response):
    if not isinstance(response, dict):
        raise BadResponse("match every item on the left")
    lefts = {p.left_id for p in question.pairs}
    rights = {p.right_id for p in question.pairs}
    if not set(response) <= lefts or not all(v is None or (isinstance(v, str) and (v in rights or v == ""))
                                             for v in response.values()):
        raise BadResponse("an item that is not part of this question")
    right_count = sum(response.get(p.left_id) == p.right_id for p in question.pairs)
    return right_count / len(question.pairs), []


def _reflection(question: Question, response):
    if response is not None and not isinstance(response, str):
        raise BadResponse("write your reflection as text")
    return 0.0, []


_GRADERS = {"single": _single, "multiple": _multiple, "truefalse": _truefalse, "numeric": _numeric,
            "text": _text, "order": _order, "match": _match, "reflection": _reflection}
