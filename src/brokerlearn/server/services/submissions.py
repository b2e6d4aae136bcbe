"""Submissions of assessed work (issue 18): drafts saved as the learner writes, files checked by
their content and stored under names the server chooses, the submission itself, and who may read
what.

Who may read a submission is decided in one place, `can_read_submission`: the submitter, the
peers it was handed to for review (never shown the submitter's name), trainers of the learner's
groups, and administrators. Every view asks it.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import bleach
from markdown_it import MarkdownIt
from sqlalchemy import select
from sqlalchemy.orm import Session

from brokerlearn.course.assignment import Assignment
from brokerlearn.course.manifest import CourseManifest
from brokerlearn.server.errors import ApiError
from brokerlearn.server import access
from brokerlearn.server.models import Review, Submission, SubmissionFile, utcnow
from brokerlearn.server.services import uploads

FOLDER = "submissions"  # under the instance folder
MAX_TEXT = 100_000  # characters of a draft, whatever the assignment's word range
_MD = MarkdownIt("commonmark", {"html": False, "linkify": False}).disable("image")
_TAGS = {"p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a", "h1", "h2", "h3",
         "h4", "h5", "h6", "hr"}


def can_read_submission(user, submission: Submission, db: Session | None = None) -> bool:
    """Whether `user` (the signed-in account, or None) may read `submission` and its files: its
    submitter, a peer it was handed to for review (who is never shown the submitter's name: the
    views' job), a trainer of one of the submitter's groups, an administrator. The one rule;
    every view of a submission asks it."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.id == submission.user_id or user.role == "admin":
        return True
    if user.role == "trainer" and access.can_see_learner(user, submission.user_id):
        return True
    session = db if db is not None else access.db.session()
    return session.scalar(select(Review.id).where(
        Review.submission_id == submission.id, Review.reviewer_id == user.id,
        Review.kind == "peer").limit(1)) is not None


def reads_as_peer(user, submission: Submission) -> bool:
    """Whether `user` reads `submission` only as a peer reviewer: then nothing they are sent may
    name its learner, not even the names of the files (see neutral_name)."""
    return not (user.id == submission.user_id or user.role == "admin"
                or (user.role == "trainer" and access.can_see_learner(user, submission.user_id)))


def neutral_name(number: int, f: SubmissionFile) -> str:
    """A file's name for a peer reviewer: its place and checked type, never the learner's name."""
    return f"file-{number}.{f.kind}"


def render_text(text: str) -> str:
    """A learner's Markdown as HTML that can be shown to anyone: no raw HTML, no images, links
    only to http(s) and mail, each marked nofollow."""
    html = _MD.render(text or "")
    cleaned = bleach.clean(html, tags=_TAGS, attributes={"a": ["href"]}, protocols={"http", "https", "mailto"},
                           strip=True)
    return bleach.linkify(cleaned, callbacks=[_nofollow], skip_tags={"pre", "code"}, parse_email=False)


def _nofollow(attrs, new=False):
    attrs[(None, "rel")] = "nofollow noopener noreferrer ugc"
    return attrs


def word_count(text: str) -> int:
    return len((text or "").split())


def assignment_or_404(course: CourseManifest, assignment_id: str) -> Assignment:
    assignment = course.assignments.get(assignment_id)
    if assignment is None:
        raise ApiError(404, f"unknown assignment '{assignment_id}' in course '{course.id}'", "unknown_assignment")
    return assignment


def _mine(db: Session, user_id: int, course_id: str, assignment_id: str) -> list[Submission]:
    return list(db.scalars(select(Submission).where(
        Submission.user_id == user_id, Submission.course_id == course_id,
        Submission.assignment_id == assignment_id).order_by(Submission.attempt)))


def _draft(db: Session, user_id: int, course: CourseManifest, assignment: Assignment, create: bool) -> Submission | None:
    rows = _mine(db, user_id, course.id, assignment.id)
    if rows and rows[-1].status == "draft":
        return rows[-1]
    if not create:
        return None
    if rows and len(rows) >= _allowed_attempts(assignment, rows):
        raise ApiError(409, "this work is submitted; a new attempt is not open", "already_submitted")
    draft = Submission(user_id=user_id, course_id=course.id, assignment_id=assignment.id, attempt=len(rows) + 1,
                       status="draft", text="", rubric_version=assignment.rubric.version)
    db.add(draft)
    db.flush()
    return draft


def _allowed_attempts(assignment: Assignment, rows: list[Submission]) -> int:
    """Attempts a draft may start by itself: one. A further attempt is opened only by
    services/reviews.start_resubmission, under the assignment's resubmit rule."""
    return 1


def files_of(db: Session, submission: Submission) -> list[SubmissionFile]:
    return list(db.scalars(select(SubmissionFile).where(SubmissionFile.submission_id == submission.id)
                           .order_by(SubmissionFile.id)))


def _file_json(submission: Submission, f: SubmissionFile) -> dict:
    return {"id": f.id, "name": f.name, "kind": f.kind, "size": f.size,
            "url": f"/api/submissions/{submission.id}/files/{f.id}"}


def submission_json(db: Session, submission: Submission, peer: bool = False) -> dict:
    """The submission as JSON; `peer`: for a peer reviewer, its files under neutral names."""
    files = [_file_json(submission, f) for f in files_of(db, submission)]
    if peer:
        files = [{**f, "name": neutral_name(n, row)} for n, (f, row) in enumerate(zip(files, files_of(db, submission)), 1)]
    return {"id": submission.id, "course": submission.course_id, "assignment": submission.assignment_id,
            "attempt": submission.attempt, "status": submission.status, "text": submission.text,
            "text_html": render_text(submission.text), "words": word_count(submission.text),
            "rubric_version": submission.rubric_version,
            "updated_at": _iso(submission.updated_at), "submitted_at": _iso(submission.submitted_at),
            "files": files}


def _iso(moment: datetime | None) -> str | None:
    """UTC with its offset (SQLite gives the stored time back without one)."""
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).isoformat()


def status(db: Session, user_id: int, course: CourseManifest, assignment_id: str) -> dict:
    """The learner's own state of one assignment: not started, a draft, or submitted (and when)."""
    assignment = assignment_or_404(course, assignment_id)
    rows = _mine(db, user_id, course.id, assignment.id)
    latest = rows[-1] if rows else None
    return {"course": course.id, "assignment": assignment.id, "title": assignment.title,
            "status": latest.status if latest else "not_started",
            "submission": submission_json(db, latest) if latest else None,
            "submitted": [submission_json(db, r) for r in rows if r.status == "submitted"],
            "limits": {"text": assignment.text, "files": assignment.files}}


def save_draft(db: Session, user_id: int, course: CourseManifest, assignment_id: str, text) -> dict:
    assignment = assignment_or_404(course, assignment_id)
    if not isinstance(text, str):
        raise ApiError(422, "'text' must be a string", "invalid")
    if len(text) > MAX_TEXT:
        raise ApiError(413, f"the text is longer than {MAX_TEXT} characters", "too_large")
    draft = _draft(db, user_id, course, assignment, create=True)
    draft.text, draft.updated_at = text, utcnow()
    db.commit()
    return {"id": draft.id, "status": draft.status, "words": word_count(text), "updated_at": _iso(draft.updated_at)}


@dataclass(frozen=True)
class Upload:
    name: str | None
    data: bytes


def max_upload_bytes(assignment: Assignment) -> int:
    return int((assignment.files or {}).get("max_mb", 0) * 1_000_000)


def add_file(db: Session, instance: Path, user_id: int, course: CourseManifest, assignment_id: str,
             upload: Upload) -> dict:
    assignment = assignment_or_404(course, assignment_id)
    if not assignment.files:
        raise ApiError(422, "this assignment takes no files", "no_files")
    try:
        checked = uploads.inspect(upload.name, upload.data, assignment.files["types"], max_upload_bytes(assignment))
    except uploads.UploadRefused as refused:
        raise ApiError(refused.status, refused.message, refused.code) from None
    draft = _draft(db, user_id, course, assignment, create=True)
    if len(files_of(db, draft)) >= assignment.files["max_files"]:
        raise ApiError(409, f"at most {assignment.files['max_files']} file(s): remove one first", "too_many_files")
    stored = secrets.token_hex(16)
    folder = instance / FOLDER
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = folder / stored
    with open(path, "xb") as out:  # a fresh name: never overwrites, never follows a name of the learner's
        out.write(upload.data)
    row = SubmissionFile(submission_id=draft.id, stored_name=stored, name=checked.name, kind=checked.kind,
                         mime=checked.mime, size=len(upload.data), sha256=hashlib.sha256(upload.data).hexdigest())
    db.add(row)
    draft.updated_at = utcnow()
    try:
        db.commit()
    except Exception:
        path.unlink(missing_ok=True)
        raise
    return _file_json(draft, row)


def remove_file(db: Session, instance: Path, user_id: int, course: CourseManifest, assignment_id: str,
                file_id: int) -> None:
    assignment = assignment_or_404(course, assignment_id)
    draft = _draft(db, user_id, course, assignment, create=False)
    row = db.get(SubmissionFile, file_id)
    if draft is None or row is None or row.submission_id != draft.id:
        raise ApiError(404, "no such file in your draft", "unknown_file")
    db.delete(row)
    db.commit()
    (instance / FOLDER / row.stored_name).unlink(missing_ok=True)


def submit(db: Session, user_id: int, course: CourseManifest, assignment_id: str) -> dict:
    assignment = assignment_or_404(course, assignment_id)
    draft = _draft(db, user_id, course, assignment, create=False)
    if draft is None:
        if _mine(db, user_id, course.id, assignment.id):
            raise ApiError(409, "this work is already submitted", "already_submitted")
        raise ApiError(422, "there is nothing to submit yet: write the text or attach a file first", "empty")
    problems = _incomplete(assignment, draft, len(files_of(db, draft)))
    if problems:
        raise ApiError(422, "; ".join(problems), "incomplete")
    draft.status, draft.submitted_at, draft.updated_at = "submitted", utcnow(), utcnow()
    draft.rubric_version = assignment.rubric.version
    from brokerlearn.server.services import reviews  # it reads submissions: imported here
    reviews.on_submitted(db, assignment, draft)  # the trainers' queue, for the trainer step or a resubmission
    db.commit()
    return submission_json(db, draft)


def _incomplete(assignment: Assignment, draft: Submission, files: int) -> list[str]:
    problems, words = [], word_count(draft.text)
    text = assignment.text
    if text and (words or text["required"]):
        if words < text["min_words"]:
            problems.append(f"the text has {words} words; at least {text['min_words']} are needed")
        if words > text["max_words"]:
            problems.append(f"the text has {words} words; at most {text['max_words']} are accepted")
    elif words and not text:
        problems.append("this assignment takes no text")
    if assignment.files and assignment.files["required"] and not files:
        problems.append("attach a file")
    if not words and not files:
        problems.append("there is nothing to submit yet")
    return problems


def readable(db: Session, user, submission_id: int) -> Submission:
    """The submission if `user` may read it; a 404 otherwise, as for one that does not exist, so
    nobody learns which submissions there are."""
    submission = db.get(Submission, submission_id)
    if submission is None or not can_read_submission(user, submission, db):
        raise ApiError(404, "no such submission", "unknown_submission")
    return submission


def readable_file(db: Session, instance: Path, user, submission_id: int, file_id: int) -> tuple[SubmissionFile, Path]:
    submission = readable(db, user, submission_id)
    row = db.get(SubmissionFile, file_id)
    if row is None or row.submission_id != submission.id:
        raise ApiError(404, "no such file", "unknown_file")
    return row, instance / FOLDER / row.stored_name



def stored_paths_of(db: Session, instance: Path, user_id: int) -> list[Path]:
    """The files of every submission of a learner, for erasure with their account: the rows go by
    the database's cascade, the files by the caller once that is committed."""
    names = db.scalars(select(SubmissionFile.stored_name).join(Submission, Submission.id == SubmissionFile.submission_id)
                       .where(Submission.user_id == user_id))
    return [instance / FOLDER / name for name in names]
