"""/dashboard, the progress API (/api/session, /api/progress) and the assessments' status (/api/assessments)."""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import current_user, login_required

from brokerlearn.server.language import current as current_language
from brokerlearn.server.language import gettext as _
from brokerlearn.server import db
from brokerlearn.server.json_requests import course_or_404, json_body
from brokerlearn.server.courses import catalog
from brokerlearn.server.contexts import DashboardPage
from brokerlearn.server.rendering import render
from brokerlearn.server.security import csrf_token
from brokerlearn.server.services import progress, timeline
from brokerlearn.server.services.assessments import course_assessments
from brokerlearn.server.services.counting import outcome_scores
from brokerlearn.server.services.certificates import eligibility
from brokerlearn.server.services.enrolment import learner_groups

bp = Blueprint("learn", __name__)


@bp.get("/api/session")
def session_info():
    """Lets a page know a server is there, who is signed in, and the CSRF token for its calls."""
    return jsonify(session_document(current_user if current_user.is_authenticated else None, csrf_token()))


def session_document(user, csrf: str) -> dict:
    """GET /api/session's answer, here and in the thin layer below Flask (server/thin_api.py)."""
    account = {"email": user.email, "name": user.name, "role": user.role} if user is not None else None
    return {"server": "brokerlearn", "user": account, "csrf_token": csrf}


@bp.get("/api/progress/<course_id>")
@login_required
def get_progress(course_id: str):
    course = course_or_404(course_id)
    session = db.session()
    data = progress.course_progress(session, current_user.id, course)
    data["quizzes"] = progress.attempts_overview(session, current_user.id, course)
    data["outcomes"] = outcome_scores(session, current_user.id, course)
    return jsonify(data)


@bp.get("/api/assessments/<course_id>")
@login_required
def get_assessments(course_id: str):
    """The signed-in learner's status in each graded quiz of the course (assessments.js)."""
    course = course_or_404(course_id)
    return jsonify({"course": course.id, "assessments": course_assessments(db.session(), current_user.id, course)})


@bp.post("/api/progress")
@login_required
def post_progress():
    body = json_body()
    result = progress.record_events(db.engine(), current_user.id, body.get("events"), catalog())
    answer, status = progress_answer(result, body["events"])
    return jsonify(answer), status


def progress_answer(result: dict, events: list) -> tuple[dict, int]:
    """POST /api/progress's answer and status, here and in server/thin_api.py: a 422 when no
    event could be acknowledged."""
    if result["rejected"] and len(result["rejected"]) == len(events):  # nothing to acknowledge
        first = result["rejected"][0]
        return {"error": {"code": "invalid_event", "message": first["message"]}, **result}, 422
    return result, 200


@bp.get("/dashboard")
@login_required
def dashboard():
    session = db.session()
    courses, lang = [], current_language()
    for course in catalog().all():
        summary = progress.course_progress(session, current_user.id, course)
        summary["quizzes"] = course_assessments(session, current_user.id, course)
        summary["assignments"] = [timeline.words(t, lang) for t in timeline.for_learner(session, current_user.id, course)]
        summary["certificate"] = certificate = eligibility(session, current_user.id, course)
        if certificate:
            summary["outcome_units"] = outcome_units(course, certificate["outcomes"])
            summary["missing_besides_outcomes"] = _missing_besides_outcomes(certificate)
        courses.append(summary)
    return render(DashboardPage(title=_("Your learning"), courses=courses, user=current_user, hours=_duration,
                                groups=learner_groups(session, current_user.id, catalog())))


def _duration(seconds: int) -> str:
    if seconds < 60:
        return _("less than a minute")
    if seconds < 3600:
        return _("%(minutes)s min") % {"minutes": seconds // 60}
    return _("%(hours)s h %(minutes)s min") % {"hours": seconds // 3600, "minutes": seconds % 3600 // 60}


def outcome_units(course, outcomes: list[dict]) -> list[dict]:
    """The certificate's outcomes grouped by the profile's units (once each, in the profile's
    order): `id`, `title` (None for outcomes in no unit), `outcomes`, `met` (how many reached)."""
    units = {unit.id: unit for unit in course.profile.units} if course.profile else {}
    groups: dict[str | None, list[dict]] = {}
    for outcome in outcomes:
        unit = course.outcomes[outcome["id"]].unit if outcome["id"] in course.outcomes else None
        groups.setdefault(unit if unit in units else None, []).append(outcome)
    order = [u for u in units if u in groups] + ([None] if None in groups else [])
    return [{"id": u, "title": units[u].title if u else None, "outcomes": groups[u],
             "met": sum(1 for o in groups[u] if o["met"])} for u in order]


def _missing_besides_outcomes(certificate: dict) -> list[str]:
    """What the certificate still needs other than outcomes (those are marked in the outcome
    list already, so the dashboard does not name them twice)."""
    unmet = [o["id"] for o in certificate["outcomes"] if not o["met"]]
    listed = set(certificate.get("assignment_missing") or ())  # the assignments' list marks them too
    return [line for line in certificate["missing"]
            if not any(line.startswith(f"{oid} ") for oid in unmet) and line not in listed]
