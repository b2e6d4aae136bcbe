"""Graded quiz attempts: /api/quizzes/<course>/<quiz>[/attempts[/<id>]]."""
from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import current_user, login_required

from brokerlearn.server import db
from brokerlearn.server.json_requests import course_or_404, json_body
from brokerlearn.server.services import attempts

bp = Blueprint("quiz", __name__, url_prefix="/api/quizzes")


@bp.get("/<course_id>/<quiz_id>")
@login_required
def quiz_status(course_id: str, quiz_id: str):
    return jsonify(attempts.status(db.session(), current_user.id, course_or_404(course_id), quiz_id))


@bp.post("/<course_id>/<quiz_id>/attempts")
@login_required
def start_attempt(course_id: str, quiz_id: str):
    return jsonify(attempts.start(db.session(), current_user.id, course_or_404(course_id), quiz_id)), 201


@bp.post("/<course_id>/<quiz_id>/attempts/<int:attempt_id>")
@login_required
def submit_attempt(course_id: str, quiz_id: str, attempt_id: int):
    body = json_body()
    course = course_or_404(course_id)
    return jsonify(attempts.submit(db.session(), current_user.id, course, quiz_id, attempt_id, body.get("answers")))
