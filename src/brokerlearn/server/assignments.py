"""Assessed work (issue 18): /api/assignments/<course>/<assignment>[/draft[/files[/<id>]]|/submit]
for the learner's own work, and /api/submissions/<id>[/files/<id>] for whoever may read a
submission (services/submissions.py can_read_submission). Every write needs the CSRF token."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, jsonify, request, send_file
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from brokerlearn.server import db
from brokerlearn.server.errors import ApiError
from brokerlearn.server.json_requests import course_or_404, json_body
from brokerlearn.server.models import Submission
from brokerlearn.server.security import csrf
from brokerlearn.server.services import submissions

bp = Blueprint("assignments", __name__, url_prefix="/api")
# Headers of a downloaded file: always saved, never shown in the page's origin, never sniffed.
FILE_CSP = "default-src 'none'; sandbox"
FORM_OVERHEAD = 64 * 1024  # the multipart envelope around one file


def _instance() -> Path:
    return Path(current_app.instance_path)


@bp.get("/assignments/<course_id>/<assignment_id>")
@login_required
def status(course_id: str, assignment_id: str):
    return jsonify(submissions.status(db.session(), current_user.id, course_or_404(course_id), assignment_id))


@bp.put("/assignments/<course_id>/<assignment_id>/draft")
@login_required
def save_draft(course_id: str, assignment_id: str):
    body = json_body()
    return jsonify(submissions.save_draft(db.session(), current_user.id, course_or_404(course_id), assignment_id,
                                          body.get("text")))


@bp.post("/assignments/<course_id>/<assignment_id>/draft/files")
@csrf.exempt  # checked below, once the body may be as large as the assignment's files
@login_required
def add_file(course_id: str, assignment_id: str):
    course = course_or_404(course_id)
    assignment = submissions.assignment_or_404(course, assignment_id)
    limit = submissions.max_upload_bytes(assignment)
    request.max_content_length = limit + FORM_OVERHEAD  # read no more than the file may be
    try:
        csrf.protect()  # the same check as every other write (it reads the form, hence here)
        upload = request.files.get("file")
    except RequestEntityTooLarge:
        raise ApiError(413, f"the file is larger than {limit / 1e6:g} MB", "too_large") from None
    if upload is None:
        raise ApiError(422, "send the file as multipart/form-data, field 'file'", "no_file")
    data = upload.read(limit + 1)
    found = submissions.add_file(db.session(), _instance(), current_user.id, course, assignment_id,
                                 submissions.Upload(upload.filename, data))
    return jsonify(found), 201


@bp.delete("/assignments/<course_id>/<assignment_id>/draft/files/<int:file_id>")
@login_required
def remove_file(course_id: str, assignment_id: str, file_id: int):
    submissions.remove_file(db.session(), _instance(), current_user.id, course_or_404(course_id), assignment_id,
                            file_id)
    return "", 204


@bp.post("/assignments/<course_id>/<assignment_id>/submit")
@login_required
def submit(course_id: str, assignment_id: str):
    return jsonify(submissions.submit(db.session(), current_user.id, course_or_404(course_id), assignment_id))


@bp.get("/submissions/<int:submission_id>")
@login_required
def read_submission(submission_id: int):
    session = db.session()
    work = submissions.readable(session, current_user, submission_id)
    return jsonify(submissions.submission_json(session, work, peer=submissions.reads_as_peer(current_user, work)))


@bp.get("/submissions/<int:submission_id>/files/<int:file_id>")
@login_required
def read_file(submission_id: int, file_id: int):
    session = db.session()
    row, path = submissions.readable_file(session, _instance(), current_user, submission_id, file_id)
    name = row.name
    work = session.get(Submission, submission_id)
    if submissions.reads_as_peer(current_user, work):  # a reviewer never learns the learner's file names
        name = submissions.neutral_name([f.id for f in submissions.files_of(session, work)].index(row.id) + 1, row)
    return inert_download(row, path, name)


def inert_download(row, path: Path, name: str):
    """A submitted file as it is always served: an attachment under `name`, never cached, with a
    sandboxing CSP and nosniff, so nothing in it can run in the site's origin. A file no longer
    kept is a 404."""
    if not path.is_file():
        raise ApiError(404, "the file is no longer kept", "unknown_file")
    response = send_file(path, mimetype=row.mime, as_attachment=True, download_name=name, max_age=0,
                         conditional=False, etag=False)
    response.headers["Content-Security-Policy"] = FILE_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/timeline/<course_id>")
@login_required
def timeline_of(course_id: str):
    """The signed-in learner's timeline of each assignment of the course (of one module's with
    ?module=SLUG), in the interface language: what timeline.js shows on lessons and module pages."""
    from brokerlearn.server.language import current
    from brokerlearn.server.services import timeline
    course = course_or_404(course_id)
    found = timeline.for_learner(db.session(), current_user.id, course, module=request.args.get("module") or None)
    lang = current()
    return jsonify({"course": course.id, "assignments": [timeline.words(t, lang) for t in found]})
