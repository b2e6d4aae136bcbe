"""The report of a course's assessed work for admins and trainers (issue 18, item 7): submissions
by status, overdue reviews, the score distribution per criterion, how far peers agree with the
trainer, and each reviewer's bias against the trainer.

Scores come from released results only (FLOW18.md, step 7: only released results count, reports
included). A peer's rating is compared with the grade of record criterion by criterion: for a
criterion of levels they agree when the peer's level is the trainer's or next to it (the
practice step's rule), for points and checklists when they are within a quarter of the
criterion's points. A reviewer's bias is the mean of (peer - trainer) over their compared
ratings, as a share of each criterion's points: above zero, more generous than the trainer.
Reviews a trainer set aside are left out. `scope`: the learners the caller may see (a trainer's
groups), None for every learner.
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from brokerlearn.course.assignment import Assignment, Criterion
from brokerlearn.course.manifest import CourseManifest
from brokerlearn.server.models import AssignmentResult, Review, Submission, TrainerTask, User, utcnow

CLOSE_POINTS = 0.25  # points and checklists: within a quarter of the criterion's points is agreement
STATUSES = ("draft", "submitted", "graded", "released")


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=timezone.utc) if moment is not None and moment.tzinfo is None else moment


def _in_scope(column, scope):
    return column.in_(scope) if scope is not None else True


def rated_points(criterion: Criterion, rating) -> float | None:
    """A review's rating of one criterion as points ({"level"} | {"points"} | {"checks"})."""
    if not isinstance(rating, dict):
        return None
    if criterion.kind == "levels" and "level" in rating:
        level = next((l for l in criterion.levels if l.id == rating["level"]), None)
        return level.points if level else None
    if "points" in rating and isinstance(rating["points"], (int, float)):
        return float(rating["points"])
    if "checks" in rating and isinstance(rating["checks"], list):
        return float(len(rating["checks"]))
    return None


def _level_index(criterion: Criterion, level_id) -> int | None:
    ids = [l.id for l in sorted(criterion.levels, key=lambda l: l.points)]
    return ids.index(level_id) if level_id in ids else None


def agrees(criterion: Criterion, peer_rating: dict, stored: dict) -> bool | None:
    """Whether a peer's rating agrees with the grade of record's criterion (None: not comparable)."""
    if criterion.kind == "levels":
        peer, trainer = _level_index(criterion, peer_rating.get("level")), _level_index(criterion, stored.get("level"))
        return None if peer is None or trainer is None else abs(peer - trainer) <= 1
    peer, top = rated_points(criterion, peer_rating), float(stored.get("max") or criterion.top or 0)
    if peer is None or not top:
        return None
    return abs(peer - float(stored.get("score") or 0)) <= CLOSE_POINTS * top + 1e-9


def report(db: Session, course: CourseManifest, scope=None, now: datetime | None = None) -> list[dict]:
    """One entry per assignment of the course (see the module's docstring)."""
    now = now or utcnow()
    if scope is not None:
        scope = set(db.scalars(scope)) if not isinstance(scope, (set, frozenset, list)) else set(scope)
    return [_assignment_report(db, course, assignment, scope, now) for assignment in course.assignments.values()]


def _assignment_report(db: Session, course: CourseManifest, assignment: Assignment, scope, now: datetime) -> dict:
    submissions = list(db.scalars(select(Submission).where(
        Submission.course_id == course.id, Submission.assignment_id == assignment.id,
        _in_scope(Submission.user_id, scope))))
    ids = [s.id for s in submissions]
    results = {r.submission_id: r for r in db.scalars(select(AssignmentResult).where(
        AssignmentResult.course_id == course.id, AssignmentResult.assignment_id == assignment.id,
        _in_scope(AssignmentResult.user_id, scope)))}
    released = [r for r in results.values() if r.released_at is not None]
    reviews = list(db.scalars(select(Review).where(Review.submission_id.in_(ids), Review.kind == "peer"))) if ids else []
    return {"id": assignment.id, "title": assignment.title, "statuses": _statuses(submissions, results),
            "overdue": _overdue(db, course, assignment, submissions, reviews, scope, now),
            "criteria": _distribution(assignment, released),
            "agreement": _agreement(db, assignment, released, reviews, scope),
            "released": len(released)}


def _statuses(submissions: list[Submission], results: dict) -> dict:
    counts = dict.fromkeys(STATUSES, 0)
    for s in submissions:
        result = results.get(s.id)
        key = "draft" if s.status != "submitted" else "submitted" if result is None else \
            "graded" if result.released_at is None else "released"
        counts[key] += 1
    return counts


def _overdue(db: Session, course: CourseManifest, assignment: Assignment, submissions: list[Submission],
             reviews: list[Review], scope, now: datetime) -> dict:
    """Learners whose peer reviews are overdue (`due.review` days after their own submission,
    fewer than the reviews asked done) and trainers' tasks past their due date."""
    learners = []
    days = assignment.due.get("review") if isinstance(assignment.due, dict) else None
    if assignment.peer_reviews and days:
        done = Counter(r.reviewer_id for r in db.scalars(select(Review).where(
            Review.course_id == course.id, Review.assignment_id == assignment.id, Review.kind == "peer",
            Review.status == "done")))
        first = {}
        for s in submissions:
            if s.status == "submitted" and s.submitted_at is not None:
                first[s.user_id] = min(first.get(s.user_id, _aware(s.submitted_at)), _aware(s.submitted_at))
        late = [(user_id, submitted + timedelta(days=float(days))) for user_id, submitted in first.items()
                if submitted + timedelta(days=float(days)) < _aware(now) and done.get(user_id, 0) < assignment.peer_reviews]
        people = {u.id: u for u in db.scalars(select(User).where(User.id.in_([uid for uid, _ in late])))} if late else {}
        for user_id, due in sorted(late, key=lambda item: (item[1], item[0])):
            person = people.get(user_id)
            learners.append({"name": (person.name or person.email) if person else f"#{user_id}",
                             "email": person.email if person else "", "done": done.get(user_id, 0),
                             "needed": assignment.peer_reviews, "due": due})
    tasks = [t for t in db.scalars(select(TrainerTask).join(Submission, Submission.id == TrainerTask.submission_id).where(
        TrainerTask.course_id == course.id, TrainerTask.assignment_id == assignment.id, TrainerTask.done_at.is_(None),
        _in_scope(Submission.user_id, scope))) if t.due_at is not None and _aware(t.due_at) < now]
    oldest = min((_aware(t.due_at) for t in tasks), default=None)
    return {"peer": learners, "trainer": len(tasks), "trainer_oldest_due": oldest}


def _distribution(assignment: Assignment, released: list[AssignmentResult]) -> list[dict]:
    """Per scored criterion: how many released results reached each level (levels) or each score
    (points, checklists), and the mean share of the criterion's points."""
    rows = []
    for criterion in assignment.rubric.criteria:
        if not criterion.scored:
            continue
        stored = [c for r in released for c in r.criteria or [] if c.get("id") == criterion.id]
        if criterion.kind == "levels":
            counts = Counter(c.get("level") for c in stored)
            bins = [{"label": l.title, "count": counts.get(l.id, 0)} for l in criterion.levels]
        else:
            counts = Counter(float(c.get("score") or 0) for c in stored)
            bins = [{"label": f"{value:g}", "count": counts[value]} for value in sorted(counts)]
        shares = [float(c.get("score") or 0) / float(c["max"]) for c in stored if float(c.get("max") or 0)]
        rows.append({"id": criterion.id, "title": criterion.title, "kind": criterion.kind, "results": len(stored),
                     "bins": bins, "mean": sum(shares) / len(shares) if shares else None})
    return rows


def _agreement(db: Session, assignment: Assignment, released: list[AssignmentResult], reviews: list[Review],
               scope) -> dict:
    """Per criterion, how often done peer reviews agree with the grade of record; per reviewer,
    their mean difference from it (a trainer sees by name only the reviewers of their groups)."""
    by_submission = {r.submission_id: r for r in released if r.submission_id is not None}
    per_criterion: dict[str, list[bool]] = {}
    differences: dict[int, list[float]] = {}
    for review in reviews:
        result = by_submission.get(review.submission_id)
        if result is None or review.status != "done" or review.set_aside_reason:
            continue
        stored = {c.get("id"): c for c in result.criteria or []}
        for criterion in assignment.rubric.criteria:
            record, rating = stored.get(criterion.id), (review.ratings or {}).get(criterion.id)
            if not criterion.scored or record is None or rating is None:
                continue
            agreed = agrees(criterion, rating, record)
            points, top = rated_points(criterion, rating), float(record.get("max") or 0)
            if agreed is None or points is None or not top:
                continue
            per_criterion.setdefault(criterion.id, []).append(agreed)
            differences.setdefault(review.reviewer_id, []).append((points - float(record.get("score") or 0)) / top)
    criteria = [{"id": c.id, "title": c.title, "pairs": len(per_criterion.get(c.id, [])),
                 "agreed": (sum(per_criterion[c.id]) / len(per_criterion[c.id])) if per_criterion.get(c.id) else None}
                for c in assignment.rubric.criteria if c.scored]
    if scope is not None:
        differences = {uid: values for uid, values in differences.items() if uid in scope}
    people = {u.id: u for u in db.scalars(select(User).where(User.id.in_(list(differences))))} if differences else {}
    reviewers = sorted(({"name": (people[uid].name or people[uid].email) if uid in people else f"#{uid}",
                         "email": people[uid].email if uid in people else "", "ratings": len(values),
                         "bias": sum(values) / len(values)} for uid, values in differences.items()),
                       key=lambda row: -abs(row["bias"]))
    return {"criteria": criteria, "reviewers": reviewers}
