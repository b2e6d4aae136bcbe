"""Progress: recording learners' events idempotently, and summing them up per course."""
from __future__ import annotations

import re
import threading
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from brokerlearn.course.manifest import CourseManifest
from brokerlearn.server.errors import ApiError
from brokerlearn.server.models import ProgressEvent, QuizAttempt, utcnow
from brokerlearn.server.writer_connection import WriterConnection

KINDS = ("lesson_viewed", "lesson_completed", "video_progress", "practice_answered")
MAX_EVENTS = 200
WATCHED_SHARE = 0.9  # a video counts as watched when 90% of it has been played (seeking past does not count)
_EVENT_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_ITEM = re.compile(r"^[A-Za-z0-9._/-]{1,300}$")
_KEYS = {"event_id", "course", "kind", "item", "value", "at"}


class Rejected(ValueError):
    """One event the server will never store: `stale` when it names a course, lesson or video
    that is not (or no longer) in the catalog, `invalid` when it is malformed. Sending it again
    cannot help, so a client may forget it."""

    def __init__(self, index: int, message: str, code: str = "invalid"):
        super().__init__(f"event {index + 1}: {message}")
        self.index, self.code, self.reason = index, code, message


def _field_error(index: int, message: str, code: str = "invalid") -> Rejected:
    return Rejected(index, message, code)


def _occurred_at(raw, index: int) -> datetime:
    if raw is None:
        return utcnow()
    if not isinstance(raw, str):
        raise _field_error(index, "'at' must be an ISO 8601 time")
    try:
        when = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise _field_error(index, f"'at' is not an ISO 8601 time: '{raw[:40]}'") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    if when > utcnow() + timedelta(minutes=5):
        raise _field_error(index, "'at' is in the future")
    return when


def _value(event: dict, kind: str, index: int) -> float | None:
    value = event.get("value")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        raise _field_error(index, "'value' must be a number")
    limit = 86400 if kind == "lesson_viewed" else 1
    if not 0 <= value <= limit:
        raise _field_error(index, f"'value' must be between 0 and {limit}")
    return float(value)


def validate_event(event, index: int, courses) -> dict:
    if not isinstance(event, dict):
        raise _field_error(index, "must be an object")
    unknown = set(event) - _KEYS
    if unknown:
        raise _field_error(index, f"unknown field '{sorted(unknown)[0]}'")
    event_id, kind, item = event.get("event_id"), event.get("kind"), event.get("item")
    if not isinstance(event_id, str) or not _EVENT_ID.match(event_id):
        raise _field_error(index, "'event_id' must be 8 to 64 letters, digits, '-' or '_'")
    if kind not in KINDS:
        raise _field_error(index, f"'kind' must be one of {', '.join(KINDS)}")
    course: CourseManifest | None = courses.get(event.get("course")) if isinstance(event.get("course"), str) else None
    if course is None:
        raise _field_error(index, "unknown 'course'", "stale")
    if not isinstance(item, str) or not _ITEM.match(item):
        raise _field_error(index, "'item' must be an ID such as 'module/lesson'")
    if kind.startswith("lesson_") and item not in course.lessons:
        raise _field_error(index, f"unknown lesson '{item}' in course '{course.id}'", "stale")
    if kind == "video_progress" and item not in course.videos:
        raise _field_error(index, f"unknown video '{item}' in course '{course.id}'", "stale")
    return {"event_id": event_id, "course_id": course.id, "kind": kind, "item_id": item,
            "value": _value(event, kind, index), "occurred_at": _occurred_at(event.get("at"), index)}


# A conflict on (user, event_id) is a replay: skipped, and not returned, so what comes back is
# what was new. Built once, so SQLAlchemy compiles them once (SQLite in memory, other drivers).
_INSERT_SQLITE = (sqlite_insert(ProgressEvent).on_conflict_do_nothing(index_elements=["user_id", "event_id"])
                  .returning(ProgressEvent.user_id, ProgressEvent.event_id))
_INSERT_POSTGRES = (pg_insert(ProgressEvent).on_conflict_do_nothing(index_elements=["user_id", "event_id"])
                    .returning(ProgressEvent.user_id, ProgressEvent.event_id))


class _TextInsert:
    """The same INSERT as SQL text for the process's own writer connection (WriterConnection),
    one statement for the whole batch, the values converted by the columns' own SQLAlchemy types
    for the engine's dialect (so they are stored exactly as the ORM stores them)."""

    COLUMNS = ("user_id", "event_id", "course_id", "kind", "item_id", "value", "occurred_at", "recorded_at")
    ROWS = 500  # per statement: 4,000 parameters, well within SQLite's and PostgreSQL's limits

    def __init__(self):
        self._converters: dict[str, list] = {}
        self._sql: dict[tuple[str, int], str] = {}

    def rows(self, writer: WriterConnection, engine: Engine, values: list[dict]) -> list[tuple]:
        dialect = engine.dialect
        converters = self._converters.get(dialect.name)
        if converters is None:
            columns = ProgressEvent.__table__.c
            converters = self._converters[dialect.name] = [
                columns[name].type.dialect_impl(dialect).bind_processor(dialect) for name in self.COLUMNS]
        pairs, names = [], self.COLUMNS
        for start in range(0, len(values), self.ROWS):
            chunk = values[start:start + self.ROWS]
            parameters = tuple(convert(row[name]) if convert else row[name]
                               for row in chunk for name, convert in zip(names, converters))
            pairs += writer.execute(engine, self._statement(writer.placeholder, len(chunk)), parameters)
        return pairs

    def _statement(self, placeholder: str, count: int) -> str:
        sql = self._sql.get((placeholder, count))
        if sql is None:
            row = "(" + ", ".join([placeholder] * len(self.COLUMNS)) + ")"
            sql = self._sql[(placeholder, count)] = (
                f"INSERT INTO {ProgressEvent.__tablename__} ({', '.join(self.COLUMNS)}) VALUES "
                + ", ".join([row] * count) + " ON CONFLICT (user_id, event_id) DO NOTHING RETURNING user_id, event_id")
        return sql


_text_insert = _TextInsert()


class _Waiting:
    __slots__ = ("values", "finished", "result", "error")

    def __init__(self, values: list[dict]):
        self.values, self.finished, self.result, self.error = values, False, 0, None


class GroupCommit:
    """Events of requests that arrive together are written by one INSERT ... RETURNING on an
    autocommit connection: one transaction and one fsync for all of them (SQLite's
    synchronous=FULL syncs on every commit, and there is one writer at a time), and the write
    lock is taken and released inside one C call. A request returns only once the statement
    that holds its events has committed, so an acknowledged event is on disk. One request of a
    process writes at a time everything queued by then, on the process's own writer connection
    (writer_connection.py; SQLite in memory: on one from the engine's pool); the others wait,
    and when it is done the first of them to wake writes the next queue.
    """

    def __init__(self):
        self._changed = threading.Condition()
        self._queue: list[_Waiting] = []
        self._writing = False

    def insert(self, engine: Engine, values: list[dict]) -> int:
        me = _Waiting(values)
        with self._changed:
            self._queue.append(me)
            while self._writing and not me.finished:
                self._changed.wait()
            if not me.finished:  # nobody writes, and this request's events are still queued
                self._writing = True
                batch, self._queue = self._queue, []
        if not me.finished:
            try:
                self._write(engine, batch)
            finally:
                with self._changed:
                    self._writing = False
                    self._changed.notify_all()
        if me.error is not None:
            raise me.error
        return me.result

    @staticmethod
    def _write(engine: Engine, batch: list[_Waiting]) -> None:
        try:
            values = [v for w in batch for v in w.values]
            writer = WriterConnection.for_engine(engine)
            if writer is not None:
                rows = _text_insert.rows(writer, engine, values)
            else:
                with engine.connect() as connection:
                    rows = connection.execution_options(isolation_level="AUTOCOMMIT").execute(
                        _INSERT_SQLITE if engine.dialect.name == "sqlite" else _INSERT_POSTGRES, values).all()
            new = set(map(tuple, rows))
            for waiting in batch:
                mine = {(v["user_id"], v["event_id"]) for v in waiting.values} & new
                new -= mine  # an event sent twice at once counts as new for one request only
                waiting.result = len(mine)
        except BaseException as exc:  # every request of the batch fails with it (a 503)
            for waiting in batch:
                waiting.error = exc
            raise
        finally:
            for waiting in batch:
                waiting.finished = True


_group_commits: dict[str, GroupCommit] = {}


def _insert_new(engine: Engine, values: list[dict]) -> int:
    """Insert the events in one autocommit statement with those of concurrent requests of this
    process (GroupCommit); return how many were new."""
    key = str(engine.url)
    group = _group_commits.get(key) or _group_commits.setdefault(key, GroupCommit())
    return group.insert(engine, values)


def record_events(engine: Engine, user_id: int, events, courses) -> dict:
    """Insert the valid events that are new; a replayed event_id is acknowledged and not stored
    twice. Each invalid or stale event is rejected on its own, with its index, event_id and
    reason, so that one stale event (a lesson since removed) does not hold back the others; every
    event not in `rejected` is acknowledged (stored now or before)."""
    if not isinstance(events, list) or not events:
        raise ApiError(422, "'events' must be a non-empty list", "invalid_event")
    if len(events) > MAX_EVENTS:
        raise ApiError(413, f"at most {MAX_EVENTS} events per request", "too_many_events")
    rows, rejected = [], []
    for index, event in enumerate(events):
        try:
            rows.append(validate_event(event, index, courses))
        except Rejected as problem:
            event_id = event.get("event_id") if isinstance(event, dict) else None
            rejected.append({"index": index, "event_id": event_id if isinstance(event_id, str) else None,
                             "code": problem.code, "message": str(problem)})
    now = utcnow()
    values = [{**row, "user_id": user_id, "recorded_at": now} for row in rows]
    recorded = _insert_new(engine, values) if values else 0
    return {"recorded": recorded, "duplicates": len(rows) - recorded, "rejected": rejected}


def lessons_completed_per_user():
    """(user_id, n): how many lessons each learner has completed, counted per course (course_id and
    item_id), so two courses that share a 'module/lesson' ID are not collapsed. The admin list and
    the learners CSV both count with this."""
    return (select(ProgressEvent.user_id,
                   func.count(func.distinct(ProgressEvent.course_id + "/" + ProgressEvent.item_id)).label("n"))
            .where(ProgressEvent.kind == "lesson_completed").group_by(ProgressEvent.user_id))


def course_progress(db: Session, user_id: int, course: CourseManifest) -> dict:
    completed = set(db.scalars(select(ProgressEvent.item_id).where(
        ProgressEvent.user_id == user_id, ProgressEvent.course_id == course.id,
        ProgressEvent.kind == "lesson_completed").distinct()))
    last = db.scalar(select(ProgressEvent.item_id).where(
        ProgressEvent.user_id == user_id, ProgressEvent.course_id == course.id,
        ProgressEvent.kind == "lesson_viewed").order_by(ProgressEvent.occurred_at.desc(),
                                                        ProgressEvent.id.desc()).limit(1))
    seconds = db.scalar(select(func.coalesce(func.sum(ProgressEvent.value), 0)).where(
        ProgressEvent.user_id == user_id, ProgressEvent.course_id == course.id,
        ProgressEvent.kind == "lesson_viewed")) or 0
    current = [lid for lid in course.lesson_order if lid in completed]
    modules = []
    for module in course.modules:
        ids = [lesson.id for lesson in module.lessons]
        done = sum(1 for i in ids if i in completed)
        modules.append({"slug": module.slug, "title": module.title, "url": module.url,
                        "lessons": len(ids), "completed": done})
    shares = dict(db.execute(select(ProgressEvent.item_id, func.max(ProgressEvent.value)).where(
        ProgressEvent.user_id == user_id, ProgressEvent.course_id == course.id,
        ProgressEvent.kind == "video_progress").group_by(ProgressEvent.item_id)).all())
    videos = [{"name": name, "title": video.title, "share": float(shares.get(name) or 0.0),
               "watched": float(shares.get(name) or 0.0) >= WATCHED_SHARE}
              for name, video in course.videos.items()]
    return {
        "course": course.id, "title": course.title, "videos": videos,
        "videos_watched": sum(v["watched"] for v in videos),
        "completed_lessons": current, "lessons": len(course.lesson_order),
        "share_completed": len(current) / len(course.lesson_order) if course.lesson_order else 0.0,
        "resume": _resume(course, last, completed), "seconds_spent": round(float(seconds)),
        "modules": modules,
        "removed_items_completed": sorted(completed - set(course.lesson_order)),
    }


def _resume(course: CourseManifest, last_viewed: str | None, completed: set) -> dict | None:
    """Where to continue: the last lesson viewed, or else the first not completed."""
    target = last_viewed if last_viewed in course.lessons else next(
        (lid for lid in course.lesson_order if lid not in completed), None)
    if target is None:
        return None
    lesson = course.lessons[target]
    return {"lesson": target, "title": lesson.title, "url": lesson.url}


def attempts_overview(db: Session, user_id: int, course: CourseManifest) -> list[dict]:
    from brokerlearn.server.services.attempts import attempt_limit  # extra attempts granted count
    rows = db.scalars(select(QuizAttempt).where(QuizAttempt.user_id == user_id, QuizAttempt.course_id == course.id,
                                                QuizAttempt.status == "submitted")).all()
    overview = []
    for quiz in course.graded_quizzes():
        mine = sorted((r for r in rows if r.quiz_id == quiz.id), key=lambda r: r.number)
        best = max(mine, key=lambda r: (r.score or 0), default=None)
        overview.append({"quiz": quiz.id, "title": quiz.title, "attempts": len(mine),
                         "max_attempts": attempt_limit(db, user_id, course.id, quiz), "max_score": quiz.max_score,
                         "best": best.score if best else None, "latest": mine[-1].score if mine else None,
                         "passed": any(r.passed for r in mine)})
    return overview
