"""Forwarding learning events to an external learning record store (LRS), when one is set
(the statements and the POST are brokerlearn.exports' xapi.py and lrs.py).

A background thread sends what the database marks as not yet forwarded, in batches, with the
LRS's basic-auth credentials; a failed batch is retried with growing pauses (1 s doubling to
5 min). The learner's request never waits for the LRS, and nothing is lost while it is down:
the rows stay unmarked until the LRS has accepted them. Statement IDs are derived from the
event, so a batch sent twice (a crash between sending and marking, or two server processes)
is recognised by the LRS as the same statements.
"""
from __future__ import annotations

import logging
import threading

from sqlalchemy import select, update

from brokerlearn.course.manifest import ManifestError
from brokerlearn.exports.lrs import LrsError, post_statements
from brokerlearn.server.models import AssignmentResult, ProgressEvent, QuizAttempt, Submission, utcnow
from brokerlearn.server.services.reports import statement_maker

log = logging.getLogger("brokerlearn.lrs")
BATCH = 50
MAX_PAUSE = 300.0


def forward_once(app) -> int:
    """Send one batch of events, one of attempts and one of released assignment results; return how many statements were accepted.
    Raises LrsError when the LRS refuses or cannot be reached, ManifestError when a course's
    manifest cannot be read (nothing is marked then)."""
    from brokerlearn.server.courses import catalog
    from brokerlearn.server.settings import LOCAL_URL
    config = app.config
    sessions = app.extensions["brokerlearn_sessions"]
    sent = 0
    with app.app_context(), sessions() as db:
        catalog().check()  # a course's manifest being unreadable: wait, rather than send statements without names
        maker = statement_maker(catalog(), config.get("PUBLIC_URL") or LOCAL_URL)
        for model, condition in ((ProgressEvent, ProgressEvent.lrs_sent_at.is_(None)),
                                 (QuizAttempt, (QuizAttempt.lrs_sent_at.is_(None)) & (QuizAttempt.status == "submitted")),
                                 (AssignmentResult, AssignmentResult.lrs_sent_at.is_(None)
                                  & AssignmentResult.released_at.is_not(None))):  # only released results count
            rows = db.scalars(select(model).where(condition).order_by(model.id).limit(BATCH)).all()
            if not rows:
                continue
            statements = [_statement(db, maker, r) for r in rows]
            post_statements(config["LRS_URL"], config.get("LRS_USERNAME", ""), config.get("LRS_PASSWORD", ""),
                            statements)
            db.execute(update(model).where(model.id.in_([r.id for r in rows])).values(lrs_sent_at=utcnow()))
            db.commit()
            sent += len(rows)
    return sent


def _statement(db, maker, row) -> dict:
    if isinstance(row, ProgressEvent):
        return maker.event(row)
    if isinstance(row, QuizAttempt):
        return maker.attempt(row)
    submission = db.get(Submission, row.submission_id) if row.submission_id else None
    return maker.assessed(row, submission.attempt if submission else None)


class Forwarder(threading.Thread):
    def __init__(self, app, interval: float = 5.0):
        super().__init__(name="brokerlearn-lrs", daemon=True)
        self.app, self.interval = app, interval
        self.stopping = threading.Event()

    def run(self) -> None:
        pause = 1.0
        while not self.stopping.is_set():
            try:
                sent = forward_once(self.app)
                pause = 1.0
                wait = 0 if sent else self.interval  # more may be waiting: go on at once
            except (LrsError, ManifestError) as exc:
                log.warning("%s; retrying in %.0f s", exc, pause)
                wait, pause = pause, min(MAX_PAUSE, pause * 2)
            except Exception:  # a database hiccup must not end the thread
                log.exception("forwarding to the LRS failed; retrying in %.0f s", pause)
                wait, pause = pause, min(MAX_PAUSE, pause * 2)
            self.stopping.wait(wait)

    def stop(self) -> None:
        self.stopping.set()


def start_forwarder(app) -> Forwarder | None:
    if not app.config.get("LRS_URL"):
        return None
    forwarder = Forwarder(app, app.config.get("LRS_INTERVAL", 5))
    forwarder.start()
    app.extensions["brokerlearn_lrs"] = forwarder
    return forwarder
