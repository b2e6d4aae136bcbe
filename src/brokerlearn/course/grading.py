"""Grading one response to one question: pure Python, shared by the server and the tests.

Each type grades in its own module (brokerlearn.course.questions.<type>); the share of the
points each earns is documented in docs/format-reference.md, generated from those modules.
The browser checks practice questions with the graders the same modules carry as JavaScript
(assembled into the site's _static/question-types.js); tests/data/grading_cases.json holds the
cases both must agree on. A response of the wrong shape, whatever it is, is a wrong answer
with a plain `error`, never an exception.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from brokerlearn.course.questions.base import MAX_TEXT, BadResponse, normalise_text, parse_number
from brokerlearn.course.questions.model import Question
from brokerlearn.course.questions.registry import question_type

__all__ = ["MAX_TEXT", "BadResponse", "GradeResult", "current_ids", "grade", "normalise_text", "parse_number"]


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


def grade(question: Question, response) -> GradeResult:
    try:
        share, feedback = question_type(question.type).grade(question, current_ids(question, response))
    except BadResponse as exc:
        return GradeResult(0.0, question.max_score, False if question.scored else None,
                           explanation=question.explanation, error=str(exc))
    if not question.scored:
        return GradeResult(0.0, 0.0, None, feedback, question.explanation)
    score = round(question.points * share, 6)
    return GradeResult(score, question.points, share >= 1.0, feedback, question.explanation)


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
