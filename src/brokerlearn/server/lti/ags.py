"""Assignment and Grade Services: results go to the platforms' gradebooks through a durable
outbox (models.LtiScore), like the LRS forwarding (server/lrs.py).

`enqueue` finds, for every bound line item (a graded quiz or an assignment launched from the
platform), the submitted attempts and released assignment results of the platform's linked
users that have no outbox row yet, and adds one: the best score so far, "Completed" and
"FullyGraded". `send_due` posts the rows that are due to the line item's /scores endpoint; a
row stays until the platform accepted it, and a failure is tried again with pauses doubling
from 1 s to 5 minutes. The rows are found from the database, not handed over by the request
that graded, so nothing is lost when a process stops between the two, or the platform is down."""
from __future__ import annotations

import logging
import threading
from datetime import timedelta
from pathlib import Path

import requests
from sqlalchemy import func, select, update

from brokerlearn.server.lti import oauth
from brokerlearn.server.lti.registration import AGS_SCOPES
from brokerlearn.server.models import (AssignmentResult, LtiAccount, LtiLineItem, LtiPlatform, LtiScore, QuizAttempt,
                                       utcnow)

log = logging.getLogger("brokerlearn.lti")
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
BATCH = 50
MAX_PAUSE = 300.0
RESCAN = 60.0  # seconds: results graded by other processes, rosters
LEASE = timedelta(seconds=60)  # a row being sent by one process is left alone by the others meanwhile
assert SCORE_SCOPE in AGS_SCOPES


def enqueue(db) -> int:
    """Add the outbox rows that are missing; return how many."""
    added = 0
    for line_item in db.scalars(select(LtiLineItem)):
        accounts = {a.user_id: a for a in db.scalars(select(LtiAccount).where(
            LtiAccount.platform_id == line_item.platform_id))}
        if not accounts:
            continue
        have = set(db.execute(select(LtiScore.account_id, LtiScore.source_id).where(
            LtiScore.line_item_id == line_item.id)).all())
        for row in _results(db, line_item, list(accounts)):
            account = accounts[row["user_id"]]
            if (account.id, row["id"]) in have:
                continue
            db.add(LtiScore(line_item_id=line_item.id, account_id=account.id, source=line_item.kind,
                            source_id=row["id"], score_given=row["score"], score_maximum=row["max"],
                            timestamp=row["at"], activity_progress="Completed", grading_progress="FullyGraded",
                            next_try_at=utcnow(), tries=0))
            added += 1
    db.commit()
    return added


def _results(db, line_item: LtiLineItem, user_ids: list[int]) -> list[dict]:
    """Each result in time order, with the best score of its learner so far."""
    if line_item.kind == "quiz":
        rows = db.scalars(select(QuizAttempt).where(
            QuizAttempt.course_id == line_item.course_id, QuizAttempt.quiz_id == line_item.item_id,
            QuizAttempt.status == "submitted", QuizAttempt.user_id.in_(user_ids)).order_by(QuizAttempt.id))
        found = [{"id": a.id, "user_id": a.user_id, "score": a.score or 0.0, "max": a.max_score or 0.0,
                  "at": a.submitted_at} for a in rows]
    else:
        rows = db.scalars(select(AssignmentResult).where(
            AssignmentResult.course_id == line_item.course_id, AssignmentResult.assignment_id == line_item.item_id,
            AssignmentResult.released_at.is_not(None), AssignmentResult.user_id.in_(user_ids))
            .order_by(AssignmentResult.id))
        found = [{"id": r.id, "user_id": r.user_id, "score": r.score, "max": r.max_score, "at": r.released_at}
                 for r in rows]
    return _with_best(found)


def _with_best(found: list[dict]) -> list[dict]:
    best: dict[int, tuple[float, float]] = {}
    out = []
    for row in found:
        share = row["score"] / (row["max"] or 1)
        kept = best.get(row["user_id"])
        if kept is None or share >= kept[0] / (kept[1] or 1):
            best[row["user_id"]] = kept = (row["score"], row["max"])
        out.append({**row, "score": kept[0], "max": kept[1], "at": row["at"] or utcnow()})
    return out


def score_body(score: LtiScore, sub: str) -> dict:
    return {"userId": sub, "scoreGiven": score.score_given, "scoreMaximum": score.score_maximum,
            "activityProgress": score.activity_progress, "gradingProgress": score.grading_progress,
            "timestamp": score.timestamp.isoformat() if score.timestamp.tzinfo else
            score.timestamp.isoformat() + "+00:00"}


def scores_url(line_item_url: str) -> str:
    """The line item's /scores endpoint (its URL may carry a query)."""
    path, _, query = line_item_url.partition("?")
    return path.rstrip("/") + "/scores" + (f"?{query}" if query else "")


def send_due(db, instance: Path) -> tuple[int, int]:
    """Post the due rows; (sent, failed)."""
    now = utcnow()
    due = list(db.scalars(select(LtiScore).where(LtiScore.sent_at.is_(None), LtiScore.next_try_at <= now)
                          .order_by(LtiScore.id).limit(BATCH)))
    sent = failed = 0
    for score in due:
        claimed = db.execute(update(LtiScore).execution_options(synchronize_session=False).where(LtiScore.id == score.id, LtiScore.sent_at.is_(None),
                                                    LtiScore.next_try_at <= now)
                             .values(next_try_at=now + LEASE))
        db.commit()
        if claimed.rowcount != 1:
            continue  # another process has it
        try:
            _post(db, instance, score)
        except oauth.PlatformError as exc:
            pause = min(MAX_PAUSE, 2.0 ** score.tries)
            db.execute(update(LtiScore).execution_options(synchronize_session=False).where(LtiScore.id == score.id).values(
                tries=score.tries + 1, next_try_at=utcnow() + timedelta(seconds=pause), last_error=str(exc)[:500]))
            db.commit()
            log.warning("%s; retrying in %.0f s", exc, pause)
            failed += 1
            continue
        db.execute(update(LtiScore).execution_options(synchronize_session=False).where(LtiScore.id == score.id).values(sent_at=utcnow(), last_error=None))
        db.commit()
        sent += 1
    return sent, failed


def _post(db, instance: Path, score: LtiScore) -> None:
    line_item = db.get(LtiLineItem, score.line_item_id)
    platform = db.get(LtiPlatform, line_item.platform_id)
    account = db.get(LtiAccount, score.account_id)
    token = oauth.access_token(instance, platform, SCORE_SCOPE)
    try:
        answer = requests.post(scores_url(line_item.url), json=score_body(score, account.sub), timeout=oauth.TIMEOUT,
                               headers={"Authorization": f"Bearer {token}",
                                        "Content-Type": "application/vnd.ims.lis.v1.score+json"})
    except requests.RequestException as exc:
        raise oauth.PlatformError(f"the score could not be sent to {line_item.url}: {exc}") from None
    if answer.status_code == 401:
        oauth.forget_token(platform, SCORE_SCOPE)
    if answer.status_code >= 300:
        raise oauth.PlatformError(f"the platform answered {answer.status_code} to a score for {line_item.url}")


def next_due_in(db, now=None) -> float | None:
    """Seconds until the first unsent row is due (0 when one is due now), None without one."""
    first = db.scalar(select(func.min(LtiScore.next_try_at)).where(LtiScore.sent_at.is_(None)))
    if first is None:
        return None
    from brokerlearn.server.lti.launch import _aware
    return max(0.0, (_aware(first) - (now or utcnow())).total_seconds())


# Waking the sender: a graded result committed in this process --------------------------------

_senders: set["Sender"] = set()


def wake() -> None:
    """Something to send in this process: the senders look at once, those that know of a line
    item. Where no line item is bound (no LTI platform grades here, the usual case) a round would
    find nothing to send, and cost each graded submission five statements and their round trips
    on PostgreSQL (about 2 ms of CPU per graded request; bench/README.md)."""
    for sender in list(_senders):
        if sender.line_items:
            sender.woken.set()


def line_item_bound() -> None:
    """A line item was bound in this process: its senders are woken by graded results from now
    on. (One bound in another process is found by the next rescan, at most RESCAN seconds.)"""
    for sender in list(_senders):
        sender.line_items = True


def _graded(session, _flush_context) -> None:
    """After a flush: did it submit a quiz attempt or release an assignment result?"""
    for row in (*session.new, *session.dirty):
        if (isinstance(row, QuizAttempt) and row.status == "submitted") or (
                isinstance(row, AssignmentResult) and row.released_at is not None):
            session.info["brokerlearn_lti_wake"] = True
            return


def _executed(state) -> None:
    """A Core UPDATE through a session (the quiz's compare-and-set submission is one)."""
    if state.is_update and getattr(state.statement, "table", None) is not None and \
            state.statement.table.name in _GRADED_TABLES:
        state.session.info["brokerlearn_lti_wake"] = True


_GRADED_TABLES = (QuizAttempt.__tablename__, AssignmentResult.__tablename__)


def _committed(session) -> None:
    if session.info.pop("brokerlearn_lti_wake", False):
        wake()


def _listen() -> None:
    from sqlalchemy import event
    from sqlalchemy.orm import Session
    if not event.contains(Session, "after_flush", _graded):
        event.listen(Session, "after_flush", _graded)
        event.listen(Session, "after_commit", _committed)
        event.listen(Session, "do_orm_execute", _executed)


class Sender(threading.Thread):
    """In each server process: adds missing outbox rows, sends what is due, reads the rosters
    that are due (nrps.sync_due). It sleeps until the first retry is due, at most `interval`
    seconds (the slow rescan that finds results graded by other processes, and rosters), and
    is woken at once when a result is graded in this process (a submitted quiz attempt or a
    released assignment result committed through any session: `wake`) once a line item exists."""

    def __init__(self, app, interval: float = 60.0):
        super().__init__(name="brokerlearn-lti", daemon=True)
        self.app, self.interval = app, interval
        self.stopping = threading.Event()
        self.woken = threading.Event()
        self.rounds = 0
        self.line_items = False  # whether the last round found a line item (see `wake`)

    def run(self) -> None:
        _listen()
        _senders.add(self)
        try:
            while not self.stopping.is_set():
                self.woken.clear()
                pause = self._round()
                self.rounds += 1
                self.woken.wait(pause)
        finally:
            _senders.discard(self)

    def _round(self) -> float:
        """One look: enqueue, send, rosters; the seconds to sleep after it."""
        from brokerlearn.server.lti import nrps
        try:
            with self.app.app_context(), self.app.extensions["brokerlearn_sessions"]() as db:
                enqueue(db)
                self.line_items = self.line_items or db.scalar(select(LtiLineItem.id).limit(1)) is not None
                send_due(db, Path(self.app.instance_path))
                nrps.sync_due(db, Path(self.app.instance_path))
                due = next_due_in(db)
        except Exception as exc:  # a database hiccup must not end the thread
            from brokerlearn.server.errors import database_unavailable, outage_reason
            if database_unavailable(exc):  # one line, as the server logs an outage: no traceback, no address
                log.warning("sending to the LTI platforms waits: database unavailable: %s", outage_reason(exc))
            else:
                log.exception("sending to the LTI platforms failed; trying again")
            return min(self.interval, 5.0)
        return self.interval if due is None else min(self.interval, max(due, 0.05))

    def stop(self) -> None:
        self.stopping.set()
        self.woken.set()


def start_sender(app, interval: float | None = None) -> Sender:
    sender = Sender(app, interval if interval is not None else RESCAN)
    sender.start()
    app.extensions["brokerlearn_lti"] = sender
    return sender
