"""Which lessons teach each outcome of the profile, and which graded questions assess it.

A lesson teaches the outcomes it lists, and those its module lists (a module-level outcome is
taught by the module's lessons). A question assesses the outcomes it lists, only if its quiz is
graded: practice questions do not count for the certificate.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from brokerlearn.course.model import Course, Outcome
from brokerlearn.errors import Diagnostics


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


def check_alignment(course: Course, diags: Diagnostics) -> None:
    """An outcome nothing teaches, or no graded question assesses, cannot honestly be certified:
    a warning (an error with --strict), at the outcome in profile.yml."""
    if course.profile is None:
        return
    for oid, row in align(course).items():
        pos = row.outcome.pos
        if not row.lessons:
            diags.warning(pos.path, pos.line, pos.col,
                          f"outcome '{oid}' is taught by no lesson: list it under 'outcomes' of a lesson or module")
        if not row.questions:
            diags.warning(pos.path, pos.line, pos.col,
                          f"outcome '{oid}' is assessed by no graded question: list it under 'outcomes' "
                          f"of a question in a graded quiz")
