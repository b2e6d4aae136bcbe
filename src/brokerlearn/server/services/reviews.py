"""The learner's review steps of assessed work (issue 18, items 3 to 5 and 8; the rows are those
of docs: FLOW18): practice on the trainer's examples, peer reviews handed out on demand
(services/allocation.py), the optional self-review, asking for a trainer's review, the stranding
check, the feedback after release with each review's helpfulness, and the learner's own state
of an assignment. Ratings are checked and scored in services/ratings.py; resubmission is
services/resubmission.py.

Anonymity both ways: nothing a reviewer is sent names the submitter (not even a file's own
name), and nothing the submitter is sent names a reviewer. Nothing of the reviews or of the
result reaches the submitter before the trainer releases the result.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from brokerlearn.course.assignment import Assignment
from brokerlearn.course.manifest import CourseManifest
from brokerlearn.server.errors import ApiError
from brokerlearn.server.models import AssignmentResult, ReminderSent, Review, Submission, TrainerTask, User, utcnow
from brokerlearn.server.services import allocation, trainer_queue
from brokerlearn.server.services.ratings import (MAX_COMMENT, check_ratings, level_index, points_of, rated,
                                                 reference_view, within)
from brokerlearn.server.services.resubmission import attempts_of, attempts_open, released_result
from brokerlearn.server.services.submissions import (_iso, assignment_or_404, files_of, neutral_name, render_text,
                                                     submission_json, word_count)
STRANDED_STEP = "stranded"  # ReminderSent.step of the one mail that tells a learner


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite gives stored times back without their offset: they are UTC."""
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=timezone.utc)


# ---- practice on the trainer's examples ----------------------------------------------------

def _practice_rows(db: Session, user_id: int, course_id: str, assignment_id: str) -> list[Review]:
    return list(db.scalars(select(Review).where(
        Review.reviewer_id == user_id, Review.course_id == course_id, Review.assignment_id == assignment_id,
        Review.kind == "practice").order_by(Review.id)))


def _comparison(assignment: Assignment, example, row: Review, tries_left: int) -> list[dict]:
    """Per criterion: how the learner's rating compares. The reference's reason where they
    differ; its value only once no try is left or the learner agreed (else a retry is a copy)."""
    out = []
    for reference in example.ratings:
        criterion = assignment.rubric.criterion(reference.criterion)
        given = row.ratings.get(criterion.id) or {}
        same, close = within(criterion, given, reference.value, assignment.tolerance)
        item = {"criterion": criterion.id, "same": same, "within": close}
        if not same:
            item["reason"] = reference.reason
            if row.agreed or tries_left == 0:
                item["reference"] = reference_view(criterion, reference.value)
        out.append(item)
    return out


def practice(db: Session, user_id: int, course: CourseManifest, assignment_id: str) -> dict:
    """The examples to rate (their text, never their reference before the learner rated), each
    with the learner's latest try and how it compared."""
    assignment = assignment_or_404(course, assignment_id)
    rows = _practice_rows(db, user_id, course.id, assignment.id)
    examples = []
    for example in assignment.examples:
        tries = [r for r in rows if r.example_id == example.id]
        latest = tries[-1] if tries else None
        left = _tries_left(assignment, tries)
        item = {"id": example.id, "text_html": render_text(example.text), "tries": len(tries), "tries_left": left,
                "agreed": latest.agreed if latest else None, "ratings": latest.ratings if latest else None}
        if latest is not None:
            item["comparison"] = _comparison(assignment, example, latest, left)
        examples.append(item)
    return {"examples": examples, "tolerance": assignment.tolerance, "passed": _passed(assignment, rows)}


def _tries_left(assignment: Assignment, tries: list[Review]) -> int:
    if tries and tries[-1].agreed:
        return 0
    return max(0, 1 + assignment.retries - len(tries))


def _passed(assignment: Assignment, rows: list[Review]) -> bool:
    """Every example's latest practice rating agreed with the reference."""
    latest = {r.example_id: r for r in rows}
    return bool(assignment.examples) and all(e.id in latest and latest[e.id].agreed for e in assignment.examples)


def passed_practice(db: Session, user_id: int, course_id: str, assignment: Assignment) -> bool:
    return _passed(assignment, _practice_rows(db, user_id, course_id, assignment.id))


def rate_example(db: Session, user_id: int, course: CourseManifest, assignment_id: str, example_id: str,
                 given) -> dict:
    """Rate one trainer example; agreed when every rating is within the tolerance of the reference."""
    assignment = assignment_or_404(course, assignment_id)
    example = next((e for e in assignment.examples if e.id == example_id), None)
    if example is None:
        raise ApiError(404, f"no example '{example_id}' to practise on", "unknown_example")
    tries = [r for r in _practice_rows(db, user_id, course.id, assignment.id) if r.example_id == example.id]
    if not _tries_left(assignment, tries):
        raise ApiError(409, "this example is done: no try is left", "no_tries_left")
    ratings = check_ratings(assignment, given, complete=True, comments=False)
    agreed = all(within(assignment.rubric.criterion(r.criterion), ratings[r.criterion], r.value,
                         assignment.tolerance)[1] for r in example.ratings)
    now = utcnow()
    row = Review(kind="practice", submission_id=None, example_id=example.id, course_id=course.id,
                 assignment_id=assignment.id, reviewer_id=user_id, status="done", ratings=ratings,
                 started_at=now, finished_at=now, agreed=agreed)
    db.add(row)
    db.commit()
    left = _tries_left(assignment, [*tries, row])
    return {"example": example.id, "agreed": agreed, "tries_left": left,
            "comparison": _comparison(assignment, example, row, left),
            "passed": passed_practice(db, user_id, course.id, assignment)}


# ---- peer reviews --------------------------------------------------------------------------

def _submitted(db: Session, course_id: str, assignment_id: str) -> list[Submission]:
    """The first attempts handed out to peers (a resubmission goes to the trainer)."""
    return list(db.scalars(select(Submission).where(
        Submission.course_id == course_id, Submission.assignment_id == assignment_id,
        Submission.status == "submitted", Submission.attempt == 1).order_by(Submission.id)))


def _peer_rows(db: Session, course_id: str, assignment_id: str) -> list[Review]:
    return list(db.scalars(select(Review).where(
        Review.course_id == course_id, Review.assignment_id == assignment_id, Review.kind == "peer")
        .order_by(Review.id)))


def _pool(db: Session, course_id: str, assignment_id: str) -> tuple[list[Submission], list[Review], list, list]:
    works = _submitted(db, course_id, assignment_id)
    reviews = _peer_rows(db, course_id, assignment_id)
    far = datetime(1970, 1, 1, tzinfo=timezone.utc)  # a set-aside review counts for nobody
    return works, reviews, [allocation.Work(w.id, w.user_id, _aware(w.submitted_at)) for w in works], [
        allocation.Review(r.submission_id, r.reviewer_id, far if r.set_aside_reason else _aware(r.started_at),
                          r.status == "done" and not r.set_aside_reason) for r in reviews]


def _own_submitted(db: Session, user_id: int, course_id: str, assignment_id: str) -> Submission | None:
    return db.scalar(select(Submission).where(
        Submission.user_id == user_id, Submission.course_id == course_id, Submission.assignment_id == assignment_id,
        Submission.status == "submitted").order_by(Submission.attempt.desc()).limit(1))


def request_peer_review(db: Session, user_id: int, course: CourseManifest, assignment_id: str,
                        now: datetime | None = None, days: int = allocation.STRANDED_AFTER_DAYS) -> Review | None:
    """The peer review the learner is to write now: the one they hold, or a new lease on the
    submission allocation picks; None when there is nothing to review yet."""
    assignment = assignment_or_404(course, assignment_id)
    now = now or utcnow()
    if not assignment.peer_reviews:
        raise ApiError(409, "this assignment has no peer reviews", "no_peer_step")
    if _own_submitted(db, user_id, course.id, assignment.id) is None:
        raise ApiError(409, "submit your own work first; then you review others'", "submit_first")
    if assignment.examples:
        rated_ids = {r.example_id for r in _practice_rows(db, user_id, course.id, assignment.id)}
        if any(e.id not in rated_ids for e in assignment.examples):
            raise ApiError(409, "rate the trainer's examples first", "practice_first")
    works, rows, pool, leases = _pool(db, course.id, assignment.id)
    held = next((r for r in rows if r.reviewer_id == user_id and r.status == "open"), None)
    if held is not None:
        held.started_at = now  # coming back renews the lease
        db.commit()
        return held
    picked = allocation.next_review(user_id, pool, leases, now, assignment.peer_reviews, days)
    if picked is None:
        return None
    review = Review(kind="peer", submission_id=picked.id, course_id=course.id, assignment_id=assignment.id,
                    reviewer_id=user_id, status="open", ratings={}, started_at=now)
    db.add(review)
    db.commit()
    return _one_open(db, user_id, course.id, assignment.id, review)


def _one_open(db: Session, user_id: int, course_id: str, assignment_id: str, review: Review) -> Review:
    """Two requests of one reviewer that crossed (a double click) leave one lease: the first."""
    held = list(db.scalars(select(Review).where(
        Review.reviewer_id == user_id, Review.course_id == course_id, Review.assignment_id == assignment_id,
        Review.kind == "peer", Review.status == "open").order_by(Review.id)))
    if len(held) > 1 and review.id != held[0].id:
        db.delete(review)
        db.commit()
        return held[0]
    return review


def _my_review(db: Session, user_id: int, review_id: int, kind: str = "peer") -> Review:
    review = db.get(Review, review_id)
    if review is None or review.reviewer_id != user_id or review.kind != kind:
        raise ApiError(404, "no such review", "unknown_review")
    return review


def reviewer_view(db: Session, user_id: int, course_of: Callable, review_id: int) -> dict:
    """What a peer reviewer sees: the work's text and files, with no name (the files under
    neutral names, through the review's own address), the rubric, and their ratings so far."""
    review = _my_review(db, user_id, review_id)
    course = course_of(review.course_id)
    assignment = assignment_or_404(course, review.assignment_id)
    work = db.get(Submission, review.submission_id)
    files = [{"id": f.id, "name": neutral_name(n, f), "kind": f.kind, "size": f.size,
              "url": f"/api/reviews/{review.id}/files/{f.id}"} for n, f in enumerate(files_of(db, work), 1)]
    return {"id": review.id, "course": course.id, "assignment": assignment.id, "title": assignment.title,
            "status": review.status, "ratings": review.ratings, "comment": review.comment,
            "lease_ends": _iso(_aware(review.started_at) + allocation.LEASE),
            "work": {"text_html": render_text(work.text), "words": word_count(work.text), "files": files}}


def review_file(db: Session, instance, user, review_id: int, file_id: int):
    """(row, path, neutral name) of a file of the work under review, for its reviewer; the one
    access rule (can_read_submission) decides, as for every read of a submission."""
    from brokerlearn.server.services.submissions import readable_file
    review = _my_review(db, user.id, review_id)
    row, path = readable_file(db, instance, user, review.submission_id, file_id)
    number = [f.id for f in files_of(db, db.get(Submission, review.submission_id))].index(row.id) + 1
    return row, path, neutral_name(number, row)


def save_peer_review(db: Session, user_id: int, course_of: Callable, review_id: int, given, comment,
                     finish: bool) -> Review:
    """Keep the ratings of a review being written; with `finish`, check it is complete (a comment
    below the standard) and hand it in. Then, with the work's peer reviews all in, look for
    disagreement."""
    review = _my_review(db, user_id, review_id)
    course = course_of(review.course_id)
    if review.status == "done":
        raise ApiError(409, "this review is handed in", "review_done")
    assignment = assignment_or_404(course, review.assignment_id)
    ratings = check_ratings(assignment, given if given is not None else {}, complete=finish, comments=finish)
    if comment is not None and (not isinstance(comment, str) or len(comment) > MAX_COMMENT):
        raise ApiError(422, f"the overall comment is a text of at most {MAX_COMMENT} characters", "invalid")
    review.ratings, review.comment = ratings, (comment or "").strip() if comment is not None else review.comment
    if finish:
        review.status, review.finished_at = "done", utcnow()
        db.flush()
        work = db.get(Submission, review.submission_id)
        trainer_queue.queue_disagreement(db, assignment, work, done_peer_reviews(db, work.id))
    db.commit()
    return review


def done_peer_reviews(db: Session, submission_id: int) -> list[Review]:
    """The handed-in peer reviews of a submission a trainer has not set aside."""
    return list(db.scalars(select(Review).where(
        Review.submission_id == submission_id, Review.kind == "peer", Review.status == "done",
        Review.set_aside_reason.is_(None)).order_by(Review.id)))


def stranded_work(db: Session, course_id: str, assignment: Assignment, now: datetime,
                  days: int = allocation.STRANDED_AFTER_DAYS) -> list[Submission]:
    """Submissions still short of their peer reviews `days` after they were submitted."""
    if not assignment.peer_reviews:
        return []
    works, _rows, pool, leases = _pool(db, course_id, assignment.id)
    ids = {w.id for w in allocation.stranded(pool, leases, now, assignment.peer_reviews, days)}
    return [w for w in works if w.id in ids]


@dataclass
class Stranding:
    """What one look for stranded work found: every submission still short of peer reviews, those
    of them that entered the trainers' queue now, and those whose learner was told now."""
    stranded: list[Submission] = field(default_factory=list)
    queued: list[Submission] = field(default_factory=list)
    told: list[Submission] = field(default_factory=list)


def check_stranded(db: Session, course: CourseManifest, now: datetime | None = None,
                   days: int = allocation.STRANDED_AFTER_DAYS, tell: Callable | None = None,
                   only: int | None = None, assignment_id: str | None = None) -> Stranding:
    """The one home of stranded work: put each submission still short of peer reviews after
    `days` in the trainers' queue ("stranded") and tell its learner once, `tell(user, course,
    assignment)` (a mail; None: the page says it), recorded as a ReminderSent of step "stranded".
    `only`: one learner's submissions; `assignment_id`: one assignment's. The learner's own page
    runs it for them, `sweep` for every course. Not committed."""
    now = now or utcnow()
    found = Stranding()
    for assignment in course.assignments.values():
        if assignment_id is not None and assignment.id != assignment_id:
            continue
        for work in stranded_work(db, course.id, assignment, now, days):
            if only is not None and work.user_id != only:
                continue
            if trainer_queue.queued(db, work.id) is None:
                found.queued.append(work)
            trainer_queue.enqueue(db, work, "stranded", due_at=trainer_queue.feedback_due(assignment, work))
            told = db.scalar(select(ReminderSent.id).where(
                ReminderSent.user_id == work.user_id, ReminderSent.course_id == course.id,
                ReminderSent.assignment_id == assignment.id, ReminderSent.step == STRANDED_STEP).limit(1))
            if told is None:
                db.add(ReminderSent(user_id=work.user_id, course_id=course.id, assignment_id=assignment.id,
                                    step=STRANDED_STEP, sent_on=now.date()))
                if tell is not None:
                    tell(db.get(User, work.user_id), course, assignment)
                found.told.append(work)
            found.stranded.append(work)
    return found


@dataclass
class Swept:
    """What a sweep over every course put in the trainers' queue, and whom it told."""
    stranded: list[Submission] = field(default_factory=list)
    disagreement: list[Submission] = field(default_factory=list)
    told: list[Submission] = field(default_factory=list)


def sweep(db: Session, courses, days: int = allocation.STRANDED_AFTER_DAYS, now: datetime | None = None,
          tell: Callable | None = None) -> Swept:
    """The grading job's pass over every course (`brokerlearn assignments sweep`): stranded work
    (check_stranded), and work whose peers have all reviewed but disagree widely and that no
    trainer has in the queue yet (trainer_queue.queue_disagreement, as when a review is handed
    in). Not committed."""
    found = Swept()
    for course in courses.all():
        stranding = check_stranded(db, course, now, days, tell)
        found.stranded += stranding.queued
        found.told += stranding.told
        for assignment in course.assignments.values():
            if not assignment.peer_reviews:
                continue
            for work in _submitted(db, course.id, assignment.id):
                if trainer_queue.queued(db, work.id) is None and trainer_queue.queue_disagreement(
                        db, assignment, work, done_peer_reviews(db, work.id)):
                    found.disagreement.append(work)
    return found


# ---- self-review, the trainer's review on request --------------------------------------------

def save_self_review(db: Session, user_id: int, course: CourseManifest, assignment_id: str, given,
                     comment) -> dict:
    assignment = assignment_or_404(course, assignment_id)
    if not assignment.self_review:
        raise ApiError(409, "this assignment has no self-review", "no_self_step")
    work = _own_submitted(db, user_id, course.id, assignment.id)
    if work is None:
        raise ApiError(409, "submit your work first; then you review it", "submit_first")
    if comment is not None and (not isinstance(comment, str) or len(comment) > MAX_COMMENT):
        raise ApiError(422, f"the comment is a text of at most {MAX_COMMENT} characters", "invalid")
    ratings = check_ratings(assignment, given, complete=True, comments=False)
    row = db.scalar(select(Review).where(Review.submission_id == work.id, Review.kind == "self"))
    now = utcnow()
    if row is None:
        row = Review(kind="self", submission_id=work.id, course_id=course.id, assignment_id=assignment.id,
                     reviewer_id=user_id, started_at=now)
        db.add(row)
    row.ratings, row.comment, row.status, row.finished_at = ratings, (comment or "").strip(), "done", now
    db.commit()
    return {"id": row.id, "ratings": row.ratings, "comment": row.comment, "finished_at": _iso(now)}


def request_trainer(db: Session, user_id: int, course: CourseManifest, assignment_id: str) -> dict:
    """The learner asks for a trainer's review of their latest submitted work."""
    assignment = assignment_or_404(course, assignment_id)
    work = _own_submitted(db, user_id, course.id, assignment.id)
    if work is None:
        raise ApiError(409, "submit your work first", "submit_first")
    task = trainer_queue.enqueue(db, work, "requested", due_at=trainer_queue.feedback_due(assignment, work))
    db.commit()
    return {"queued": True, "since": _iso(_aware(task.queued_at))}


def on_submitted(db: Session, assignment: Assignment, work: Submission) -> None:
    """When work is submitted (not committed): a resubmission, or the first attempt of an
    assignment with a trainer step, enters the trainers' queue."""
    if work.attempt > 1:
        trainer_queue.enqueue(db, work, "resubmitted", due_at=trainer_queue.feedback_due(assignment, work))
    elif assignment.trainer:
        trainer_queue.enqueue(db, work, "trainer", due_at=trainer_queue.feedback_due(assignment, work))


# ---- after release: feedback, helpfulness ----------------------------------------------------

def _rating_view(assignment: Assignment, ratings: dict) -> list[dict]:
    out = []
    for criterion in assignment.rubric.criteria:
        rating = ratings.get(criterion.id) or {}
        item = {"criterion": criterion.id, "title": criterion.title, "kind": criterion.kind,
                "comment": rating.get("comment", "")}
        if criterion.kind == "levels" and "level" in rating:
            item["level"] = criterion.levels[level_index(criterion, rating["level"])].title
        if criterion.scored and rated(criterion, rating):
            item["points"], item["max"] = points_of(criterion, rating), criterion.top
        if "checks" in rating:
            item["checks"] = rating["checks"]
        out.append(item)
    return out


def _result_view(result: AssignmentResult) -> dict:
    return {"score": result.score, "max_score": result.max_score, "passed": result.passed, "method": result.method,
            "feedback": result.feedback, "released_at": _iso(_aware(result.released_at)),
            "rubric_version": result.rubric_version,
            "criteria": [{key: c.get(key) for key in ("id", "title", "level", "points", "checks", "score", "max",
                                                      "comment", "source", "outcomes") if key in c}
                         for c in result.criteria]}


def feedback(db: Session, user_id: int, course: CourseManifest, assignment_id: str) -> dict:
    """The learner's feedback, attempt by attempt, of each released result only: the trainer's
    result per criterion with how it was computed, the peer reviews (anonymous: "Reviewer 1",
    ...) with their helpfulness, and the learner's own self-review."""
    assignment = assignment_or_404(course, assignment_id)
    rows = list(db.scalars(select(Submission).where(
        Submission.user_id == user_id, Submission.course_id == course.id, Submission.assignment_id == assignment.id,
        Submission.status == "submitted").order_by(Submission.attempt)))
    attempts = []
    for work in rows:
        result = released_result(db, work.id)
        if result is None:
            continue
        peers = [{"id": r.id, "number": n, "ratings": _rating_view(assignment, r.ratings),
                  "comment": r.comment, "helpful": r.helpful, "set_aside": bool(r.set_aside_reason)}
                 for n, r in enumerate(db.scalars(select(Review).where(
                     Review.submission_id == work.id, Review.kind == "peer", Review.status == "done")
                     .order_by(Review.id)), 1)]
        own = db.scalar(select(Review).where(Review.submission_id == work.id, Review.kind == "self"))
        attempts.append({"attempt": work.attempt, "submission": submission_json(db, work),
                         "result": _result_view(result), "peer_reviews": peers,
                         "self_review": {"ratings": _rating_view(assignment, own.ratings), "comment": own.comment}
                         if own else None})
    return {"course": course.id, "assignment": assignment.id, "title": assignment.title, "released": bool(attempts),
            "attempts": attempts}


def rate_helpful(db: Session, user_id: int, review_id: int, helpful) -> dict:
    """The submitter rates how helpful a review of their released work was, 1 to 5."""
    if isinstance(helpful, bool) or not isinstance(helpful, int) or not 1 <= helpful <= 5:
        raise ApiError(422, "'helpful' is a whole number from 1 to 5", "invalid")
    review = db.get(Review, review_id)
    work = db.get(Submission, review.submission_id) if review is not None and review.submission_id else None
    if work is None or work.user_id != user_id or review.kind != "peer" or review.status != "done" \
            or released_result(db, work.id) is None:
        raise ApiError(404, "no such review of your released work", "unknown_review")
    review.helpful = helpful
    db.commit()
    return {"id": review.id, "helpful": helpful}


# ---- the learner's own state ---------------------------------------------------------------

def state(db: Session, user_id: int, course: CourseManifest, assignment_id: str, now: datetime | None = None,
          days: int = allocation.STRANDED_AFTER_DAYS) -> dict:
    """What the learner has done of each step and what is next; nothing of the reviews of their
    own work or of its result before release (only that it is released, and whether their work
    went to the trainer for want of peers)."""
    assignment = assignment_or_404(course, assignment_id)
    now = now or utcnow()
    rows = attempts_of(db, user_id, course.id, assignment.id)
    work = next((r for r in reversed(rows) if r.status == "submitted"), None)
    steps = [{"step": "submit", "done": work is not None, "at": _iso(_aware(work.submitted_at)) if work else None,
              "attempt": rows[-1].attempt if rows else 0, "draft": bool(rows) and rows[-1].status == "draft"}]
    if assignment.examples:
        tries = _practice_rows(db, user_id, course.id, assignment.id)
        rated_ids = {r.example_id for r in tries}
        steps.append({"step": "practice", "done": all(e.id in rated_ids for e in assignment.examples),
                      "rated": len(rated_ids & {e.id for e in assignment.examples}),
                      "examples": len(assignment.examples), "passed": _passed(assignment, tries)})
    if assignment.peer_reviews:
        mine = [r for r in _peer_rows(db, course.id, assignment.id) if r.reviewer_id == user_id]
        given = sum(1 for r in mine if r.status == "done")
        open_review = next((r.id for r in mine if r.status == "open"), None)
        waiting = False
        if work is not None and open_review is None and given < assignment.peer_reviews:
            _w, _r, pool, leases = _pool(db, course.id, assignment.id)
            waiting = allocation.next_review(user_id, pool, leases, now, assignment.peer_reviews, days) is None
        steps.append({"step": "peer", "done": given >= assignment.peer_reviews, "given": given,
                      "needed": assignment.peer_reviews, "open_review": open_review, "waiting_for_work": waiting})
    if assignment.self_review:
        own = db.scalar(select(Review).where(Review.submission_id == work.id, Review.kind == "self")) if work else None
        steps.append({"step": "self", "done": own is not None, "optional": True,
                      **({"ratings": own.ratings, "comment": own.comment} if own else {})})  # the learner's own
    result = released_result(db, work.id) if work else None
    task = db.scalar(select(TrainerTask).where(TrainerTask.submission_id == work.id)) if work else None
    if assignment.trainer or task is not None:
        steps.append({"step": "trainer", "done": result is not None, "queued": task is not None})
    steps.append({"step": "feedback", "done": result is not None and all(
        r.helpful is not None for r in done_peer_reviews(db, work.id))} if work else {"step": "feedback", "done": False})
    stranded = bool(work) and any(w.id == work.id for w in stranded_work(db, course.id, assignment, now, days))
    nxt = next((s["step"] for s in steps if not s["done"] and not s.get("optional")
                and not (s["step"] == "peer" and s["waiting_for_work"])), None)
    if result is not None:  # released: the feedback is what is next (reviewing others stays open)
        nxt = None if steps[-1]["done"] else "feedback"
    attempts = attempts_open(db, assignment, rows)
    return {"course": course.id, "assignment": assignment.id, "steps": steps, "next": nxt,
            "rubric": assignment.rubric.to_json(),  # public: the page's table, for the forms
            "released": result is not None, "stranded": stranded, "trainer_step": assignment.trainer,
            "trainer_requested": task is not None and task.reason == "requested" and task.done_at is None,
            "resubmit": {"rule": assignment.resubmit, "open": attempts.open and work is not None,
                         "why_not": attempts.reason, "attempts_left": attempts.left,
                         "max_attempts": assignment.max_attempts}}
