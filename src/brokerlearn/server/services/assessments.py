"""Where one learner stands in each graded quiz of a course: the status the module pages, the
lesson that holds an assessment, the course outline and the dashboard show.

Only the learner's own attempts are read, and only counts and scores leave this module: never a
question, an option, a key or another learner's data."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from brokerlearn.course.manifest import CourseManifest, Quiz
from brokerlearn.server.models import QuizAttempt

# The statuses, in the order a learner goes through them.
NOT_STARTED = "not_started"  # no attempt submitted yet
IN_PROGRESS = "in_progress"  # submitted, not passed, attempts left (or no limit)
PASSED = "passed"
NO_ATTEMPTS_LEFT = "no_attempts_left"  # every allowed attempt submitted, none passed
STATUSES = (NOT_STARTED, IN_PROGRESS, PASSED, NO_ATTEMPTS_LEFT)


def _in_course_order(course: CourseManifest) -> list[tuple[Quiz, str | None, str | None]]:
    """(quiz, module slug, URL of the quiz in its lesson) for each graded quiz, in the course's
    order: as the modules list them, then any graded quiz no module lists."""
    seen, ordered = set(), []
    for module in course.modules:
        for ref in module.quizzes:
            quiz = course.quiz(ref.id)
            if quiz is not None and quiz.graded and quiz.id not in seen:
                seen.add(quiz.id)
                ordered.append((quiz, module.slug, ref.url))
    ordered += [(quiz, quiz.module or None, None) for quiz in course.graded_quizzes() if quiz.id not in seen]
    return ordered


def status_of(quiz: Quiz, submitted: list[QuizAttempt]) -> dict:
    """One quiz's status from the learner's submitted attempts."""
    limit = quiz.max_attempts
    used = len(submitted)
    left = None if limit == 0 else max(0, limit - used)
    passed = any(a.passed for a in submitted)
    best = max((a.score or 0.0 for a in submitted), default=None)
    state = PASSED if passed else NOT_STARTED if not used else NO_ATTEMPTS_LEFT if left == 0 else IN_PROGRESS
    return {"status": state, "attempts_used": used, "max_attempts": limit, "attempts_left": left,
            "best_score": best, "max_score": quiz.max_score, "pass_mark": quiz.pass_mark, "passed": passed}


def course_assessments(db: Session, user_id: int, course: CourseManifest) -> list[dict]:
    """Each graded quiz of the course with the learner's status: `quiz` (ID), `title`, `module`
    (slug), `url` (the quiz in its lesson, relative to the site's root, or None), and `status_of`'s
    `status`, `attempts_used`, `max_attempts` (0: no limit), `attempts_left` (None: no limit),
    `best_score` (None: not taken), `max_score`, `pass_mark`, `passed`."""
    rows = db.scalars(select(QuizAttempt).where(
        QuizAttempt.user_id == user_id, QuizAttempt.course_id == course.id,
        QuizAttempt.status == "submitted")).all()
    mine: dict[str, list[QuizAttempt]] = {}
    for row in rows:
        mine.setdefault(row.quiz_id, []).append(row)
    return [{"quiz": quiz.id, "title": quiz.title, "module": module, "url": url,
             **status_of(quiz, mine.get(quiz.id, []))}
            for quiz, module, url in _in_course_order(course)]
