"""Figures for authors and admins: the per-module completion funnel, and per graded question
the facility index, the discrimination index and how often each option was chosen.

Item statistics use each learner's first submitted attempt of a quiz (later attempts are
shaped by the feedback of the first). Facility is the mean share of the question's points;
discrimination is the correlation between the question's score and the learner's score on the
rest of the quiz (corrected item-total correlation), undefined with fewer than 3 learners or no
spread.
"""
from __future__ import annotations

import math
from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from brokerlearn.course.grading import current_ids
from brokerlearn.course.manifest import CourseManifest
from brokerlearn.course.questions import question_type
from brokerlearn.server.language import gettext as _
from brokerlearn.server.models import ProgressEvent, QuizAttempt, User


def module_funnel(db: Session, course: CourseManifest) -> list[dict]:
    """Per module: learners who started it (a lesson viewed or completed) and who completed all
    its lessons; the course's learners are those with any event in it."""
    rows = db.execute(select(ProgressEvent.user_id, ProgressEvent.kind, ProgressEvent.item_id).where(
        ProgressEvent.course_id == course.id, ProgressEvent.kind.in_(("lesson_viewed", "lesson_completed")))
        .distinct()).all()
    started: dict[int, set] = {}
    completed: dict[int, set] = {}
    for user_id, kind, item in rows:
        (completed if kind == "lesson_completed" else started).setdefault(user_id, set()).add(item)
    learners = set(started) | set(completed)
    funnel = []
    for module in course.modules:
        ids = {lesson.id for lesson in module.lessons}
        began = sum(1 for u in learners if (started.get(u, set()) | completed.get(u, set())) & ids)
        finished = sum(1 for u in learners if ids and ids <= completed.get(u, set()))
        funnel.append({"slug": module.slug, "title": module.title, "started": began, "completed": finished})
    return funnel


def _pearson(xs: list[float], ys: list[float]) -> float | None:
    n = len(xs)
    if n < 3:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def item_statistics(db: Session, course: CourseManifest, quiz_id: str) -> dict:
    quiz = course.quiz(quiz_id)
    first = {}
    for attempt in db.scalars(select(QuizAttempt).where(
            QuizAttempt.course_id == course.id, QuizAttempt.quiz_id == quiz_id,
            QuizAttempt.status == "submitted").order_by(QuizAttempt.number)):
        first.setdefault(attempt.user_id, attempt)
    attempts = list(first.values())
    questions = []
    for number, question in enumerate(quiz.questions, start=1):
        qid = question.id
        kind = question_type(question.type)
        scores = [(a.results or {}).get(qid, {}).get("score", 0.0) for a in attempts]
        rest = [(a.score or 0.0) - s for a, s in zip(attempts, scores)]
        scored = bool(question.max_score) and kind.scored
        facility = (sum(scores) / (len(scores) * question.max_score)) if scored and scores else None
        choices = Counter()
        for a in attempts:  # (the IDs of old builds too)
            choices.update(kind.chosen_options(question, current_ids(question, (a.responses or {}).get(qid))))
        options = [{"id": o.id, "text": o.text, "correct": o.correct,
                    "chosen": choices.get(o.id, 0)} for o in question.options]
        questions.append({"number": number, "id": qid, "type": question.type, "prompt": question.prompt,
                          "facility": facility, "discrimination": _pearson(scores, rest) if scored else None,
                          "answered": sum(1 for a in attempts if qid in (a.responses or {})), "options": options})
        questions[-1]["flags"] = flags(questions[-1])
    return {"quiz": quiz_id, "title": quiz.title, "learners": len(attempts), "questions": questions,
            "flagged": sum(1 for q in questions if q["flags"])}


HARD, EASY, WEAK = 0.3, 0.95, 0.2  # facility below / above, discrimination below: look at the question


def flags(stats: dict) -> list[str]:
    """Why a question deserves a look, in words: too hard, too easy, not separating strong from
    weak learners, or a wrong option that most learners who answered chose."""
    reasons = []
    if not stats["answered"]:  # nobody answered it (yet): nothing to say about the question
        return reasons
    facility, discrimination = stats["facility"], stats["discrimination"]
    if facility is not None and facility < HARD:
        reasons.append(_("Hard: learners earned only %(share)s%% of its points (below 30%%). Check the key and "
                         "the wording.") % {"share": round(facility * 100)})
    if facility is not None and facility > EASY:
        reasons.append(_("Easy: learners earned %(share)s%% of its points (above 95%%); it tells little about "
                         "who has learned.") % {"share": round(facility * 100)})
    if discrimination is not None and discrimination < WEAK:
        reasons.append(_("It hardly separates learners who do well on the rest of the quiz from those who do "
                         "not (discrimination %(value)s, below 0.2).") % {"value": f"{discrimination:.2f}"})
    answered = stats["answered"]
    wrong = [o for o in stats["options"] if not o["correct"]]
    best_right = max([o["chosen"] for o in stats["options"] if o["correct"]], default=0)
    if answered and wrong:
        top = max(wrong, key=lambda o: o["chosen"])
        if top["chosen"] * 2 > answered and top["chosen"] > best_right:
            reasons.append(_("%(chosen)s of %(answered)s learners chose the same wrong option, '%(option)s': is it "
                             "right after all, or does the lesson mislead?")
                           % {"chosen": top["chosen"], "answered": answered, "option": top["text"]})
    return reasons
