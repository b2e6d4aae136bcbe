"""Graded attempts: start (with a fresh option order when the quiz shuffles), submit once,
graded against the private bundle with brokerlearn.course.grading.

Answers sent or stored under the option IDs of builds before quizzes were sealed are read
through the manifest's `former_ids` (grading.current_ids); an attempt left open since then
gets a fresh option order under today's IDs when it is resumed."""
from __future__ import annotations

import secrets

from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from brokerlearn.course.grading import grade
from brokerlearn.course.manifest import CourseManifest, Quiz
from brokerlearn.server.errors import ApiError
from brokerlearn.server.models import AttemptGrant, QuizAttempt, utcnow

_random = secrets.SystemRandom()


def graded_quiz(course: CourseManifest, quiz_id: str) -> Quiz:
    quiz = course.quiz(quiz_id)
    if quiz is None or not quiz.graded:
        raise ApiError(404, f"no graded quiz '{quiz_id}' in course '{course.id}'", "unknown_quiz")
    return quiz


def _attempts(db: Session, user_id: int, course_id: str, quiz_id: str) -> list[QuizAttempt]:
    return list(db.scalars(select(QuizAttempt).where(
        QuizAttempt.user_id == user_id, QuizAttempt.course_id == course_id,
        QuizAttempt.quiz_id == quiz_id).order_by(QuizAttempt.number)))


def attempt_limit(db: Session, user_id: int, course_id: str, quiz: Quiz) -> int:
    """How many attempts the learner has at the quiz: its max_attempts plus the extra attempts an
    administrator or trainer granted them (0: unlimited, whatever was granted)."""
    if not quiz.max_attempts:
        return 0
    extra = db.scalar(_EXTRA_GRANTED, {"user_id": user_id, "course_id": course_id, "quiz_id": quiz.id})
    return quiz.max_attempts + int(extra or 0)


# Statements of every start or submission, built once with bound parameters (see _ATTEMPT_FACTS).
_EXTRA_GRANTED = select(func.coalesce(func.sum(AttemptGrant.extra), 0)).where(
    AttemptGrant.user_id == bindparam("user_id"), AttemptGrant.course_id == bindparam("course_id"),
    AttemptGrant.quiz_id == bindparam("quiz_id"))
_SUBMITTED_COUNT = select(func.count(QuizAttempt.id)).where(
    QuizAttempt.user_id == bindparam("user_id"), QuizAttempt.course_id == bindparam("course_id"),
    QuizAttempt.quiz_id == bindparam("quiz_id"), QuizAttempt.status == "submitted")


def status(db: Session, user_id: int, course: CourseManifest, quiz_id: str) -> dict:
    quiz = graded_quiz(course, quiz_id)
    attempts = _attempts(db, user_id, course.id, quiz_id)
    submitted = [a for a in attempts if a.status == "submitted"]
    best = max(submitted, key=lambda a: a.score or 0, default=None)
    limit = attempt_limit(db, user_id, course.id, quiz)
    return {"quiz": quiz_id, "max_attempts": limit, "attempts_used": len(submitted),
            "attempts_left": None if limit == 0 else max(0, limit - len(submitted)),
            "best_score": best.score if best else None, "latest_score": submitted[-1].score if submitted else None,
            "max_score": quiz.max_score, "passed": any(a.passed for a in submitted),
            "open_attempt": next((_public(a) for a in attempts if a.status == "open"), None)}


def _public(attempt: QuizAttempt) -> dict:
    return {"id": attempt.id, "number": attempt.number, "option_order": attempt.option_order or {}}


def start(db: Session, user_id: int, course: CourseManifest, quiz_id: str) -> dict:
    """The learner's open attempt, or a new one. One statement reads the open attempt and two
    numbers, never the learner's earlier attempts themselves (each holds its answers and results:
    reading them all made every start slower than the one before), so a new attempt costs that
    statement, the INSERT and the commit (on PostgreSQL each is a round trip; bench/README.md)."""
    quiz = graded_quiz(course, quiz_id)
    open_attempt, used, last = db.execute(_ATTEMPT_FACTS, {"user_id": user_id, "course_id": course.id,
                                                           "quiz_id": quiz_id}).one()
    if open_attempt is not None:
        if quiz.shuffle and _stale_order(quiz, open_attempt.option_order or {}):
            open_attempt.option_order = _shuffled_orders(quiz)  # IDs of an earlier build
            db.commit()
        return _public(open_attempt)
    limit = attempt_limit(db, user_id, course.id, quiz)
    if limit and used >= limit:
        raise ApiError(409, f"all {limit} attempts are used", "no_attempts_left")
    order = _shuffled_orders(quiz) if quiz.shuffle else {}
    attempt = QuizAttempt(user_id=user_id, course_id=course.id, quiz_id=quiz_id,
                          number=(last or 0) + 1, status="open", option_order=order)
    db.add(attempt)
    try:
        db.commit()
    except IntegrityError:  # the same learner started twice at once: use the other one
        db.rollback()
        return start(db, user_id, course, quiz_id)
    return _public(attempt)


def _attempt_facts():
    """(the open attempt with the lowest number or None, submitted attempts, highest number) in
    one row: the aggregates over the attempts index, the open attempt joined by its number.
    Built once with bound parameters: building it per request took a tenth of a start's CPU."""
    mine = (QuizAttempt.user_id == bindparam("user_id"), QuizAttempt.course_id == bindparam("course_id"),
            QuizAttempt.quiz_id == bindparam("quiz_id"))
    facts = select(func.count(QuizAttempt.id).filter(QuizAttempt.status == "submitted").label("used"),
                   func.max(QuizAttempt.number).label("last"),
                   func.min(QuizAttempt.number).filter(QuizAttempt.status == "open").label("open_number")
                   ).where(*mine).subquery()
    opened = aliased(QuizAttempt)
    return (select(opened, facts.c.used, facts.c.last).select_from(facts)
            .outerjoin(opened, and_(opened.user_id == bindparam("user_id"), opened.course_id == bindparam("course_id"),
                                    opened.quiz_id == bindparam("quiz_id"), opened.number == facts.c.open_number)))


_ATTEMPT_FACTS = _attempt_facts()


def _stale_order(quiz: Quiz, orders: dict) -> bool:
    options = {q.id: sorted(o.id for o in q.options) for q in quiz.questions}
    return any(sorted(ids) != options.get(qid) for qid, ids in orders.items())


def _shuffled_orders(quiz: Quiz) -> dict:
    orders = {}
    for question in quiz.questions:
        ids = [o.id for o in question.options]
        if len(ids) > 1:
            _random.shuffle(ids)
            orders[question.id] = ids
    return orders


# Built once with bound parameters, so SQLAlchemy compiles it and computes its cache key once,
# not over every submission's answers and results (a tenth of a submission's CPU time). The
# attempt must be the learner's, of this quiz, and open: a compare-and-set on the status, so a
# replayed submission can never count twice, and no SELECT before it.
_t = QuizAttempt.__table__.c
_SUBMIT = QuizAttempt.__table__.update().where(
    _t.id == bindparam("attempt_id"), _t.user_id == bindparam("owner"), _t.course_id == bindparam("course"),
    _t.quiz_id == bindparam("quiz"), _t.status == "open").values(
    status="submitted", responses=bindparam("new_responses"), results=bindparam("new_results"),
    score=bindparam("new_score"), max_score=bindparam("new_max_score"), passed=bindparam("new_passed"),
    submitted_at=bindparam("new_submitted_at")).returning(_t.number)


def submit(db: Session, user_id: int, course: CourseManifest, quiz_id: str, attempt_id: int, answers) -> dict:
    """Grade and store a submission in one transaction: the UPDATE, and (for a quiz with an
    attempt limit) the count the feedback needs; on PostgreSQL three round trips for an
    unlimited quiz, where reading the attempt first and counting after the commit took seven."""
    quiz = graded_quiz(course, quiz_id)
    if not isinstance(answers, dict):
        raise ApiError(422, "'answers' must be an object: question id -> answer", "invalid_answers")
    questions = quiz.question_index
    unknown = set(answers) - set(questions)
    if unknown:
        raise ApiError(422, f"unknown question '{sorted(unknown)[0]}'", "unknown_question")
    if not isinstance(attempt_id, int):
        raise ApiError(404, "no such attempt", "unknown_attempt")
    results, score, max_score = {}, 0.0, 0.0
    for question_id, question in questions.items():
        result = grade(question, answers.get(question_id)) if question_id in answers else None
        earned = result.score if result else 0.0
        results[question_id] = {"score": earned, "max_score": question.max_score,
                                "correct": result.correct if result else (None if not question.scored else False),
                                "outcomes": question.outcomes, "answered": question_id in answers,
                                "feedback": result.feedback if result else [],
                                "explanation": question.explanation, "explanation_html": question.explanation_html,
                                "error": result.error if result else None}
        score += earned
        max_score += question.max_score
    passed = max_score == 0 or score >= quiz.pass_mark * max_score - 1e-9
    number = db.execute(_SUBMIT, {"attempt_id": attempt_id, "owner": user_id, "course": course.id, "quiz": quiz_id,
                                  "new_responses": answers, "new_results": results, "new_score": round(score, 6),
                                  "new_max_score": max_score, "new_passed": passed,
                                  "new_submitted_at": utcnow()}).scalar()
    if number is None:
        db.rollback()
        attempt = db.get(QuizAttempt, attempt_id)
        if attempt is None or attempt.user_id != user_id or attempt.quiz_id != quiz_id or attempt.course_id != course.id:
            raise ApiError(404, "no such attempt", "unknown_attempt")
        raise ApiError(409, "this attempt has been submitted already", "attempt_submitted")
    limit = attempt_limit(db, user_id, course.id, quiz)
    used = _submitted_count(db, user_id, course.id, quiz.id) if limit else None  # this one included
    db.commit()
    return _feedback(quiz, number, results, score, max_score, passed, limit, used)


def _submitted_count(db: Session, user_id: int, course_id: str, quiz_id: str) -> int:
    return db.scalar(_SUBMITTED_COUNT, {"user_id": user_id, "course_id": course_id, "quiz_id": quiz_id})


def _feedback(quiz, number, results, score, max_score, passed, limit: int, used: int | None) -> dict:
    """What the learner sees: explanations only once they passed or have no attempt left
    (limit 0: unlimited, and `used` is not needed)."""
    last = bool(limit) and used >= limit
    reveal = passed or last
    questions = {qid: {"score": r["score"], "max_score": r["max_score"], "correct": r["correct"],
                       "feedback": r["feedback"], "error": r["error"],
                       **({"explanation": r["explanation"], "explanation_html": r.get("explanation_html")}
                          if reveal else {})}
                 for qid, r in results.items()}
    left = None if not limit else max(0, limit - used)
    return {"attempt": number, "score": round(score, 6), "max_score": max_score, "passed": passed,
            "pass_mark": quiz.pass_mark, "attempts_left": left, "questions": questions,
            "explanations_shown": reveal}


def outcome_scores(db: Session, user_id: int, course: CourseManifest) -> dict[str, float]:
    """Per outcome: share of points earned on its graded questions, best attempt per quiz."""
    earned: dict[str, float] = {}
    possible: dict[str, float] = {}
    attempts = db.scalars(select(QuizAttempt).where(QuizAttempt.user_id == user_id, QuizAttempt.course_id == course.id,
                                                    QuizAttempt.status == "submitted")).all()
    for quiz in course.graded_quizzes():
        best = max((a for a in attempts if a.quiz_id == quiz.id), key=lambda a: a.score or 0, default=None)
        for question in quiz.questions:
            for outcome in question.outcomes:
                possible[outcome] = possible.get(outcome, 0.0) + question.max_score
                if best and best.results and question.id in best.results:
                    earned[outcome] = earned.get(outcome, 0.0) + best.results[question.id]["score"]
    return {o: (earned.get(o, 0.0) / p if p else 0.0) for o, p in possible.items()}
