"""/admin/grading: the trainers' queue of assessed work, the grading page with claims, the
comment bank, set-aside and release (issue 18, items 5 and 6). Admins and trainers only
(access.requires); a task is found through _task_or_404, the one place that decides whether the
signed-in trainer may see its learner (a trainer of another group gets 404). The work is done by
services/grading.py and services/trainer_queue.py; every write is a form with the CSRF token."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from brokerlearn.server import access, db
from brokerlearn.server import contexts as ctx
from brokerlearn.server.courses import catalog
from brokerlearn.server.language import gettext as _
from brokerlearn.server.models import (AssignmentResult, CommentBankEntry, Group, GroupMember, Review, Submission,
                                       TrainerTask, User)
from brokerlearn.server.rendering import render
from brokerlearn.server.services import grading, submissions, trainer_queue

bp = Blueprint("grading", __name__, url_prefix="/admin/grading")
MAX_BANK = 100  # comments a trainer keeps per course


def N_(text: str) -> str:
    return text


REASONS = {"trainer": N_("trainer's review"), "stranded": N_("short of peer reviews"),
           "disagreement": N_("peers disagree"), "requested": N_("the learner asked"),
           "resubmitted": N_("resubmitted")}


def _task_or_404(task_id: int) -> tuple[TrainerTask, Submission]:
    session = db.session()
    task = session.get(TrainerTask, task_id)
    submission = session.get(Submission, task.submission_id) if task is not None else None
    if submission is None or not access.can_see_learner(current_user, submission.user_id):
        abort(404)
    return task, submission


def _assignment_or_404(task: TrainerTask):
    course = catalog().get(task.course_id)
    assignment = course.assignments.get(task.assignment_id) if course else None
    if assignment is None:
        abort(404)
    return course, assignment


# -- the queue --------------------------------------------------------------------------------

@bp.get("")
@access.requires("admin", "trainer")
def queue():
    session = db.session()
    learners = access.visible_learner_ids(current_user)
    items = trainer_queue.waiting(session, learners, catalog(), current_user.id)
    groups = access.visible_group_ids(current_user)
    listed = select(Group).order_by(Group.name)
    if groups is not None:
        listed = listed.where(Group.id.in_(groups))
    return render(ctx.GradingQueuePage(
        title=_("Assessed work to grade"), items=items, releasable=_releasable(learners),
        groups=session.scalars(listed).all(), everyone=groups is None,
        reasons={k: _(v) for k, v in REASONS.items()}))


def _releasable(learners) -> list[dict]:
    """Per assignment, the graded results not yet released, each with its task (to look again)."""
    session = db.session()
    statement = (select(AssignmentResult, User, TrainerTask.id)
                 .join(User, User.id == AssignmentResult.user_id)
                 .join(TrainerTask, TrainerTask.submission_id == AssignmentResult.submission_id)
                 .where(AssignmentResult.released_at.is_(None)).order_by(User.name, User.email))
    if learners is not None:
        statement = statement.where(AssignmentResult.user_id.in_(learners))
    found: dict[tuple[str, str], list] = {}
    for result, learner, task_id in session.execute(statement).all():
        found.setdefault((result.course_id, result.assignment_id), []).append(
            {"task": task_id, "learner": _learner_name(learner), "score": result.score,
             "max_score": result.max_score, "passed": result.passed})
    rows = []
    for (course_id, assignment_id), results in sorted(found.items()):
        course = catalog().get(course_id)
        assignment = course.assignments.get(assignment_id) if course else None
        rows.append({"course": course_id, "assignment": assignment_id, "count": len(results), "results": results,
                     "course_title": course.title if course else course_id,
                     "assignment_title": assignment.title if assignment else assignment_id})
    return rows


@bp.post("/release")
@access.requires("admin", "trainer")
def release():
    """Release the graded results of one assignment together: of one group, of every learner
    the viewer may see (no group), or one result (`result`)."""
    session = db.session()
    form = request.form
    learners = access.visible_learner_ids(current_user)
    if form.get("result"):
        result = session.get(AssignmentResult, _number(form.get("result")))
        if result is None or not access.can_see_learner(current_user, result.user_id):
            abort(404)
        results, what = [result], f"{result.course_id}/{result.assignment_id}"
    else:
        course_id, assignment_id = form.get("course", ""), form.get("assignment", "")
        what = f"{course_id}/{assignment_id}"
        if form.get("group"):
            group_id = _number(form.get("group"))
            if not access.can_see_group(current_user, group_id):
                abort(404)
            learners = select(GroupMember.user_id).where(GroupMember.group_id == group_id)
            what += f" ({session.get(Group, group_id).name})"
        results = grading.unreleased(session, course_id, assignment_id, learners)
    count = grading.release(session, access.current_actor(), results, what)
    flash(_("%(num)d result(s) released.") % {"num": count})
    back = form.get("back", "")
    return redirect(back if back.startswith("/admin/grading") else url_for("grading.queue"), 303)


def _number(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        abort(404)


# -- claims -----------------------------------------------------------------------------------

@bp.post("/<int:task_id>/claim")
@access.requires("admin", "trainer")
def claim(task_id: int):
    task, _submission = _task_or_404(task_id)
    try:
        grading.claim(db.session(), access.current_actor(), task)
    except grading.GradingError as exc:
        flash(exc.message)
        return redirect(url_for("grading.queue"), 303)
    return redirect(url_for("grading.grade", task_id=task.id), 303)


@bp.post("/<int:task_id>/unclaim")
@access.requires("admin", "trainer")
def unclaim(task_id: int):
    task, _submission = _task_or_404(task_id)
    grading.unclaim(db.session(), access.current_actor(), task)
    return redirect(url_for("grading.queue"), 303)


# -- the grading page -------------------------------------------------------------------------

@bp.route("/<int:task_id>", methods=["GET", "POST"])
@access.requires("admin", "trainer")
def grade(task_id: int):
    task, submission = _task_or_404(task_id)
    course, assignment = _assignment_or_404(task)
    if request.method == "GET":
        return _page(task, submission, course, assignment, _saved_ratings(submission), _saved_feedback(submission))
    ratings, feedback = _form_ratings(assignment), request.form.get("feedback", "")
    action = request.form.get("action", "save")
    if action.startswith("insert:") or action.startswith("bank:"):
        return _bank(task, submission, course, assignment, ratings, feedback, action)
    session = db.session()
    try:
        if action == "confirm":
            ratings = grading.confirmed_ratings(assignment, grading.peer_reviews(session, submission.id),
                                                {cid: r.get("comment", "") for cid, r in ratings.items()})
        grading.save(session, access.current_actor(), task, assignment, ratings, feedback, confirm=action == "confirm")
    except grading.GradingError as exc:
        return _page(task, submission, course, assignment, ratings, feedback, error=exc.message, status=exc.status)
    flash(_("Saved: %(title)s, %(name)s.") % {"title": assignment.title,
                                              "name": _learner_name(session.get(User, submission.user_id))})
    if action == "save_next":
        following = trainer_queue.next_free(trainer_queue.waiting(
            session, access.visible_learner_ids(current_user), catalog(), current_user.id), task.id)
        if following is not None:
            try:
                grading.claim(session, access.current_actor(), following.task)
                return redirect(url_for("grading.grade", task_id=following.task.id), 303)
            except grading.GradingError:
                pass
        return redirect(url_for("grading.queue"), 303)
    return redirect(url_for("grading.grade", task_id=task.id), 303)


def _learner_name(user: User) -> str:
    return user.name or user.email


def _form_ratings(assignment) -> dict:
    """What the grading form holds, per criterion, as ratings (checked when saved)."""
    form, ratings = request.form, {}
    for criterion in assignment.rubric.criteria:
        rating = {"comment": form.get(f"comment-{criterion.id}", "")}
        if criterion.kind == "levels" and form.get(f"level-{criterion.id}"):
            rating["level"] = form.get(f"level-{criterion.id}")
        elif criterion.kind == "points" and form.get(f"points-{criterion.id}", "").strip():
            rating["points"] = form.get(f"points-{criterion.id}").strip().replace(",", ".")
        elif criterion.kind == "checklist":
            ticked = set(form.getlist(f"check-{criterion.id}"))
            rating["checks"] = [item for index, item in enumerate(criterion.items) if str(index) in ticked]
        ratings[criterion.id] = rating
    return ratings


def _saved_ratings(submission: Submission) -> dict:
    result = grading.result_of(db.session(), submission.id)
    return {c["id"]: c for c in result.criteria} if result is not None else {}


def _saved_feedback(submission: Submission) -> str:
    result = grading.result_of(db.session(), submission.id)
    return result.feedback if result is not None else ""


def _bank(task, submission, course, assignment, ratings: dict, feedback: str, action: str):
    """Save the comment of a criterion to the bank (`bank:ID`), or insert a saved one into it
    (`insert:ENTRY@CRITERION`); the page comes back with what the form held, nothing graded yet."""
    session = db.session()
    kind, _sep, key = action.partition(":")
    if kind == "bank":
        text = (ratings.get(key) or {}).get("comment", "").strip()
        if assignment.rubric.criterion(key) is None or not text:
            return _page(task, submission, course, assignment, ratings, feedback, focus=key,
                         error=_("Write the comment first, then save it to the bank."), status=422)
        mine = session.scalars(select(CommentBankEntry).where(CommentBankEntry.owner_id == current_user.id,
                                                              CommentBankEntry.course_id == course.id)).all()
        if not any(e.text == text and e.criterion_id == key for e in mine) and len(mine) < MAX_BANK:
            session.add(CommentBankEntry(owner_id=current_user.id, course_id=course.id, criterion_id=key,
                                         text=text[:grading.MAX_COMMENT]))
            session.commit()
        return _page(task, submission, course, assignment, ratings, feedback, focus=key)
    entry_id, _sep, target = key.partition("@")
    entry = session.get(CommentBankEntry, _number(entry_id))
    if entry is None or entry.owner_id != current_user.id:
        abort(404)
    target = target or entry.criterion_id or ""
    if target in ratings:
        before = ratings[target].get("comment", "").rstrip()
        ratings[target]["comment"] = f"{before}\n{entry.text}" if before else entry.text
    return _page(task, submission, course, assignment, ratings, feedback, focus=target)


@bp.post("/<int:task_id>/reviews/<int:review_id>")
@access.requires("admin", "trainer")
def set_aside(task_id: int, review_id: int):
    """Set one peer review aside with a reason (an empty reason counts it again)."""
    task, submission = _task_or_404(task_id)
    session = db.session()
    review = session.get(Review, review_id)
    if review is None or review.submission_id != submission.id:
        abort(404)
    reason = request.form.get("reason", "") if request.form.get("action") != "count" else ""
    if request.form.get("action") != "count" and not reason.strip():
        flash(_("Give the reason for setting the review aside."))
    else:
        try:
            grading.set_aside(session, access.current_actor(), review, reason)
        except grading.GradingError as exc:
            flash(exc.message)
    return redirect(url_for("grading.grade", task_id=task.id) + "#peer-reviews", 303)


def _claim_state(task: TrainerTask) -> tuple[str, str]:
    session = db.session()
    if task.done_at is not None and task.claimed_by is None:
        return "done", ""
    if task.claimed_by == current_user.id:
        return "mine", ""
    if task.claimed_by is None:
        return "free", ""
    name = grading.holder_name(session, task)
    return ("held" if grading.claim_live(task) else "lapsed"), name


def _page(task, submission, course, assignment, ratings: dict, feedback: str, focus: str | None = None,
          error: str | None = None, status: int = 200):
    session = db.session()
    reviews = grading.peer_reviews(session, submission.id)
    figures = grading.peer_figures(assignment.rubric, reviews)
    bank = session.scalars(select(CommentBankEntry).where(CommentBankEntry.owner_id == current_user.id,
                                                          CommentBankEntry.course_id == course.id)
                           .order_by(CommentBankEntry.id)).all()
    rows = []
    for criterion in assignment.rubric.criteria:
        figure = figures.get(criterion.id)
        level = (next((l.title for l in criterion.levels if l.id == figure.rating.get("level")), None)
                 if figure is not None and criterion.kind == "levels" else None)
        rows.append({"criterion": criterion, "rating": ratings.get(criterion.id) or {}, "figure": figure,
                     "peer_level": level,
                     "bank": [e for e in bank if e.criterion_id in (None, criterion.id)]})
    claim, holder = _claim_state(task)
    return render(ctx.GradingPage(
        title=_("Grade: %(title)s") % {"title": assignment.title}, task=task,
        learner=session.get(User, submission.user_id), submission=submissions.submission_json(session, submission),
        course_title=course.title, assignment=assignment, rows=rows, reviews=_anonymous(assignment, reviews),
        disagreement=grading.disagreement(assignment, reviews), claim=claim, holder=holder,
        result=grading.result_of(session, submission.id), feedback=feedback, focus=focus, error=error,
        peers_weighted=grading.peers_count(session, course.id, assignment, reviews),
        self_review=_self_review(assignment, submission)), status)


def _self_review(assignment, submission: Submission) -> dict | None:
    """The learner's own finished self-review of this submission, in words, or None."""
    review = db.session().scalar(select(Review).where(Review.submission_id == submission.id, Review.kind == "self",
                                                      Review.status == "done").order_by(Review.id.desc()).limit(1))
    return _described(assignment, review, _("Self-review")) if review is not None else None


def _anonymous(assignment, reviews: list[Review]) -> list[dict]:
    """The peer reviews without their reviewers: numbered in the order they were finished."""
    return [_described(assignment, review, _("Reviewer %(num)d") % {"num": number})
            for number, review in enumerate(reviews, start=1)]


def _described(assignment, review: Review, label: str) -> dict:
    given = []
    for criterion in assignment.rubric.criteria:
        rating = (review.ratings or {}).get(criterion.id) or {}
        if criterion.kind == "comment" and not rating.get("comment"):
            continue
        given.append({"title": criterion.title, "value": _in_words(criterion, rating),
                      "comment": rating.get("comment", "")})
    return {"label": label, "id": review.id, "ratings": given, "comment": review.comment,
            "set_aside_reason": review.set_aside_reason}


def _in_words(criterion, rating: dict) -> str:
    if criterion.kind == "levels":
        return next((l.title for l in criterion.levels if l.id == rating.get("level")), "—")
    if criterion.kind == "comment":
        return ""
    score = grading.score_of(criterion, rating)
    return "—" if score is None else _("%(score)s of %(max_score)s") % {
        "score": f"{score:g}", "max_score": f"{criterion.top:g}"}
