"""Which lessons teach each outcome of the profile, and which graded questions assess it.

A lesson teaches the outcomes it lists, and those its module lists (a module-level outcome is
taught by the module's lessons). A question assesses the outcomes it lists, only if its quiz is
graded: practice questions do not count for the certificate.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from brokerlearn.course.model import Course, Outcome


@dataclass
class Alignment:
    outcome: Outcome
    lessons: list = field(default_factory=list)  # (module, lesson)
    questions: list = field(default_factory=list)  # (quiz, question number, question)

    @property
    def graded_points(self) -> float:
        return sum(question.max_score for _, _, question in self.questions)


def align(course: Course) -> dict[str, Alignment]:
    table = {oid: Alignment(outcome) for oid, outcome in course.outcome_index().items()}
    for module in course.modules:
        for lesson in module.lessons:
            for oid in dict.fromkeys([*lesson.outcomes, *module.outcomes]):
                if oid in table:
                    table[oid].lessons.append((module, lesson))
    for quiz in course.quizzes.values():
        if not quiz.graded:
            continue
        for number, question in enumerate(quiz.questions, start=1):
            for oid in question.outcomes:
                if oid in table and question.max_score > 0:
                    table[oid].questions.append((quiz, number, question))
    return table

