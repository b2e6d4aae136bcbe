"""The JSON API, described as OpenAPI 3.1 and served at /api/openapi.json."""
from __future__ import annotations

from flask import Blueprint, jsonify

from brokerlearn import __version__
from brokerlearn.course.questions import question_types

bp = Blueprint("openapi", __name__)

_ERROR = {"description": "An error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
_UNAVAILABLE = {"description": "The database cannot be reached for now: try again after Retry-After seconds "
                               "(error code 'unavailable')",
                "headers": {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}},
                "content": _ERROR["content"]}
_CSRF = [{"name": "X-CSRFToken", "in": "header", "required": True, "schema": {"type": "string"},
          "description": "The token from GET /api/session."}]


def _op(summary: str, ok: dict, body: str | None = None, csrf: bool = False, params=()) -> dict:
    operation = {"summary": summary, "responses": {**ok, "401": _ERROR, "404": _ERROR, "422": _ERROR,
                                                "503": _UNAVAILABLE},
                 "parameters": [*({"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
                                  for p in params), *(_CSRF if csrf else [])]}
    if body:
        operation["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{body}"}}}}
    return operation


def _json(schema: str, code: str = "200") -> dict:
    return {code: {"description": "OK", "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}}


# Assessed work, the learner's review steps (issue 18: server/reviews.py).
_A = "/api/assignments/{course_id}/{assignment_id}"
_AP = ["course_id", "assignment_id"]
_REVIEW_PATHS = {
    _A + "/steps": {"get": {**_op("The learner's own steps of an assignment: what is done, what is next",
                                  _json("AssignmentSteps"), params=_AP),
                            "description": "Nothing of the reviews of the learner's work or of its result before "
                                           "the trainer releases it. Work still short of peer reviews after the "
                                           "stranding days goes to the trainers' queue (`stranded`), and the "
                                           "learner is told once by mail."}},
    _A + "/practice": {"get": {**_op("The trainer's examples to rate (their text; no reference before rating)",
                                     _json("Practice"), params=_AP)}},
    _A + "/practice/{example_id}": {"post": _op(
        "Rate one example; agreed when every rating is within the tolerance of the reference; where they "
        "differ, the reference's reason", _json("PracticeResult"), "Ratings", csrf=True, params=[*_AP, "example_id"])},
    _A + "/peer-reviews": {"post": {**_op(
        "Ask for a peer's work to review: the review held, or a new 24-hour lease (fewest-reviewed first, "
        "never one's own); `review` null when there is none yet", _json("PeerReviewHandedOut", "201"), csrf=True,
        params=_AP), "description": "409 `submit_first` before the learner submitted, `practice_first` before "
                                    "they rated the trainer's examples, `no_peer_step`."}},
    "/api/reviews/{review_id}": {
        "get": _op("The review for its reviewer: the work's text and files with no name, the ratings so far",
                   _json("PeerReview"), params=["review_id"]),
        "put": _op("Keep the ratings of a review being written", _json("PeerReview"), "Ratings", csrf=True,
                   params=["review_id"])},
    "/api/reviews/{review_id}/finish": {"post": {**_op(
        "Hand in the review: every criterion rated, a comment where one is rated below the standard",
        _json("PeerReview"), "Ratings", csrf=True, params=["review_id"]),
        "description": "422 `incomplete` or `comment_required`; 409 `review_done`. When the work has its peer "
                       "reviews and they disagree widely (two levels or more, or across the pass line) it goes "
                       "to the trainers' queue."}},
    "/api/reviews/{review_id}/files/{file_id}": {"get": _op(
        "A file of the work under review, for its reviewer, under a neutral name, as an attachment",
        {"200": {"description": "The file", "content": {"application/octet-stream": {}}}},
        params=["review_id", "file_id"])},
    "/api/reviews/{review_id}/helpful": {"put": _op(
        "The submitter rates how helpful a review of their released work was (1 to 5)", _json("Helpful"),
        "Helpful", csrf=True, params=["review_id"])},
    _A + "/self-review": {"put": _op("Review one's own submitted work against the rubric (optional)",
                                     _json("SelfReview"), "Ratings", csrf=True, params=_AP)},
    _A + "/trainer-request": {"post": _op("Ask for a trainer's review of one's submitted work",
                                          _json("TrainerRequested"), csrf=True, params=_AP)},
    _A + "/feedback": {"get": _op("The released results of one's work, with the peer reviews (anonymous)",
                                  _json("Feedback"), params=_AP)},
    _A + "/attempts": {"post": {**_op("Open the next attempt (a resubmission) as a draft holding the last text",
                                      _json("Submission", "201"), csrf=True, params=_AP),
                                "description": "409 with the reason's code: `never`, `trainer_decides`, "
                                               "`not_released`, `passed`, `no_attempts_left`, `draft_open`."}},
    "/api/submissions/{submission_id}/resubmit-grant": {"post": _op(
        "A trainer of the learner's groups (or an administrator) asks the learner to revise and resubmit",
        _json("ResubmitGrant", "201"), "Note", csrf=True, params=["submission_id"])},
}
_RATING = {"type": "object", "properties": {
    "level": {"type": "string"}, "points": {"type": "number"},
    "checks": {"type": "array", "items": {"type": "string"}}, "comment": {"type": "string", "maxLength": 5000}}}
_REVIEW_SCHEMAS = {
    "Ratings": {"type": "object", "properties": {
        "ratings": {"type": "object", "additionalProperties": _RATING,
                    "description": "Criterion ID -> {level} (levels), {points} (points), {checks: [item]} "
                                   "(checklist) or {} (comment-only), each with an optional comment."},
        "comment": {"type": "string", "maxLength": 5000}}},
    "Helpful": {"type": "object", "required": ["helpful"], "properties": {
        "id": {"type": "integer"}, "helpful": {"type": "integer", "minimum": 1, "maximum": 5}}},
    "Note": {"type": "object", "properties": {"note": {"type": "string", "maxLength": 5000}}},
    "AssignmentSteps": {"type": "object", "required": ["steps", "next", "released"], "properties": {
        "course": {"type": "string"}, "assignment": {"type": "string"},
        "steps": {"type": "array", "items": {"type": "object", "required": ["step", "done"], "properties": {
            "step": {"enum": ["submit", "practice", "peer", "self", "trainer", "feedback"]},
            "done": {"type": "boolean"}}}},
        "next": {"type": ["string", "null"]}, "released": {"type": "boolean"}, "stranded": {"type": "boolean"},
        "trainer_requested": {"type": "boolean"}, "trainer_step": {"type": "boolean"},
        "resubmit": {"type": "object"}}},
    "Practice": {"type": "object", "properties": {
        "examples": {"type": "array", "items": {"type": "object"}}, "tolerance": {"type": "integer"},
        "passed": {"type": "boolean"}}},
    "PracticeResult": {"type": "object", "properties": {
        "example": {"type": "string"}, "agreed": {"type": "boolean"}, "tries_left": {"type": "integer"},
        "comparison": {"type": "array", "items": {"type": "object"}}, "passed": {"type": "boolean"}}},
    "PeerReview": {"type": "object", "required": ["id", "status", "work"], "properties": {
        "id": {"type": "integer"}, "course": {"type": "string"}, "assignment": {"type": "string"},
        "title": {"type": "string"}, "status": {"enum": ["open", "done"]}, "ratings": {"type": "object"},
        "comment": {"type": "string"}, "lease_ends": {"type": "string"},
        "work": {"type": "object", "properties": {"text_html": {"type": "string"}, "words": {"type": "integer"},
                                                   "files": {"type": "array"}}}}},
    "PeerReviewHandedOut": {"type": "object", "properties": {
        "review": {"oneOf": [{"$ref": "#/components/schemas/PeerReview"}, {"type": "null"}]},
        "message": {"type": "string"}}},
    "SelfReview": {"type": "object"},
    "TrainerRequested": {"type": "object", "properties": {"queued": {"type": "boolean"}, "since": {"type": "string"}}},
    "Feedback": {"type": "object", "required": ["released", "attempts"], "properties": {
        "released": {"type": "boolean"}, "attempts": {"type": "array", "items": {"type": "object"}}}},
    "ResubmitGrant": {"type": "object", "properties": {"submission": {"type": "integer"},
                                                       "granted_at": {"type": "string"}}},
}


SPEC = {
    "openapi": "3.1.0",
    "info": {"title": "brokerlearn API", "version": __version__,
             "description": "Progress tracking and graded quizzes. Sessions are cookies set by /account/login; "
                            "every state-changing call needs the CSRF token of GET /api/session."},
    "paths": {
        "/api/session": {"get": _op("Whether a server is there, who is signed in, and the CSRF token", _json("Session"))},
        "/api/progress": {"post": {**_op("Record learning events (idempotent by event_id; each invalid or "
                                         "stale event is rejected on its own)", _json("Recorded"), "Events", csrf=True),
                                   "description": "The valid events are recorded and the others listed in `rejected`, "
                                                  "each with its index, event_id and reason; every event not listed "
                                                  "is acknowledged (stored now or before). When no event of the "
                                                  "batch can be recorded the answer is 422, with `rejected` beside "
                                                  "`error`. A rejected event is never accepted later: a client may "
                                                  "forget it, and should keep the others only after a network "
                                                  "error or a 5xx."}},
        "/api/progress/{course_id}": {"get": _op("Progress of the signed-in learner in one course", _json("Progress"),
                                                 params=["course_id"])},
        "/api/assessments/{course_id}": {"get": {**_op(
            "The signed-in learner's status in each graded quiz of one course", _json("Assessments"),
            params=["course_id"]),
            "description": "For the pages that list graded quizzes (assessments.js): per quiz, in the course's "
                           "order, its status, attempts and best score. Only the signed-in learner's own "
                           "attempts are read; no question, option or answer is told. 401 when signed out."}},
        "/api/quizzes/{course_id}/{quiz_id}": {"get": _op("Attempts used and scores for a graded quiz",
                                                          _json("QuizStatus"), params=["course_id", "quiz_id"])},
        "/api/quizzes/{course_id}/{quiz_id}/attempts": {"post": _op(
            "Start an attempt (or get the open one); gives the option order when the quiz shuffles",
            _json("Attempt", "201"), csrf=True, params=["course_id", "quiz_id"])},
        "/api/quizzes/{course_id}/{quiz_id}/attempts/{attempt_id}": {"post": _op(
            "Submit an attempt's answers once; it is graded on the server", _json("AttemptResult"), "Answers",
            csrf=True, params=["course_id", "quiz_id", "attempt_id"])},
        "/api/assignments/{course_id}/{assignment_id}": {"get": _op(
            "The signed-in learner's own work on an assignment: not started, a draft, or submitted (and when)",
            _json("AssignmentStatus"), params=["course_id", "assignment_id"])},
        "/api/assignments/{course_id}/{assignment_id}/draft": {"put": _op(
            "Save the draft's text (saved as the learner types; starts the draft)", _json("DraftSaved"), "Draft",
            csrf=True, params=["course_id", "assignment_id"])},
        "/api/assignments/{course_id}/{assignment_id}/draft/files": {"post": {**_op(
            "Attach a file to the draft (multipart/form-data, field `file`); its type is checked by its content",
            _json("SubmissionFile", "201"), csrf=True, params=["course_id", "assignment_id"]),
            "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                "type": "object", "required": ["file"], "properties": {"file": {"type": "string", "format": "binary"}}}}}},
            "description": "Refused with 413 (`too_large`) past the assignment's size limit, or 422 with the reason's "
                           "code: `type_not_allowed`, `name_disagrees`, `active_content` (HTML, SVG or script; macros), "
                           "`polyglot`, `zip_bomb`, `bad_file_name` (a path or control characters), `empty_file`, "
                           "`damaged_file`; 409 (`too_many_files`)."}},
        "/api/assignments/{course_id}/{assignment_id}/draft/files/{file_id}": {"delete": {**_op(
            "Remove a file from the draft", {"204": {"description": "Removed"}}, csrf=True,
            params=["course_id", "assignment_id", "file_id"])}},
        "/api/assignments/{course_id}/{assignment_id}/submit": {"post": _op(
            "Submit the draft (its word range and required files are checked)", _json("Submission"), csrf=True,
            params=["course_id", "assignment_id"])},
        "/api/timeline/{course_id}": {"get": {**_op(
            "The signed-in learner's timeline of each assignment: its steps, their states and dates, the next step",
            _json("Timelines"), params=["course_id"]),
            "description": "Words in the interface language (the language cookie, else Accept-Language). "
                           "`?module=SLUG` gives one module's assignments. Nothing of a review or a result "
                           "is told before the result is released."}},
        "/api/submissions/{submission_id}": {"get": _op(
            "A submission, for whoever may read it (its learner, an administrator); 404 for anyone else",
            _json("Submission"), params=["submission_id"])},
        "/api/submissions/{submission_id}/files/{file_id}": {"get": _op(
            "A submitted file, always as an attachment (Content-Disposition: attachment, nosniff, CSP sandbox)",
            {"200": {"description": "The file", "content": {"application/octet-stream": {}}}},
            params=["submission_id", "file_id"])},
        **_REVIEW_PATHS,
        "/api/openapi.json": {"get": {"summary": "This document", "responses": {"200": {"description": "OK"}}}},
        "/api/health": {"get": {
            "summary": "Whether this server process can reach its database (for load balancers and monitoring)",
            "description": "No session or token needed. Nothing but the status is told; the reason for a 503 "
                           "is in the server's log.",
            "responses": {"200": {"description": "The database answers", "content": {"application/json": {
                                      "schema": {"$ref": "#/components/schemas/Health"}}}},
                          "503": {"description": "The database does not answer", "content": {"application/json": {
                                      "schema": {"$ref": "#/components/schemas/Health"}}}}}}},
    },
    "components": {"schemas": {
        **_REVIEW_SCHEMAS,
        "Error": {"type": "object", "required": ["error"], "properties": {"error": {
            "type": "object", "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}},
        "Health": {"type": "object", "required": ["status"], "additionalProperties": False,
                   "properties": {"status": {"enum": ["ok", "unavailable"]}}},
        "Session": {"type": "object", "properties": {
            "server": {"const": "brokerlearn"}, "csrf_token": {"type": "string"},
            "user": {"type": ["object", "null"], "properties": {
                "email": {"type": "string"}, "name": {"type": "string"}, "role": {"type": "string"}}}}},
        "Events": {"type": "object", "required": ["events"], "properties": {"events": {
            "type": "array", "minItems": 1, "maxItems": 200, "items": {"$ref": "#/components/schemas/Event"}}}},
        "Event": {"type": "object", "required": ["event_id", "course", "kind", "item"], "additionalProperties": False,
                  "properties": {
                      "event_id": {"type": "string", "pattern": "^[A-Za-z0-9_-]{8,64}$",
                                   "description": "Chosen by the client; a replay is acknowledged, not stored twice."},
                      "course": {"type": "string"},
                      "kind": {"enum": ["lesson_viewed", "lesson_completed", "video_progress", "practice_answered"]},
                      "item": {"type": "string", "description": "Lesson 'module/lesson', video name or quiz/question."},
                      "value": {"type": "number", "description": "Seconds (lesson_viewed) or a share 0..1."},
                      "at": {"type": "string", "format": "date-time"}}},
        "Recorded": {"type": "object", "properties": {
            "recorded": {"type": "integer", "description": "Events stored now."},
            "duplicates": {"type": "integer", "description": "Events stored before (a replayed event_id)."},
            "rejected": {"type": "array", "items": {"$ref": "#/components/schemas/Rejected"}}}},
        "Rejected": {"type": "object", "required": ["index", "code", "message"], "properties": {
            "index": {"type": "integer", "description": "Position of the event in the batch, from 0."},
            "event_id": {"type": ["string", "null"]},
            "code": {"enum": ["stale", "invalid"], "description": "stale: its course, lesson or video is not "
                                                                  "(or no longer) in the catalog; invalid: malformed."},
            "message": {"type": "string"}}},
        "Progress": {"type": "object", "properties": {
            "course": {"type": "string"}, "completed_lessons": {"type": "array", "items": {"type": "string"}},
            "lessons": {"type": "integer"}, "share_completed": {"type": "number"},
            "resume": {"type": ["object", "null"]}, "seconds_spent": {"type": "integer"},
            "modules": {"type": "array"}, "quizzes": {"type": "array"},
            "outcomes": {"type": "object", "additionalProperties": {"type": "number"}}}},
        "QuizStatus": {"type": "object"},
        "Assessments": {"type": "object", "required": ["course", "assessments"], "properties": {
            "course": {"type": "string"},
            "assessments": {"type": "array", "items": {"$ref": "#/components/schemas/AssessmentStatus"}}}},
        "AssessmentStatus": {"type": "object", "required": [
            "quiz", "title", "module", "url", "status", "attempts_used", "max_attempts", "attempts_left",
            "best_score", "max_score", "pass_mark", "passed"], "properties": {
            "quiz": {"type": "string"}, "title": {"type": "string"},
            "module": {"type": ["string", "null"], "description": "The slug of the module that lists it."},
            "url": {"type": ["string", "null"], "description": "The quiz in the lesson that shows it, relative "
                                                                "to the site's root; null when no lesson does."},
            "status": {"enum": ["not_started", "in_progress", "passed", "no_attempts_left"],
                       "description": "not_started: no attempt submitted; in_progress: submitted, not passed, "
                                      "attempts left; passed; no_attempts_left: every allowed attempt "
                                      "submitted and none passed."},
            "attempts_used": {"type": "integer", "description": "Attempts submitted."},
            "max_attempts": {"type": "integer", "description": "0: no limit."},
            "attempts_left": {"type": ["integer", "null"], "description": "null: no limit."},
            "best_score": {"type": ["number", "null"], "description": "null: not taken."},
            "max_score": {"type": "number"}, "pass_mark": {"type": "number", "description": "Share of max_score."},
            "passed": {"type": "boolean"}}},
        "Attempt": {"type": "object", "properties": {
            "id": {"type": "integer"}, "number": {"type": "integer"},
            "option_order": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}}},
        "Answers": {"type": "object", "required": ["answers"], "properties": {"answers": {
            "type": "object", "description": "Question id -> answer, as its question type takes it: " + "; ".join(
                f"{kind.name}: {kind.response}" for kind in question_types()) + "."}}},
        "Draft": {"type": "object", "required": ["text"], "properties": {"text": {"type": "string", "maxLength": 100000}}},
        "DraftSaved": {"type": "object", "properties": {
            "id": {"type": "integer"}, "status": {"const": "draft"}, "words": {"type": "integer"},
            "updated_at": {"type": "string", "format": "date-time"}}},
        "SubmissionFile": {"type": "object", "properties": {
            "id": {"type": "integer"}, "name": {"type": "string"}, "kind": {"type": "string"},
            "size": {"type": "integer"}, "url": {"type": "string"}}},
        "Submission": {"type": "object", "properties": {
            "id": {"type": "integer"}, "course": {"type": "string"}, "assignment": {"type": "string"},
            "attempt": {"type": "integer"}, "status": {"enum": ["draft", "submitted"]}, "text": {"type": "string"},
            "text_html": {"type": "string", "description": "The text's Markdown, sanitized (no HTML of the learner's)."},
            "words": {"type": "integer"}, "rubric_version": {"type": "string"},
            "updated_at": {"type": "string"}, "submitted_at": {"type": ["string", "null"]},
            "files": {"type": "array", "items": {"$ref": "#/components/schemas/SubmissionFile"}}}},
        "AssignmentStatus": {"type": "object", "properties": {
            "course": {"type": "string"}, "assignment": {"type": "string"}, "title": {"type": "string"},
            "status": {"enum": ["not_started", "draft", "submitted"]},
            "submission": {"oneOf": [{"$ref": "#/components/schemas/Submission"}, {"type": "null"}]},
            "submitted": {"type": "array", "items": {"$ref": "#/components/schemas/Submission"}},
            "limits": {"type": "object"}}},
        "TimelineStep": {"type": "object", "properties": {
            "key": {"enum": ["submit", "practice", "peer", "self", "trainer", "feedback", "resubmit"]},
            "state": {"enum": ["done", "current", "waiting", "upcoming"]}, "label": {"type": "string"},
            "state_label": {"type": "string"}, "when": {"type": "string"}, "note": {"type": "string"},
            "optional": {"type": "boolean"}}},
        "Timelines": {"type": "object", "properties": {
            "course": {"type": "string"},
            "assignments": {"type": "array", "items": {"type": "object", "properties": {
                "id": {"type": "string"}, "title": {"type": "string"},
                "url": {"type": ["string", "null"], "description": "The assignment in its lesson, from the site's root."},
                "steps": {"type": "array", "items": {"$ref": "#/components/schemas/TimelineStep"}},
                "next": {"oneOf": [{"type": "null"}, {"type": "object", "properties": {
                    "key": {"type": "string"}, "text": {"type": "string"}, "action": {"type": "boolean"},
                    "due": {"type": ["string", "null"], "format": "date"}, "overdue": {"type": "boolean"}}}]},
                "summary": {"type": "string"}}}}}},
        "AttemptResult": {"type": "object", "properties": {
            "score": {"type": "number"}, "max_score": {"type": "number"}, "passed": {"type": "boolean"},
            "attempts_left": {"type": ["integer", "null"]}, "questions": {"type": "object"},
            "explanations_shown": {"type": "boolean"}}},
    }},
}


@bp.get("/api/openapi.json")
def openapi():
    return jsonify(SPEC)


def render_markdown() -> str:
    """docs/api.md: a readable list of the endpoints, then the whole document."""
    import json
    lines = ["# The JSON API", "",
             "<!-- Generated by: python -m brokerlearn.server.openapi docs/api.md -->", "",
             SPEC["info"]["description"], "",
             "The server serves this document at `/api/openapi.json`. Errors are JSON: "
             "`{\"error\": {\"code\": ..., \"message\": ...}}` with a 4xx status, or 503 with a "
             "`Retry-After` header (code `unavailable`) while the database cannot be reached.", "",
             "| Method | Path | What it does | CSRF token |", "|---|---|---|---|"]
    for path, operations in SPEC["paths"].items():
        for method, operation in operations.items():
            csrf = any(p["name"] == "X-CSRFToken" for p in operation.get("parameters", []))
            lines.append(f"| {method.upper()} | `{path}` | {operation['summary']} | {'yes' if csrf else ''} |")
    lines += ["", "## The OpenAPI 3.1 document", "", "```json", json.dumps(SPEC, indent=2), "```", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    import sys
    from pathlib import Path
    Path(sys.argv[1]).write_text(render_markdown(), encoding="utf-8")
