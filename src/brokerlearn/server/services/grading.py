"""The trainer's grade of assessed work (issue 18, items 5 and 6): a result computed from ratings
per criterion kind, the peers' median and spread, wide disagreement, confirming the peer median
in one action, setting one review aside, claims on the queue's tasks, and release.

A rating (the trainer's, or in a review's `ratings`) is per criterion {"level": ID} (levels),
{"points": N} (points), {"checks": [ITEM, ...]} (checklist), each with an optional "comment";
a comment-only criterion has only the comment. Every result says per criterion where its score
came from (`source`) and in one sentence how the whole was computed (`method`). The trainer's
grade is the grade of record: peers' scores count only when the assignment gives them a weight
and every counted reviewer passed the practice; otherwise they are advisory.

Positions on a criterion are counted in levels, so that one rule decides "wide" for every kind:
a level is one level (levels), one item (checklist), or a quarter of the highest score
(points, `POINT_BANDS`).
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from brokerlearn.course.assignment import Assignment, Criterion, Rubric
from brokerlearn.server.models import AssignmentResult, Review, Submission, TrainerTask, User, utcnow
from brokerlearn.server.services import audit

CLAIM_LEASE = timedelta(minutes=30)
POINT_BANDS = 4  # a points criterion's range counts as this many levels
WIDE = 2  # a spread of this many levels or more is wide disagreement
MAX_REASON = 500
MAX_COMMENT = 4000

SOURCE_TRAINER = "trainer"
SOURCE_CONFIRMED = "peer median confirmed by the trainer"
SOURCE_COMMENT = "trainer's comment"


class GradingError(Exception):
    """An action that cannot be done: `status` (HTTP) and the message says why."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def aware(moment: datetime | None) -> datetime | None:
    """UTC with its offset (SQLite gives stored times back without one)."""
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


# ---- one rating ------------------------------------------------------------------------------

def check_rating(criterion: Criterion, rating) -> dict:
    """`rating` for `criterion` as stored, or GradingError (422) saying what is wrong."""
    if not isinstance(rating, dict):
        raise GradingError(422, f"rate '{criterion.title}'")
    comment = str(rating.get("comment") or "").strip()[:MAX_COMMENT]
    kept = {"comment": comment} if comment else {}
    if criterion.kind == "comment":
        return kept
    if criterion.kind == "levels":
        level = rating.get("level")
        if level not in {l.id for l in criterion.levels}:
            raise GradingError(422, f"choose a level for '{criterion.title}'")
        return {"level": level, **kept}
    if criterion.kind == "points":
        try:
            points = float(rating.get("points"))
        except (TypeError, ValueError):
            raise GradingError(422, f"give '{criterion.title}' a number of points") from None
        if not 0 <= points <= criterion.max_points:
            raise GradingError(422, f"'{criterion.title}' takes 0 to {criterion.max_points:g} points")
        return {"points": points, **kept}
    checks = rating.get("checks")
    if not isinstance(checks, list) or any(c not in criterion.items for c in checks):
        raise GradingError(422, f"tick the items of '{criterion.title}' that the work has")
    return {"checks": [item for item in criterion.items if item in checks], **kept}


def score_of(criterion: Criterion, rating: dict | None) -> float | None:
    """The points a rating gives (None: no rating, or a comment-only criterion)."""
    if not rating or criterion.kind == "comment":
        return None
    if criterion.kind == "levels":
        level = next((l for l in criterion.levels if l.id == rating.get("level")), None)
        return level.points if level else None
    if criterion.kind == "points":
        value = rating.get("points")
        return float(value) if isinstance(value, (int, float)) else None
    checks = rating.get("checks")
    return float(len([c for c in checks if c in criterion.items])) if isinstance(checks, list) else None


def position(criterion: Criterion, rating: dict | None) -> float | None:
    """Where a rating lies on the criterion, in levels (see the module's docstring)."""
    if not rating or criterion.kind == "comment":
        return None
    if criterion.kind == "levels":
        ids = [l.id for l in criterion.levels]
        return float(ids.index(rating["level"])) if rating.get("level") in ids else None
    score = score_of(criterion, rating)
    if score is None:
        return None
    if criterion.kind == "points":
        return score / (criterion.max_points / POINT_BANDS) if criterion.max_points else 0.0
    return score


def total(rubric: Rubric, ratings: dict) -> tuple[float, float]:
    """(score, highest score) of a set of ratings over the scored criteria."""
    scored = [c for c in rubric.criteria if c.scored]
    return (sum(score_of(c, ratings.get(c.id)) or 0.0 for c in scored), sum(c.top for c in scored))


# ---- the peers -------------------------------------------------------------------------------

@dataclass(frozen=True)
class PeerFigure:
    """The counted peers' ratings of one criterion: how many, the median score and the spread
    (highest minus lowest position, in levels), and the rating that confirming would give."""
    criterion: str
    count: int
    median: float
    spread: float
    rating: dict

    @property
    def wide(self) -> bool:
        return self.count >= 2 and self.spread >= WIDE


def peer_reviews(db: Session, submission_id: int) -> list[Review]:
    """The finished peer reviews of a submission, set aside or not, oldest first."""
    return list(db.scalars(select(Review).where(Review.submission_id == submission_id, Review.kind == "peer",
                                                Review.status == "done").order_by(Review.id)))


def counted(reviews: list[Review]) -> list[Review]:
    """The reviews that count in the peer figures: those no trainer set aside."""
    return [r for r in reviews if not r.set_aside_reason]


def peer_figures(rubric: Rubric, reviews: list[Review]) -> dict[str, PeerFigure]:
    """Per scored criterion the peers rated: median and spread over the reviews not set aside.
    The median of an even count is the lower middle one for levels and checklists (a rating that
    exists), the mean of the middle two for points."""
    figures = {}
    for criterion in rubric.criteria:
        if not criterion.scored:
            continue
        rated = [(r.ratings or {}).get(criterion.id) for r in counted(reviews)]
        rated = [r for r in rated if score_of(criterion, r) is not None]
        if not rated:
            continue
        places = [position(criterion, r) for r in rated]
        median, rating = _median(criterion, rated)
        figures[criterion.id] = PeerFigure(criterion.id, len(rated), median, max(places) - min(places), rating)
    return figures


def _median(criterion: Criterion, rated: list[dict]) -> tuple[float, dict]:
    scores = [score_of(criterion, r) for r in rated]
    if criterion.kind == "points":
        middle = float(statistics.median(scores))
        return middle, {"points": middle}
    if criterion.kind == "levels":
        place = int(statistics.median_low([position(criterion, r) for r in rated]))
        level = criterion.levels[place]
        return level.points, {"level": level.id}
    count = int(statistics.median_low(scores))
    ticked = {item: sum(item in (r.get("checks") or []) for r in rated) for item in criterion.items}
    chosen = sorted(criterion.items, key=lambda item: -ticked[item])[:count]  # the items most peers ticked
    return float(count), {"checks": [item for item in criterion.items if item in chosen]}


def disagreement(assignment: Assignment, reviews: list[Review]) -> list[str]:
    """Why the counted peers disagree widely, in words (empty: they do not): a criterion with a
    spread of two levels or more, or peers on both sides of the pass mark."""
    found = [f"'{c.title}': the peers' ratings are {figure.spread:g} levels apart"
             for c in assignment.rubric.criteria
             if (figure := peer_figures(assignment.rubric, reviews).get(c.id)) is not None and figure.wide]
    verdicts = set()
    for review in counted(reviews):
        score, top = total(assignment.rubric, review.ratings or {})
        if top:
            verdicts.add(score / top >= assignment.pass_mark - 1e-9)
    if len(verdicts) == 2:
        found.append("some peers rate the work above the pass mark, others below it")
    return found


def passed_practice(db: Session, course_id: str, assignment: Assignment, reviewer_id: int) -> bool:
    """Whether the reviewer's latest practice review of every trainer example agreed."""
    if not assignment.examples:
        return False
    rows = db.scalars(select(Review).where(
        Review.course_id == course_id, Review.assignment_id == assignment.id, Review.reviewer_id == reviewer_id,
        Review.kind == "practice", Review.status == "done").order_by(Review.id))
    latest = {row.example_id: bool(row.agreed) for row in rows}
    return all(latest.get(example.id, False) for example in assignment.examples)


def peers_count(db: Session, course_id: str, assignment: Assignment, reviews: list[Review]) -> bool:
    """Whether the peers' scores count toward the result: a weight, and every counted reviewer
    passed the practice."""
    used = counted(reviews)
    return (assignment.peer_weight > 0 and bool(used)
            and all(passed_practice(db, course_id, assignment, r.reviewer_id) for r in used))


# ---- a result --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Computed:
    criteria: list[dict]
    score: float
    max_score: float
    passed: bool
    method: str


def compute(assignment: Assignment, ratings: dict, reviews: list[Review] = (), peers_weighted: bool = False,
            confirmed: bool = False) -> Computed:
    """The result of the trainer's `ratings` (criterion id -> rating), with the peers' reviews
    beside them: advisory, unless `peers_weighted` (services: `peers_count`) mixes their median in
    by the assignment's weight. `confirmed`: the ratings are the peer median, confirmed."""
    figures = peer_figures(assignment.rubric, list(reviews))
    weight = assignment.peer_weight if peers_weighted and not confirmed else 0.0
    entries, score, top = [], 0.0, 0.0
    for criterion in assignment.rubric.criteria:
        rating = check_rating(criterion, ratings.get(criterion.id) or {})
        entry = {"id": criterion.id, "title": criterion.title, "kind": criterion.kind,
                 "outcomes": list(criterion.outcomes), **rating, "comment": rating.get("comment", "")}
        if not criterion.scored:
            entries.append({**entry, "score": 0.0, "max": 0.0, "source": SOURCE_COMMENT})
            continue
        given = score_of(criterion, rating)
        figure = figures.get(criterion.id)
        source = SOURCE_CONFIRMED if confirmed else SOURCE_TRAINER
        if weight and figure is not None:
            given = (1 - weight) * given + weight * figure.median
            source = f"trainer {100 - round(weight * 100)} %, peer median {round(weight * 100)} %"
        entries.append({**entry, "score": round(given, 4), "max": criterion.top, "source": source})
        score, top = score + given, top + criterion.top
    score = round(score, 4)
    return Computed(entries, score, top, bool(top) and score / top >= assignment.pass_mark - 1e-9,
                    _method(assignment, counted(list(reviews)), weight, confirmed, peers_weighted))


def _method(assignment: Assignment, used: list[Review], weight: float, confirmed: bool, weighted: bool) -> str:
    if confirmed:
        return f"Peer median of {len(used)} review(s), confirmed by the trainer."
    if weight:
        return (f"Trainer's grade weighted {100 - round(weight * 100)} %, peer median {round(weight * 100)} % "
                f"(the reviewers passed the practice).")
    if not used:
        return "Trainer's grade."
    if assignment.peer_weight > 0 and not weighted:
        return "Trainer's grade; peers advisory (not every reviewer passed the practice)."
    return "Trainer's grade; peers advisory."


def confirmed_ratings(assignment: Assignment, reviews: list[Review], comments: dict | None = None) -> dict:
    """The peer median as the trainer's ratings (with the trainer's comments kept), or
    GradingError when the peers left a scored criterion unrated."""
    figures = peer_figures(assignment.rubric, reviews)
    ratings = {}
    for criterion in assignment.rubric.criteria:
        comment = (comments or {}).get(criterion.id, "")
        if not criterion.scored:
            ratings[criterion.id] = {"comment": comment}
            continue
        if criterion.id not in figures:
            raise GradingError(409, f"no peer rated '{criterion.title}': grade it yourself")
        ratings[criterion.id] = {**figures[criterion.id].rating, "comment": comment}
    return ratings


# ---- claims ----------------------------------------------------------------------------------

def claim_live(task: TrainerTask, now: datetime | None = None) -> bool:
    return task.claimed_by is not None and aware(task.claimed_at) + CLAIM_LEASE > (now or utcnow())


def claim(db: Session, actor: audit.Actor, task: TrainerTask, now: datetime | None = None) -> TrainerTask:
    """Claim `task` for the actor: free, already theirs, or another's whose claim lapsed (a
    take-over, recorded). One conditional UPDATE, so of two trainers at once one wins; the other
    gets GradingError 409 "being graded by X"."""
    now = now or utcnow()
    if task.done_at is not None and (result := result_of(db, task.submission_id)) is not None \
            and result.released_at is not None:
        raise GradingError(409, "this result is released: it changes only when the learner asks for a review "
                                "or submits again")
    before = task.claimed_by
    done = db.execute(update(TrainerTask).where(
        TrainerTask.id == task.id,
        (TrainerTask.claimed_by.is_(None)) | (TrainerTask.claimed_by == actor.id)
        | (TrainerTask.claimed_at < now - CLAIM_LEASE)).values(claimed_by=actor.id, claimed_at=now)
        .execution_options(synchronize_session=False))
    if done.rowcount != 1:
        db.rollback()
        db.refresh(task)
        raise GradingError(409, f"being graded by {holder_name(db, task)}")
    if before is not None and before != actor.id:
        submission = db.get(Submission, task.submission_id)
        audit.record(db, actor, "grading_taken_over", target_user=db.get(User, submission.user_id),
                     details=f"{task.course_id}/{task.assignment_id}: claim of {holder_name(db, task, before)} lapsed")
    db.commit()
    db.refresh(task)
    return task


def unclaim(db: Session, actor: audit.Actor, task: TrainerTask) -> None:
    """Stop grading: the actor's claim ends (another's is left alone)."""
    db.execute(update(TrainerTask).where(TrainerTask.id == task.id, TrainerTask.claimed_by == actor.id)
               .values(claimed_by=None, claimed_at=None).execution_options(synchronize_session=False))
    db.commit()
    db.refresh(task)


def holder_name(db: Session, task: TrainerTask, user_id: int | None = None) -> str:
    holder = db.get(User, user_id if user_id is not None else task.claimed_by) if (user_id or task.claimed_by) else None
    return (holder.name or holder.email) if holder is not None else "another trainer"


# ---- saving and releasing ----------------------------------------------------------------------

def result_of(db: Session, submission_id: int) -> AssignmentResult | None:
    return db.scalar(select(AssignmentResult).where(AssignmentResult.submission_id == submission_id))


def save(db: Session, actor: audit.Actor, task: TrainerTask, assignment: Assignment, ratings: dict,
         feedback: str = "", confirm: bool = False, now: datetime | None = None) -> AssignmentResult:
    """Compute and store the result of the task's submission (the actor must hold its claim),
    finish the task, record it. `confirm`: the ratings are the peers' median (confirmed_ratings)."""
    now = now or utcnow()
    submission = db.get(Submission, task.submission_id)
    existing = result_of(db, submission.id)
    if existing is not None and existing.released_at is not None and task.done_at is not None:
        raise GradingError(409, "this result is released: it changes only when the learner asks for a review "
                                "or submits again")
    reviews = peer_reviews(db, submission.id)
    computed = compute(assignment, ratings, reviews, peers_count(db, task.course_id, assignment, reviews), confirm)
    finished = db.execute(update(TrainerTask).where(TrainerTask.id == task.id, TrainerTask.claimed_by == actor.id)
                          .values(done_at=now, claimed_by=None, claimed_at=None)
                          .execution_options(synchronize_session=False))
    if finished.rowcount != 1:
        db.rollback()
        db.refresh(task)
        raise GradingError(409, f"not saved: {holder_name(db, task)} is grading this work now"
                           if task.claimed_by else "not saved: claim the work first")
    result = existing or AssignmentResult(submission_id=submission.id, user_id=submission.user_id,
                                          course_id=submission.course_id, assignment_id=submission.assignment_id)
    result.rubric_version = submission.rubric_version
    result.criteria, result.score, result.max_score = computed.criteria, computed.score, computed.max_score
    result.passed, result.method = computed.passed, computed.method
    result.feedback, result.graded_by, result.graded_at = (feedback or "").strip()[:MAX_COMMENT], actor.id, now
    if result.released_at is not None:
        result.released_at = now  # a reopened review, graded again: the learner sees the new grade
    db.add(result)
    audit.record(db, actor, "peers_confirmed" if confirm else "assignment_graded",
                 target_user=db.get(User, submission.user_id),
                 details=f"{task.course_id}/{task.assignment_id} attempt {submission.attempt}: "
                         f"{computed.score:g} of {computed.max_score:g}. {computed.method}")
    db.commit()
    return result


def set_aside(db: Session, actor: audit.Actor, review: Review, reason: str) -> None:
    """Leave one finished peer review out of the figures, with the trainer's reason (an empty
    reason counts it again)."""
    if review.kind != "peer" or review.status != "done":
        raise GradingError(409, "only a finished peer review can be set aside")
    reason = (reason or "").strip()[:MAX_REASON]
    submission = db.get(Submission, review.submission_id)
    review.set_aside_reason, review.set_aside_by = reason or None, actor.id if reason else None
    audit.record(db, actor, "review_set_aside" if reason else "review_counted_again",
                 target_user=db.get(User, submission.user_id),
                 details=f"{review.course_id}/{review.assignment_id} review {review.id}" + (f": {reason}" if reason else ""))
    db.commit()


def release(db: Session, actor: audit.Actor, results: list[AssignmentResult], what: str,
            now: datetime | None = None) -> int:
    """Release the graded results given (those not yet released) together; how many."""
    now = now or utcnow()
    fresh = [r for r in results if r.released_at is None]
    for result in fresh:
        result.released_at = now
    if fresh:
        audit.record(db, actor, "results_released", target=what, details=f"{len(fresh)} result(s)")
    db.commit()
    return len(fresh)


def unreleased(db: Session, course_id: str, assignment_id: str, learners=None) -> list[AssignmentResult]:
    """The graded, unreleased results of an assignment, of `learners` (a query of user IDs, or
    None: everyone's)."""
    statement = select(AssignmentResult).where(AssignmentResult.course_id == course_id,
                                                AssignmentResult.assignment_id == assignment_id,
                                                AssignmentResult.released_at.is_(None))
    if learners is not None:
        statement = statement.where(AssignmentResult.user_id.in_(learners))
    return list(db.scalars(statement.order_by(AssignmentResult.id)))
