"""Assessed work counted into the qualification (issue 18, item 7): the learner's released
assignment results, per outcome beside the quiz scores, and where they stand on the assignments
a certificate requires.

Only released results count (AssignmentResult.released_at: FLOW18.md, step 7); a result exists
only when a trainer has graded (the trainer's grade is the grade of record). Per assignment the
best released result counts (the highest share of its points over the learner's attempts), as
the best attempt of a quiz does. A criterion's points count toward each outcome it is tied to
(the criterion's own outcomes, else the assignment's); comment-only criteria carry no points.

An outcome's score: its share of the graded quiz points (services.attempts.outcome_scores) and
its share of the rubric points of released results, mixed by the rule's `assessed_weight`
(profile.yml, certificate.requires); an outcome with only one of the two scores by that one. An
assignment counts toward an outcome once its result is released: before, the outcome is scored
by its quizzes alone, so a learner waiting for a trainer loses nothing meanwhile.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from brokerlearn.course.manifest import CourseManifest
from brokerlearn.course.profile import DEFAULT_ASSESSED_WEIGHT
from brokerlearn.server.models import AssignmentResult, Submission
from brokerlearn.server.services.attempts import outcome_scores as quiz_outcome_scores

EPSILON = 1e-9


def weight_of(course: CourseManifest) -> float:
    rule = course.certificate
    return rule.requires.assessed_weight if rule else DEFAULT_ASSESSED_WEIGHT


def released(db: Session, user_id: int, course_id: str) -> dict[str, AssignmentResult]:
    """Assignment ID -> the learner's best released result of it."""
    best: dict[str, AssignmentResult] = {}
    for row in db.scalars(select(AssignmentResult).where(
            AssignmentResult.user_id == user_id, AssignmentResult.course_id == course_id,
            AssignmentResult.released_at.is_not(None)).order_by(AssignmentResult.graded_at, AssignmentResult.id)):
        current = best.get(row.assignment_id)
        if current is None or share(row) > share(current) + EPSILON:
            best[row.assignment_id] = row
    return best


def share(result: AssignmentResult) -> float:
    return (result.score or 0.0) / result.max_score if result.max_score else 0.0


def criterion_outcomes(course: CourseManifest, result: AssignmentResult, criterion: dict) -> list[str]:
    """The outcomes a criterion of a stored result counts toward: its own, else its assignment's."""
    own = [str(o) for o in criterion.get("outcomes") or []]
    if own:
        return own
    assignment = course.assignments.get(result.assignment_id)
    return list(assignment.outcomes) if assignment else []


def assessed_points(course: CourseManifest, results: dict[str, AssignmentResult]) -> dict[str, tuple[float, float]]:
    """Outcome -> (points earned, points possible) over the released results' criteria."""
    points: dict[str, tuple[float, float]] = {}
    for result in results.values():
        for criterion in result.criteria or []:
            top = float(criterion.get("max") or 0)
            if top <= 0:
                continue
            earned = min(top, max(0.0, float(criterion.get("score") or 0)))
            for outcome in criterion_outcomes(course, result, criterion):
                had = points.get(outcome, (0.0, 0.0))
                points[outcome] = (had[0] + earned, had[1] + top)
    return points


@dataclass(frozen=True)
class OutcomeFigure:
    """One outcome's score and what it is made of (None: not assessed that way yet)."""
    score: float
    quiz: float | None
    assessed: float | None


def outcome_figures(db: Session, user_id: int, course: CourseManifest) -> dict[str, OutcomeFigure]:
    quiz = quiz_outcome_scores(db, user_id, course)
    assessed = {o: earned / top for o, (earned, top) in assessed_points(course, released(db, user_id, course.id)).items()}
    weight = weight_of(course)
    figures = {}
    for outcome in list(quiz) + [o for o in assessed if o not in quiz]:
        q, a = quiz.get(outcome), assessed.get(outcome)
        score = q if a is None else a if q is None else (1 - weight) * q + weight * a
        figures[outcome] = OutcomeFigure(score, q, a)
    return figures


def outcome_scores(db: Session, user_id: int, course: CourseManifest) -> dict[str, float]:
    """Per outcome, the score the certificate rule is checked against (quizzes and assessed work)."""
    return {o: figure.score for o, figure in outcome_figures(db, user_id, course).items()}


def assignment_standing(db: Session, user_id: int, course: CourseManifest, assignment_id: str,
                        result: AssignmentResult | None) -> str:
    """Where the learner is with one assignment, as one word: passed | not_passed (released, below
    the pass mark) | waiting (submitted, no released result yet) | draft | not_started."""
    if result is not None:
        return "passed" if result.passed else "not_passed"
    rows = db.execute(select(Submission.status).where(
        Submission.user_id == user_id, Submission.course_id == course.id,
        Submission.assignment_id == assignment_id)).scalars().all()
    if "submitted" in rows:
        return "waiting"
    return "draft" if rows else "not_started"


def required_assignments(db: Session, user_id: int, course: CourseManifest) -> list[dict]:
    """The assignments the certificate rule requires, each with the learner's standing: `id`,
    `title`, `status` (assignment_standing), `passed` (released and passed: what counts), `score`
    (share of the released result's points, or None)."""
    rule = course.certificate
    if rule is None:
        return []
    wanted = rule.requires.required_assignments(course.assignments)
    results = released(db, user_id, course.id)
    passed_any = _passed_released(db, user_id, course.id)
    rows = []
    for aid in wanted:
        assignment = course.assignments.get(aid)
        result = results.get(aid)
        status = "passed" if aid in passed_any else assignment_standing(db, user_id, course, aid, result)
        rows.append({"id": aid, "title": assignment.title if assignment else aid, "status": status,
                     "passed": aid in passed_any, "score": share(result) if result else None})
    return rows


def _passed_released(db: Session, user_id: int, course_id: str) -> set[str]:
    """Assignment IDs with a released, passed result (of any attempt)."""
    return set(db.scalars(select(AssignmentResult.assignment_id).where(
        AssignmentResult.user_id == user_id, AssignmentResult.course_id == course_id,
        AssignmentResult.released_at.is_not(None), AssignmentResult.passed.is_(True))))

