"""The learner's review steps of assessed work (issue 18), as JSON for assignment.js on the
lesson page: /api/assignments/<course>/<assignment>/{steps, practice[/<example>], peer-reviews,
self-review, trainer-request, feedback, attempts}; /api/reviews/<id>[/finish|/files/<id>|/helpful]
for the reviewer and the submitter; /api/submissions/<id>/resubmit-grant for a trainer. The
work is in services/reviews.py. Every write needs the CSRF token (CSRFProtect, app-wide)."""
from __future__ import annotations

import logging
from pathlib import Path

from flask import Blueprint, current_app, jsonify
from flask_login import current_user, login_required

from brokerlearn.server import db, mail
from brokerlearn.server.assignments import inert_download
from brokerlearn.server.errors import ApiError
from brokerlearn.server.json_requests import course_or_404, json_body
from brokerlearn.server.services import allocation, reminders, resubmission, reviews, trainer_queue

bp = Blueprint("reviews", __name__, url_prefix="/api")
log = logging.getLogger("brokerlearn.reviews")
BASE = "/assignments/<course_id>/<assignment_id>"


def _days() -> int:
    """Days after which work short of peer reviews goes to the trainer (a setting of grading's)."""
    return int(current_app.config.get("STRANDED_DAYS") or allocation.STRANDED_AFTER_DAYS)


def tell_stranded(user, course, assignment) -> None:
    """Mail a learner that their work went to the trainer for want of peer reviewers (the
    message: trainer_queue.stranded_message, as the sweep sends it)."""
    config = current_app.config
    message = trainer_queue.stranded_message(user, assignment.title, mail.public_url(f"/{course.id}/") or "",
                                             config["MAIL_FROM"], lang=reminders.language_of(db.session(), user, course))
    if not config.get("SMTP_HOST"):
        log.warning("stranded-work notice for %s (no SMTP configured): %s", user.email, assignment.id)
        return
    try:
        mail.deliver(config, message)
    except mail.MailError as exc:
        log.error("could not tell %s their work went to the trainer: %s", user.email, exc)


@bp.get(BASE + "/steps")
@login_required
def steps(course_id: str, assignment_id: str):
    course, session = course_or_404(course_id), db.session()
    reviews.assignment_or_404(course, assignment_id)
    reviews.check_stranded(session, course, days=_days(), tell=tell_stranded, only=current_user.id,
                           assignment_id=assignment_id)
    session.commit()
    return jsonify(reviews.state(session, current_user.id, course, assignment_id, days=_days()))


@bp.get(BASE + "/practice")
@login_required
def practice(course_id: str, assignment_id: str):
    return jsonify(reviews.practice(db.session(), current_user.id, course_or_404(course_id), assignment_id))


@bp.post(BASE + "/practice/<example_id>")
@login_required
def rate_example(course_id: str, assignment_id: str, example_id: str):
    body = json_body()
    return jsonify(reviews.rate_example(db.session(), current_user.id, course_or_404(course_id), assignment_id,
                                        example_id, body.get("ratings")))


@bp.post(BASE + "/peer-reviews")
@login_required
def request_peer_review(course_id: str, assignment_id: str):
    session = db.session()
    review = reviews.request_peer_review(session, current_user.id, course_or_404(course_id), assignment_id,
                                         days=_days())
    if review is None:
        return jsonify({"review": None, "message": "There is no work to review yet: try again later."})
    return jsonify({"review": reviews.reviewer_view(session, current_user.id, course_or_404, review.id)}), 201


@bp.get("/reviews/<int:review_id>")
@login_required
def read_review(review_id: int):
    return jsonify(reviews.reviewer_view(db.session(), current_user.id, course_or_404, review_id))


def _saved_review(review_id: int, finish: bool):
    """Keep the reviewer's ratings (and, with `finish`, hand the review in); answer its new view."""
    body, session = json_body(), db.session()
    reviews.save_peer_review(session, current_user.id, course_or_404, review_id, body.get("ratings"),
                             body.get("comment"), finish=finish)
    return jsonify(reviews.reviewer_view(session, current_user.id, course_or_404, review_id))


@bp.put("/reviews/<int:review_id>")
@login_required
def save_review(review_id: int):
    return _saved_review(review_id, finish=False)


@bp.post("/reviews/<int:review_id>/finish")
@login_required
def finish_review(review_id: int):
    return _saved_review(review_id, finish=True)


@bp.get("/reviews/<int:review_id>/files/<int:file_id>")
@login_required
def review_file(review_id: int, file_id: int):
    row, path, name = reviews.review_file(db.session(), Path(current_app.instance_path), current_user, review_id,
                                          file_id)
    return inert_download(row, path, name)


@bp.put("/reviews/<int:review_id>/helpful")
@login_required
def rate_helpful(review_id: int):
    return jsonify(reviews.rate_helpful(db.session(), current_user.id, review_id, json_body().get("helpful")))


@bp.put(BASE + "/self-review")
@login_required
def self_review(course_id: str, assignment_id: str):
    body = json_body()
    return jsonify(reviews.save_self_review(db.session(), current_user.id, course_or_404(course_id), assignment_id,
                                            body.get("ratings"), body.get("comment")))


@bp.post(BASE + "/trainer-request")
@login_required
def request_trainer(course_id: str, assignment_id: str):
    return jsonify(reviews.request_trainer(db.session(), current_user.id, course_or_404(course_id), assignment_id))


@bp.get(BASE + "/feedback")
@login_required
def feedback(course_id: str, assignment_id: str):
    return jsonify(reviews.feedback(db.session(), current_user.id, course_or_404(course_id), assignment_id))


@bp.post(BASE + "/attempts")
@login_required
def start_resubmission(course_id: str, assignment_id: str):
    return jsonify(resubmission.start_resubmission(db.session(), current_user.id, course_or_404(course_id),
                                              assignment_id)), 201


@bp.post("/submissions/<int:submission_id>/resubmit-grant")
@login_required
def grant_resubmission(submission_id: int):
    body, session = json_body(), db.session()
    from brokerlearn.server.models import Submission
    work = session.get(Submission, submission_id)
    if work is None:
        raise ApiError(404, "no such submission", "unknown_submission")
    return jsonify(resubmission.grant_resubmission(session, current_user, course_or_404(work.course_id), submission_id,
                                              body.get("note"))), 201
