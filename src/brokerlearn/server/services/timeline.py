"""Each learner's timeline of assessed work (issue 18, item 3): for every assignment of a course,
the steps that apply to them (submit, practice, peer reviews, self-review, the trainer's review,
feedback released), each done, current, waiting or still to come, with its due date, and the
one next step with its date and link.

Derived only from the rows of the flow (docs: /work/notes/FLOW18.md, the models' block
"Assessed work"): the learner's submissions, the reviews they gave, their submission's trainer
task and result, their first visit of the assignment's lesson and their groups' start dates.
`steps` is pure over those facts (`Facts`), so it is tested without a server; `for_learner`
reads the facts from the database; `words` puts a timeline into sentences in a language.

Nothing of the reviews or the result is told before the result is released: until then the
trainer's step is "with the trainer", whether it is graded or not.

Due dates, in days from `Assignment.due`: `submit` from the first visit of the lesson that shows
the assignment (or the group's start date, if later); `review` (practice, peer and self) from
the learner's own submission; `feedback` (the trainer's) from the submission, or the trainer
task's own due date.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from brokerlearn.course.assignment import Assignment
from brokerlearn.course.manifest import CourseManifest
from brokerlearn.server.models import (AssignmentResult, Group, GroupCourse, GroupMember, ProgressEvent, Review,
                                       Submission, TrainerTask)
from brokerlearn.server.services import allocation

STATES = ("done", "current", "waiting", "upcoming")
# The steps whose date a reminder may be about: the learner's own actions, never optional ones.
REMINDED = ("submit", "practice", "peer", "resubmit")


# ---- the facts a timeline is derived from -----------------------------------------------------

@dataclass(frozen=True)
class Work:
    """The learner's latest submission (attempt) of the assignment."""
    id: int
    attempt: int
    status: str  # draft | submitted
    submitted_at: datetime | None = None


@dataclass(frozen=True)
class Task:
    """Their submission's place in the trainers' queue."""
    reason: str
    due_at: datetime | None = None
    done_at: datetime | None = None


@dataclass(frozen=True)
class Result:
    released_at: datetime | None
    passed: bool


@dataclass(frozen=True)
class Facts:
    """What one learner's timeline of one assignment is derived from."""
    first_visit: datetime | None = None  # their first progress event of the assignment's lesson
    group_start: date | None = None  # the latest start date of their groups taking the course
    work: Work | None = None
    attempts: int = 0  # submitted attempts, the latest included
    practice: dict[str, list[bool]] = field(default_factory=dict)  # example ID -> agreed, in order
    peer_done: int = 0  # peer reviews they finished (of this attempt's round)
    peer_open: bool = False  # a peer review handed to them and not finished, its lease running
    work_to_review: bool = False  # whether a peer's work would be handed to them now
    self_done: bool = False
    stranded: bool = False  # their work is short of peer reviews past the stranding days (allocation.stranded)
    task: Task | None = None
    result: Result | None = None


@dataclass(frozen=True)
class Step:
    key: str  # submit | practice | peer | self | trainer | feedback | resubmit
    state: str  # one of STATES
    due: date | None = None
    note: str = ""  # why it waits, or what is special: draft, open, practise, stranded, passed, not_passed, ...
    left: int = 0  # peer reviews (or examples) still to do
    optional: bool = False

    @property
    def action(self) -> bool:
        """Whether the learner has something to do in it now."""
        return self.state == "current"


@dataclass(frozen=True)
class Timeline:
    assignment: Assignment
    url: str | None  # the lesson's place of the assignment, relative to the site's root
    steps: list[Step]
    today: date

    @property
    def next(self) -> Step | None:
        """The one next step: the first required step to do now, else an optional one, else the
        first step that waits on others (shown, but nothing to do); None when all is done."""
        current = [s for s in self.steps if s.state == "current"]
        required = [s for s in current if not s.optional]
        waiting = [s for s in self.steps if s.state == "waiting"]
        return (required or current or waiting or [None])[0]

    def reminder(self, within_days: int = 2) -> Step | None:
        """The next step when a reminder is due: one the learner must do, with a date within
        `within_days` from today or past; None when there is nothing to remind of."""
        step = self.next
        if step is None or not step.action or step.optional or step.key not in REMINDED or step.due is None:
            return None
        return step if (step.due - self.today).days <= within_days else None


def _day(moment: datetime | None) -> date | None:
    return _aware(moment).date() if moment is not None else None


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _plus(start: date | None, days) -> date | None:
    return start + timedelta(days=int(days)) if start is not None and days else None


def submit_due(assignment: Assignment, facts: Facts) -> date | None:
    """`due.submit` days from the first visit of the lesson, or from the group's start if later;
    no date before the learner has seen the assignment."""
    if facts.first_visit is None:
        return None
    start = _day(facts.first_visit)
    if facts.group_start is not None and facts.group_start > start:
        start = facts.group_start
    return _plus(start, assignment.due.get("submit"))


def steps(assignment: Assignment, facts: Facts, now: datetime) -> list[Step]:
    """The steps of `assignment` for the learner of `facts`, at `now` (pure)."""
    today = _aware(now).date()
    work = facts.work
    submitted = work is not None and work.status == "submitted"
    if work is not None and work.status == "draft" and facts.attempts:
        return [_resubmit_step(assignment, facts, today, draft=True)] + _closing(assignment, facts, submitted=False)
    found = [_submit_step(assignment, facts, submitted)]
    review_due = _plus(_day(work.submitted_at), assignment.due.get("review")) if submitted else None
    released = facts.result is not None and facts.result.released_at is not None
    if assignment.examples:
        found.append(_practice_step(assignment, facts, submitted, review_due, released))
    if assignment.peer_reviews:
        found.append(_peer_step(assignment, facts, submitted, review_due, today, released))
    if assignment.self_review:
        found.append(Step("self", "done" if facts.self_done else ("current" if submitted and not released
                                                                   else "upcoming"),
                          review_due, optional=True))
    found += _closing(assignment, facts, submitted)
    resubmit = _resubmit_step(assignment, facts, today, draft=False)
    if resubmit is not None:
        found.append(resubmit)
    return found


def _submit_step(assignment: Assignment, facts: Facts, submitted: bool) -> Step:
    if submitted:
        return Step("submit", "done", _day(facts.work.submitted_at))
    return Step("submit", "current", submit_due(assignment, facts), note="draft" if facts.work else "")


def _practice_step(assignment: Assignment, facts: Facts, submitted: bool, due: date | None, released: bool) -> Step:
    latest = {example.id: facts.practice.get(example.id, []) for example in assignment.examples}
    if all(tries and tries[-1] for tries in latest.values()):
        return Step("practice", "done", due, note="passed")
    tries_allowed = 1 + max(assignment.retries, 0)
    left = [eid for eid, tries in latest.items() if not (tries and tries[-1]) and len(tries) < tries_allowed]
    if not left:  # every example tried as often as allowed: done, not passed (peers' scores stay advisory)
        return Step("practice", "done", due, note="not_passed")
    if not submitted or released:
        return Step("practice", "upcoming", due, left=len(left))
    return Step("practice", "current", due, left=len(left))


def _peer_step(assignment: Assignment, facts: Facts, submitted: bool, due: date | None, today: date,
               released: bool) -> Step:
    target = assignment.peer_reviews
    left = max(target - facts.peer_done, 0)
    if not left:
        return Step("peer", "done", due)
    if not submitted:
        return Step("peer", "upcoming", due, left=left)
    if facts.peer_open:
        return Step("peer", "current", due, note="open", left=left)
    if released:  # the learner's assignment is finished: no more asking (their peers have the trainer)
        return Step("peer", "done", due, note="closed", left=left)
    if facts.work_to_review:
        return Step("peer", "current", due, left=left)
    if due is not None and today > due:
        return Step("peer", "done", due, note="nothing_left", left=left)  # nothing left to give
    practice_left = bool(assignment.examples) and _practice_step(assignment, facts, submitted, due,
                                                                 released).state == "current"
    return Step("peer", "waiting", due, note="practise" if practice_left else "peers", left=left)


def _closing(assignment: Assignment, facts: Facts, submitted: bool) -> list[Step]:
    """The trainer's review (when the assignment has one, or the work is in the trainers' queue
    for another reason) and the feedback's release."""
    result, task = facts.result, facts.task
    released = result is not None and result.released_at is not None
    found = []
    if assignment.trainer or task is not None or facts.stranded:
        feedback_days = assignment.due.get("feedback")
        due = (_day(task.due_at) if task is not None and task.due_at else
               _plus(_day(facts.work.submitted_at), feedback_days) if submitted else None)
        note = task.reason if task is not None and task.reason in ("stranded", "disagreement", "requested") else ""
        if facts.stranded and not note:
            note = "stranded"  # told at once, whether or not the stranding job has queued it yet
        if released:
            found.append(Step("trainer", "done", _day(result.released_at), note=note))
        elif task is not None or (submitted and (assignment.trainer or facts.stranded)):
            found.append(Step("trainer", "waiting", due, note=note))
        else:
            found.append(Step("trainer", "upcoming", due, note=note))
    if released:
        found.append(Step("feedback", "done", _day(result.released_at), note="passed" if result.passed else "not_passed"))
    else:
        found.append(Step("feedback", "upcoming"))
    return found


def _resubmit_step(assignment: Assignment, facts: Facts, today: date, draft: bool) -> Step | None:
    """After a released result that did not pass, where the rules let the learner try again on
    their own (`until-pass`, attempts left), or a new attempt's draft a trainer opened."""
    if draft:
        return Step("resubmit", "current", None, note="draft")
    result = facts.result
    if result is None or result.released_at is None or result.passed:
        return None
    if assignment.resubmit == "until-pass" and facts.attempts < assignment.max_attempts:
        return Step("resubmit", "current", _plus(_day(result.released_at), assignment.due.get("submit")))
    return None


# ---- reading the facts --------------------------------------------------------------------------

def lesson_of(course: CourseManifest, assignment: Assignment):
    """The lesson that shows the assignment (the manifest's `place`), or None."""
    if not assignment.place:
        return None
    page = assignment.place.split("#", 1)[0]
    return next((lesson for lesson in course.lessons.values() if lesson.url == page), None)


@dataclass
class Pool:
    """An assignment's submissions and peer reviews, read once for every learner asked about
    (allocation.next_review decides whether work would be handed out)."""
    works: list[allocation.Work]
    reviews: list[allocation.Review]


def _pool(db: Session, course_id: str, assignment_id: str) -> Pool:
    latest = (select(Submission.user_id, func.max(Submission.attempt).label("attempt"))
              .where(Submission.course_id == course_id, Submission.assignment_id == assignment_id,
                     Submission.status == "submitted").group_by(Submission.user_id).subquery())
    works = [allocation.Work(row.id, row.user_id, _aware(row.submitted_at)) for row in db.execute(
        select(Submission.id, Submission.user_id, Submission.submitted_at).join(
            latest, (latest.c.user_id == Submission.user_id) & (latest.c.attempt == Submission.attempt))
        .where(Submission.course_id == course_id, Submission.assignment_id == assignment_id))]
    reviews = [allocation.Review(row.submission_id, row.reviewer_id, _aware(row.started_at), row.status == "done")
               for row in db.execute(select(Review.submission_id, Review.reviewer_id, Review.started_at, Review.status)
                                     .where(Review.course_id == course_id, Review.assignment_id == assignment_id,
                                            Review.kind == "peer", Review.submission_id.is_not(None)))]
    return Pool(works, reviews)


def facts_of(db: Session, user_id: int, course: CourseManifest, assignment: Assignment, now: datetime,
             pool: Pool | None = None, group_start: date | None = None,
             stranded_days: int = allocation.STRANDED_AFTER_DAYS) -> Facts:
    """The facts of one learner's timeline of one assignment, from the rows."""
    rows = list(db.scalars(select(Submission).where(
        Submission.user_id == user_id, Submission.course_id == course.id,
        Submission.assignment_id == assignment.id).order_by(Submission.attempt)))
    latest = rows[-1] if rows else None
    work = Work(latest.id, latest.attempt, latest.status, latest.submitted_at) if latest else None
    lesson = lesson_of(course, assignment)
    first_visit = db.scalar(select(func.min(ProgressEvent.occurred_at)).where(
        ProgressEvent.user_id == user_id, ProgressEvent.course_id == course.id,
        ProgressEvent.item_id == lesson.id)) if lesson is not None else None
    mine = list(db.scalars(select(Review).where(
        Review.reviewer_id == user_id, Review.course_id == course.id, Review.assignment_id == assignment.id)
        .order_by(Review.started_at, Review.id)))
    practice: dict[str, list[bool]] = {}
    for review in mine:
        if review.kind == "practice" and review.status == "done" and review.example_id:
            practice.setdefault(review.example_id, []).append(bool(review.agreed))
    peers = [r for r in mine if r.kind == "peer"]
    now = _aware(now)
    peer_open = any(r.status == "open" and _aware(r.started_at) + allocation.LEASE > now for r in peers)
    submitted = work is not None and work.status == "submitted"
    to_review = stranded = False
    if submitted and assignment.peer_reviews:
        pool = pool or _pool(db, course.id, assignment.id)
        if not peer_open:
            to_review = allocation.next_review(user_id, pool.works, pool.reviews, now, assignment.peer_reviews,
                                               stranded_days) is not None
        stranded = any(w.id == latest.id for w in allocation.stranded(pool.works, pool.reviews, now,
                                                                       assignment.peer_reviews, stranded_days))
    task = result = None
    if latest is not None:
        row = db.scalar(select(TrainerTask).where(TrainerTask.submission_id == latest.id))
        task = Task(row.reason, row.due_at, row.done_at) if row else None
        graded = db.scalar(select(AssignmentResult).where(AssignmentResult.submission_id == latest.id))
        result = Result(graded.released_at, graded.passed) if graded else None
    return Facts(first_visit=first_visit, group_start=group_start, work=work,
                 attempts=sum(1 for r in rows if r.status == "submitted"), practice=practice,
                 peer_done=sum(1 for r in peers if r.status == "done"), peer_open=peer_open,
                 work_to_review=to_review,
                 self_done=any(r.kind == "self" and r.status == "done" and latest is not None
                               and r.submission_id == latest.id for r in mine), stranded=stranded,
                 task=task, result=result)


def group_start(db: Session, user_id: int, course_id: str) -> date | None:
    """The latest start date of the learner's groups that take the course."""
    return db.scalar(select(func.max(Group.starts_on)).join(GroupMember, GroupMember.group_id == Group.id)
                     .join(GroupCourse, GroupCourse.group_id == Group.id)
                     .where(GroupMember.user_id == user_id, GroupCourse.course_id == course_id))


def for_learner(db: Session, user_id: int, course: CourseManifest, now: datetime | None = None,
                module: str | None = None, pools: dict | None = None) -> list[Timeline]:
    """The learner's timeline of every assignment of the course (of one module's, with
    `module`), in the course's order of lessons. `pools` caches each assignment's submissions
    and reviews across learners (the reminders ask for many)."""
    if not course.assignments:
        return []
    now = _aware(now or datetime.now(timezone.utc))
    start = group_start(db, user_id, course.id)
    found = []
    for assignment in ordered(course):
        if module is not None and assignment.module != module:
            continue
        pool = None
        if pools is not None:
            key = (course.id, assignment.id)
            pool = pools.get(key) or pools.setdefault(key, _pool(db, course.id, assignment.id))
        facts = facts_of(db, user_id, course, assignment, now, pool, start)
        found.append(Timeline(assignment, assignment.place, steps(assignment, facts, now), now.date()))
    return found


def ordered(course: CourseManifest) -> list[Assignment]:
    """The course's assignments in the order of the lessons that show them (then by ID)."""
    order = {lesson.url: index for index, lesson in enumerate(course.lessons.values())}

    def key(assignment: Assignment):
        page = (assignment.place or "").split("#", 1)[0]
        return (order.get(page, len(order)), assignment.id)
    return sorted(course.assignments.values(), key=key)


# ---- in words ---------------------------------------------------------------------------------

def long_date(day: date, lang: str) -> str:
    from babel.dates import format_date
    return format_date(day, format="long", locale="en_GB" if lang == "en" else lang)


def words(timeline: Timeline, lang: str) -> dict:
    """The timeline as the pages and the reminder mail show it, in `lang`: `id`, `title`, `url`,
    `steps` (`key`, `state`, `label`, `state_label`, `when`, `note`, `optional`), `next` (`key`,
    `text`, `due` ISO date or None, `overdue`, `action`) or None, and `summary` (a sentence
    when nothing is next)."""
    from brokerlearn import i18n
    t = i18n.translations(lang)
    _, ngettext = t.gettext, t.ngettext  # noqa: F841 - the names pybabel extracts
    assignment, today = timeline.assignment, timeline.today
    labels = {"submit": _("Submit your work"), "practice": _("Practise on the trainer's examples"),
              "peer": ngettext("Review %(num)d peer's work", "Review %(num)d peers' work",
                               assignment.peer_reviews) % {"num": assignment.peer_reviews},
              "self": _("Review your own work (optional)"), "trainer": _("The trainer's review"),
              "feedback": _("Feedback released"), "resubmit": _("Submit a revised version")}
    states = {"done": _("done"), "current": _("to do"), "waiting": _("waiting"), "upcoming": _("later")}
    shown = [{"key": s.key, "state": s.state, "label": labels[s.key], "state_label": states[s.state],
              "when": _when(s, today, lang, t), "note": _note(s, t), "optional": s.optional}
             for s in timeline.steps]
    step = timeline.next
    result = {"id": assignment.id, "title": assignment.title, "url": timeline.url, "steps": shown, "next": None,
              "summary": _summary(timeline, t)}
    if step is not None:
        result["next"] = {"key": step.key, "text": next_text(step, today, lang, t), "action": step.action,
                          "due": step.due.isoformat() if step.due else None,
                          "overdue": bool(step.action and step.due and step.due < today)}
    return result


def _when(step: Step, today: date, lang: str, t) -> str:
    _ = t.gettext
    if step.due is None:
        return ""
    day = long_date(step.due, lang)
    if step.state == "done":
        return _("on %(date)s") % {"date": day} if step.key in ("submit", "feedback") else ""
    if step.state == "current" and step.due < today:
        return _("was due on %(date)s") % {"date": day}
    return _("by %(date)s") % {"date": day}


def _note(step: Step, t) -> str:
    _, ngettext = t.gettext, t.ngettext
    if step.key == "submit" and step.note == "draft":
        return _("a draft is saved")
    if step.key == "practice" and step.state != "done" and step.left:
        return ngettext("%(num)d example to rate", "%(num)d examples to rate", step.left) % {"num": step.left}
    if step.key == "peer":
        if step.note == "open":
            return _("finish the review you started")
        if step.note == "practise":
            return _("waiting for peers' work: practise on the examples meanwhile")
        if step.note == "peers":
            return _("waiting for peers' work")
        if step.note == "nothing_left":
            return _("no more work to review")
        if step.state == "current":
            return ngettext("%(num)d more to review", "%(num)d more to review", step.left) % {"num": step.left}
    if step.key == "trainer" and step.state != "done" and step.note == "stranded":
        return _("too few peers reviewed your work in time, so a trainer reviews it instead")
    if step.key == "feedback" and step.state == "done":
        return _("passed") if step.note == "passed" else _("not passed")
    return ""


def next_text(step: Step, today: date, lang: str, t) -> str:
    """"Next: review 1 more peer's work, by 12 March 2027" (or what it waits for)."""
    _, ngettext = t.gettext, t.ngettext
    if step.state == "waiting":
        if step.key == "peer":
            sentence = (_("Waiting for peers' work to review: practise on the examples meanwhile.")
                        if step.note == "practise" else _("Waiting for peers' work to review."))
        elif step.note == "stranded":
            sentence = _("Too few peers reviewed your work in time, so a trainer reviews it instead.")
        else:
            sentence = _("With the trainer.")
        if step.due is not None and step.due >= today:
            sentence += " " + _("Expected by %(date)s.") % {"date": long_date(step.due, lang)}
        return sentence
    what = {"submit": _("finish your draft and submit it") if step.note == "draft" else _("submit your work"),
            "practice": ngettext("rate %(num)d more of the trainer's examples",
                                 "rate %(num)d more of the trainer's examples", step.left) % {"num": step.left},
            "peer": _("finish the peer review you started") if step.note == "open" else
            ngettext("review %(num)d more peer's work", "review %(num)d more peers' work", step.left)
            % {"num": step.left},
            "self": _("review your own work (optional)"),
            "resubmit": _("revise your work and submit it again")}[step.key]
    if step.due is None:
        return _("Next: %(step)s.") % {"step": what}
    values = {"step": what, "date": long_date(step.due, lang)}
    if step.due < today:
        return _("Next: %(step)s (it was due on %(date)s).") % values
    return _("Next: %(step)s, by %(date)s.") % values


def _summary(timeline: Timeline, t) -> str:
    _ = t.gettext
    if timeline.next is not None:
        return ""
    feedback = next((s for s in timeline.steps if s.key == "feedback"), None)
    if feedback is not None and feedback.state == "done":
        return (_("Feedback released: you passed. Read it on the assignment's page.") if feedback.note == "passed"
                else _("Feedback released: not passed yet. Read it on the assignment's page."))
    return _("Nothing to do now: the results are released after the review.")
