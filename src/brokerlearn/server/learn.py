"""/dashboard and the progress API (/api/session, /api/progress)."""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import current_user, login_required

from brokerlearn.server.language import gettext as _
from brokerlearn.server import db
from brokerlearn.server.json_requests import course_or_404, json_body
from brokerlearn.server.courses import catalog
from brokerlearn.server.contexts import DashboardPage
from brokerlearn.server.rendering import render
from brokerlearn.server.security import csrf_token
from brokerlearn.server.services import progress
from brokerlearn.server.services.attempts import outcome_scores
from brokerlearn.server.services.certificates import eligibility

bp = Blueprint("learn", __name__)


@bp.get("/api/session")
def session_info():
    """Lets a page know a server is there, who is signed in, and the CSRF token for its calls."""
    user = None
    if current_user.is_authenticated:
        user = {"email": current_user.email, "name": current_user.name, "role": current_user.role}
    return jsonify({"server": "brokerlearn", "user": user, "csrf_token": csrf_token()})


@bp.get("/api/progress/<course_id>")
@login_required
def get_progress(course_id: str):
    course = course_or_404(course_id)
    session = db.session()
    data = progress.course_progress(session, current_user.id, course)
    data["quizzes"] = progress.attempts_overview(session, current_user.id, course)
    data["outcomes"] = outcome_scores(session, current_user.id, course)
    return jsonify(data)


@bp.post("/api/progress")
@login_required
def post_progress():
    body = json_body()
    result = progress.record_events(db.connection(), current_user.id, body.get("events"), catalog())
    if result["rejected"] and len(result["rejected"]) == len(body["events"]):  # nothing to acknowledge
        first = result["rejected"][0]
        return jsonify({"error": {"code": "invalid_event", "message": first["message"]}, **result}), 422
    return jsonify(result), 200


@bp.get("/dashboard")
@login_required
def dashboard():
    session = db.session()
    courses = []
    for course in catalog().all():
        summary = progress.course_progress(session, current_user.id, course)
        summary["quizzes"] = progress.attempts_overview(session, current_user.id, course)
        summary["certificate"] = eligibility(session, current_user.id, course)
        courses.append(summary)
    return render(DashboardPage(title=_("Your learning"), courses=courses, user=current_user, hours=_duration))


def _duration(seconds: int) -> str:
    if seconds < 60:
        return _("less than a minute")
    if seconds < 3600:
        return _("%(minutes)s min") % {"minutes": seconds // 60}
    return _("%(hours)s h %(minutes)s min") % {"hours": seconds // 3600, "minutes": seconds % 3600 // 60}
