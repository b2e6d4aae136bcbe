"""Grading assessed work (issue 18, items 5 and 6): a result per criterion kind and how it is
described, the peers' median and spread, wide disagreement, set-aside, claims (two trainers, a
lapsed claim), release together, the role matrix, CSRF, the trainers' daily digest mailed to a
real SMTP server (aiosmtpd) and the stranding sweep; on SQLite and on PostgreSQL."""
from __future__ import annotations

import re
import threading
from dataclasses import replace
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from brokerlearn.cli import main
from brokerlearn.course.assignment import Assignment, Criterion, Example, Level, Rubric
from brokerlearn.server.models import Review
from brokerlearn.server.services import grading
from brokerlearn.server.services.grading import GradingError
from server_fixtures import PASSWORD

TEXT = " ".join(["word"] * 70) + "\n\n**Agenda**: <script>alert(1)</script>"

# ---- computation, without a database ---------------------------------------------------------

LEVELS = (Level("no", "Not yet", "", 0), Level("part", "On the way", "", 1), Level("yes", "Meets", "", 2),
          Level("great", "Exceeds", "", 3))
RUBRIC = Rubric("r", "R", (Criterion("agenda", "Agenda", "levels", outcomes=("U2.O1",), levels=LEVELS, expected="yes"),
                           Criterion("budget", "Budget", "points", max_points=8),
                           Criterion("steps", "Next steps", "checklist", items=("who", "when"), max_points=2),
                           Criterion("tone", "Tone", "comment")))
WORK = Assignment("a", "A", "m", "", (), RUBRIC, pass_mark=0.5, peer_reviews=3)
TRAINER = {"agenda": {"level": "yes", "comment": "Clear times."}, "budget": {"points": 6.5},
           "steps": {"checks": ["who"]}, "tone": {"comment": "Friendly."}}


def peer(agenda, budget, steps, reason=None, reviewer=1) -> Review:
    return Review(kind="peer", status="done", reviewer_id=reviewer, set_aside_reason=reason,
                  ratings={"agenda": {"level": agenda}, "budget": {"points": budget}, "steps": {"checks": steps}})


def test_a_result_per_criterion_kind_says_how_it_was_computed():
    alone = grading.compute(WORK, TRAINER)
    assert (alone.score, alone.max_score, alone.passed) == (9.5, 13, True)  # 2 + 6.5 + 1 of 3 + 8 + 2
    by_id = {c["id"]: c for c in alone.criteria}
    assert by_id["agenda"] == {"id": "agenda", "title": "Agenda", "kind": "levels", "outcomes": ["U2.O1"],
                               "level": "yes", "comment": "Clear times.", "score": 2.0, "max": 3.0, "source": "trainer"}
    assert by_id["steps"]["checks"] == ["who"] and by_id["steps"]["score"] == 1 and by_id["steps"]["max"] == 2
    assert by_id["tone"]["score"] == 0 and by_id["tone"]["max"] == 0 and by_id["tone"]["source"] == "trainer's comment"
    assert alone.method == "Trainer's grade."
    # Peers far from the trainer change nothing while they are advisory: the trainer's grade is the grade.
    with_peers = grading.compute(WORK, TRAINER, [peer("no", 0, []), peer("no", 1, [])])
    assert with_peers.score == 9.5 and with_peers.method == "Trainer's grade; peers advisory."
    below = grading.compute(WORK, {**TRAINER, "budget": {"points": 2}, "agenda": {"level": "part"}})
    assert below.score == 4 and not below.passed  # 4 of 13 < 0.5


@pytest.mark.parametrize("change, message", [
    ({"agenda": {}}, "choose a level for 'Agenda'"),
    ({"agenda": {"level": "perfect"}}, "choose a level for 'Agenda'"),
    ({"budget": {"points": 9}}, "'Budget' takes 0 to 8 points"),
    ({"budget": {"points": "many"}}, "give 'Budget' a number of points"),
    ({"steps": {"checks": ["why"]}}, "tick the items of 'Next steps'"),
])
def test_every_scored_criterion_needs_a_valid_rating(change, message):
    with pytest.raises(GradingError) as refused:
        grading.compute(WORK, {**TRAINER, **change})
    assert refused.value.status == 422 and message in refused.value.message


def test_peer_median_and_spread_leave_out_reviews_set_aside():
    reviews = [peer("no", 2, ["who"]), peer("yes", 4, ["who", "when"]), peer("great", 8, [])]
    figures = grading.peer_figures(RUBRIC, reviews)
    assert figures["agenda"].rating == {"level": "yes"} and figures["agenda"].spread == 3 and figures["agenda"].wide
    assert figures["budget"].median == 4 and figures["budget"].spread == 3  # (8 - 2) points, 2 points a level
    assert figures["steps"].rating == {"checks": ["who"]} and figures["steps"].median == 1  # who: 2 peers, when: 1
    assert "tone" not in figures
    reviews[2].set_aside_reason = "rated another submission"
    figures = grading.peer_figures(RUBRIC, reviews)
    assert figures["agenda"].count == 2 and figures["agenda"].spread == 2
    assert figures["agenda"].rating == {"level": "no"}  # the lower middle of two: a level that exists
    assert figures["budget"].median == 3 and figures["budget"].spread == 1 and not figures["budget"].wide


def test_wide_disagreement_is_two_levels_apart_or_across_the_pass_line():
    assert grading.disagreement(WORK, [peer("yes", 5, ["who"]), peer("great", 6, ["who"])]) == []
    apart = grading.disagreement(WORK, [peer("no", 6, ["who"]), peer("yes", 6, ["who"])])  # 7 and 9 of 13
    assert apart == ["'Agenda': the peers' ratings are 2 levels apart"]
    split = grading.disagreement(WORK, [peer("part", 4, ["who"]), peer("yes", 4, ["who"])])  # 6 and 7 of 13
    assert split == ["some peers rate the work above the pass mark, others below it"]
    set_aside = [peer("part", 4, ["who"], reason="off topic"), peer("yes", 4, ["who"])]
    assert grading.disagreement(WORK, set_aside) == []


def test_peer_weight_and_confirming_the_median():
    weighted = replace(WORK, peer_weight=0.5, examples=(Example("x", "text", ()),))
    reviews = [peer("great", 8, ["who", "when"]), peer("great", 8, ["who", "when"]), peer("yes", 6, ["who"])]
    mixed = grading.compute(weighted, TRAINER, reviews, peers_weighted=True)
    by_id = {c["id"]: c for c in mixed.criteria}
    assert by_id["agenda"]["score"] == 2.5 and by_id["budget"]["score"] == 7.25  # (2 + 3) / 2, (6.5 + 8) / 2
    assert by_id["agenda"]["source"] == "trainer 50 %, peer median 50 %"
    assert mixed.method == "Trainer's grade weighted 50 %, peer median 50 % (the reviewers passed the practice)."
    unpractised = grading.compute(weighted, TRAINER, reviews, peers_weighted=False)
    assert unpractised.score == 9.5
    assert unpractised.method == "Trainer's grade; peers advisory (not every reviewer passed the practice)."
    confirmed = grading.compute(WORK, grading.confirmed_ratings(WORK, reviews, {"tone": "Well done"}), reviews,
                                confirmed=True)
    assert confirmed.score == 3 + 8 + 2 and confirmed.method == "Peer median of 3 review(s), confirmed by the trainer."
    assert {c["source"] for c in confirmed.criteria if c["max"]} == {"peer median confirmed by the trainer"}
    assert {c["id"]: c["comment"] for c in confirmed.criteria}["tone"] == "Well done"
    with pytest.raises(GradingError, match="no peer rated 'Budget'"):
        grading.confirmed_ratings(WORK, [Review(kind="peer", status="done", ratings={"agenda": {"level": "no"}})])


# ---- on the server: a cohort with work to grade --------------------------------------------------

BASE = "/admin/grading"
NAMES = {"ana@agency.org": "Ana Alves", "ben@agency.org": "Ben Berg", "cai@agency.org": "Cai Cole",
         "leo@agency.org": "Leo Lind", "tina@agency.org": "Tina Trainer", "tia@agency.org": "Tia Second",
         "tom@agency.org": "Tom Other", "boss@agency.org": "Boss", "ada@agency.org": "Ada Author"}
ROLES = {"tina@agency.org": "trainer", "tia@agency.org": "trainer", "tom@agency.org": "trainer",
         "boss@agency.org": "admin", "ada@agency.org": "author"}


class Cohort:
    """Group A (Ana, Ben, Cai; trainers Tina and Tia), group B (Leo; trainer Tom), an admin and an
    author, each signed in with their own cookies (`signed_out` is not); `ids` by e-mail."""

    def __init__(self, app, visitor):
        from werkzeug.security import generate_password_hash

        from brokerlearn.server import db
        from brokerlearn.server.models import GroupTrainer, User
        from brokerlearn.server.services.enrolment import add_member, create_group
        cheap = generate_password_hash(PASSWORD, "pbkdf2:sha256:1000")  # nine accounts; their passwords are not tested
        with app.app_context():
            session = db.session()
            users = {e: User(email=e, name=n, password_hash=cheap, role=ROLES.get(e, "learner")) for e, n in NAMES.items()}
            session.add_all(users.values())
            session.flush()
            self.group_a, self.group_b = create_group(session, "Office A").id, create_group(session, "Office B").id
            for email in ("ana@agency.org", "ben@agency.org", "cai@agency.org"):
                add_member(session, self.group_a, users[email].id)
            add_member(session, self.group_b, users["leo@agency.org"].id)
            session.add_all([GroupTrainer(group_id=self.group_a, user_id=users["tina@agency.org"].id),
                             GroupTrainer(group_id=self.group_a, user_id=users["tia@agency.org"].id),
                             GroupTrainer(group_id=self.group_b, user_id=users["tom@agency.org"].id)])
            session.commit()
            self.ids = {e: u.id for e, u in users.items()}
        self.app, self.visitors = app, {}
        for email in NAMES:
            self.visitors[email.split("@")[0]] = signed_in = visitor()
            assert signed_in.login(email).status_code == 302
        self.visitors["signed_out"] = visitor()

    def __getitem__(self, key):
        return self.visitors[key]

    def work(self, email="ana@agency.org", peers=(), days_ago=1, queue="trainer", due_in=10, text=TEXT) -> tuple:
        """A submitted piece of work of `email` with finished peer reviews (reviewer e-mail,
        ratings) and, with `queue`, its task; (submission id, task id or None)."""
        from brokerlearn.server import db
        from brokerlearn.server.models import Submission, utcnow
        from brokerlearn.server.services.trainer_queue import enqueue
        with self.app.app_context():
            session = db.session()
            when = utcnow() - timedelta(days=days_ago)
            attempt = 1 + len(session.scalars(select(Submission).where(Submission.user_id == self.ids[email])).all())
            work = Submission(user_id=self.ids[email], course_id="example", assignment_id="meeting-plan",
                              attempt=attempt, status="submitted", text=text, rubric_version="v1", submitted_at=when)
            session.add(work)
            session.flush()
            for reviewer, ratings in peers:
                session.add(Review(submission_id=work.id, course_id="example", assignment_id="meeting-plan",
                                   reviewer_id=self.ids[reviewer], kind="peer", status="done", ratings=ratings,
                                   started_at=when, finished_at=when, comment="one thing to keep, one to change"))
            task = enqueue(session, work, queue, due_at=utcnow() + timedelta(days=due_in)) if queue else None
            session.commit()
            return work.id, task.id if task else None

    def rows(self, model, **where):
        from brokerlearn.server import db
        with self.app.app_context():
            statement = select(model).filter_by(**where).order_by(model.id)
            found = list(db.session().scalars(statement))
            for row in found:
                db.session().expunge(row)
            return found


@pytest.fixture
def cohort(app, visitor):
    return Cohort(app, visitor)


def rated(agenda, checks, comment=""):
    return {"agenda": {"level": agenda, "comment": comment}, "next-step": {"checks": checks}}


WHO, WHEN = "Says who does the next step.", "Gives a date for it."
PEERS = (("ben@agency.org", rated("missing", [WHO], "no times")), ("cai@agency.org", rated("meets", [WHO, WHEN])))


def grade_form(level="meets", checks=(0,), comment="", action="save", **extra):
    form = {"level-agenda": level, "check-next-step": [str(c) for c in checks], "comment-agenda": comment,
            "comment-tone": "Warm and clear.", "feedback": "Good first plan.", "action": action}
    return {**form, **extra}


def test_a_trainer_claims_grades_and_releases_for_the_group(cohort):
    from brokerlearn.server.models import AssignmentResult, AuditEntry, TrainerTask
    submission_id, task_id = cohort.work(peers=PEERS)
    tina = cohort["tina"]
    listed = tina.client.get(BASE).get_data(as_text=True)
    assert "Ana Alves" in listed and "Plan your first meeting" in listed
    assert "<strong>1</strong> reviews waiting" in tina.client.get("/admin/").get_data(as_text=True)
    assert "<strong>0</strong> reviews waiting" in cohort["tom"].client.get("/admin/").get_data(as_text=True)
    assert tina.form(f"{BASE}/{task_id}/claim", {}, page=BASE).status_code == 303
    with cohort.app.app_context():
        from brokerlearn.server import db
        db.session().add(Review(submission_id=submission_id, course_id="example", assignment_id="meeting-plan",
                                reviewer_id=cohort.ids["ana@agency.org"], kind="self", status="done",
                                ratings=rated("partial", [WHO], "I ran out of time"), comment="My first try."))
        db.session().commit()
    page = tina.client.get(f"{BASE}/{task_id}").get_data(as_text=True)
    self_review = page[page.index('<details class="self-review">'):page.index("</details>", page.index("self-review"))]
    assert "On the way" in self_review and "I ran out of time" in self_review and "My first try." in self_review
    assert "&lt;script&gt;" in page and "<script>alert" not in page  # the learner's text, sanitized
    assert "<strong>Agenda</strong>" in page
    for name in ("Ben Berg", "ben@agency.org", "Cai Cole", "cai@agency.org"):
        assert name not in page  # the reviewers stay anonymous
    assert "Reviewer 1" in page and "Reviewer 2" in page and "no times" in page
    assert "The peers disagree widely" in page and "2 levels apart" in page  # missing vs meets
    figure = re.search(r'<p class="peer-figure wide">(.*?)</p>', page, re.S).group(1)
    assert "2 peers" in figure and "Not yet" in figure and "spread 2 levels" in figure  # the lower middle
    # Setting one review aside takes it out of the figures, with the reason recorded.
    review = cohort.rows(Review, submission_id=submission_id)[0]
    assert tina.form(f"{BASE}/{task_id}/reviews/{review.id}", {"reason": "reviewed another text", "action": "aside"},
                     page=f"{BASE}/{task_id}").status_code == 303
    page = tina.client.get(f"{BASE}/{task_id}").get_data(as_text=True)
    assert "The peers disagree widely" not in page and "Reason: reviewed another text" in page
    assert "1 peer</" not in page and "1 peer:" in page and "Meets the standard</strong>" in page
    saved = tina.form(f"{BASE}/{task_id}", grade_form(), page=f"{BASE}/{task_id}")
    assert saved.status_code == 303, saved.get_data(as_text=True)
    [result] = cohort.rows(AssignmentResult, submission_id=submission_id)
    assert (result.score, result.max_score, result.passed) == (3, 4, True)  # meets 2 + one of two items
    assert result.method == "Trainer's grade; peers advisory." and result.graded_by == cohort.ids["tina@agency.org"]
    assert result.feedback == "Good first plan." and result.released_at is None
    assert {c["id"]: c["comment"] for c in result.criteria}["tone"] == "Warm and clear."
    [task] = cohort.rows(TrainerTask, id=task_id)
    assert task.done_at is not None and task.claimed_by is None
    assert "Nothing waits for you." in tina.client.get(BASE).get_data(as_text=True)
    # Released together: the group's graded results, at once (Leo's in group B stays unreleased).
    leo_work, leo_task = cohort.work("leo@agency.org")
    boss = cohort["boss"]
    assert boss.form(f"{BASE}/{leo_task}/claim", {}, page=BASE).status_code == 303
    assert boss.form(f"{BASE}/{leo_task}", grade_form(level="partial"), page=f"{BASE}/{leo_task}").status_code == 303
    waiting = tina.client.get(BASE).get_data(as_text=True)
    assert f'<a href="/admin/grading/{task_id}">Ana Alves</a>: 3 of 4 · passed' in waiting
    assert "Leo Lind" not in waiting  # group B's graded work is not Tina's to release
    released = tina.form(f"{BASE}/release", {"course": "example", "assignment": "meeting-plan",
                                             "group": str(cohort.group_a)}, page=BASE)
    assert released.status_code == 303
    assert cohort.rows(AssignmentResult, submission_id=submission_id)[0].released_at is not None
    assert cohort.rows(AssignmentResult, submission_id=leo_work)[0].released_at is None
    # Tina may not release for group B (404, as if it did not exist); the admin releases for everyone.
    assert tina.form(f"{BASE}/release", {"course": "example", "assignment": "meeting-plan",
                                         "group": str(cohort.group_b)}, page=BASE).status_code == 404
    assert boss.form(f"{BASE}/release", {"course": "example", "assignment": "meeting-plan"}, page=BASE).status_code == 303
    assert cohort.rows(AssignmentResult, submission_id=leo_work)[0].released_at is not None
    # A released result is not graded again from the old task.
    assert tina.form(f"{BASE}/{task_id}/claim", {}, page=BASE).status_code == 303
    again = tina.form(f"{BASE}/{task_id}", grade_form(level="missing"), page=f"{BASE}/{task_id}")
    assert again.status_code == 409 and cohort.rows(AssignmentResult, submission_id=submission_id)[0].score == 3
    actions = [e.action for e in cohort.rows(AuditEntry)]
    for action in ("review_set_aside", "assignment_graded", "results_released"):
        assert action in actions, action


def test_confirm_the_peer_median_and_save_and_next(cohort):
    from brokerlearn.server.models import AssignmentResult, AuditEntry, TrainerTask
    agreeing = (("ben@agency.org", rated("meets", [WHO])), ("cai@agency.org", rated("meets", [WHO, WHEN])))
    first, first_task = cohort.work(peers=agreeing, due_in=2)
    second, second_task = cohort.work("ben@agency.org", due_in=5)
    third, third_task = cohort.work("cai@agency.org", due_in=7)
    tina = cohort["tina"]
    queue = tina.client.get(BASE).get_data(as_text=True)
    assert queue.index("Ana Alves") < queue.index("Ben Berg") < queue.index("Cai Cole")  # by due date
    tina.form(f"{BASE}/{first_task}/claim", {}, page=BASE)
    confirmed = tina.form(f"{BASE}/{first_task}", grade_form(level="", checks=(), action="confirm"),
                          page=f"{BASE}/{first_task}")
    assert confirmed.status_code == 303 and confirmed.headers["Location"].endswith(f"{BASE}/{first_task}")
    [result] = cohort.rows(AssignmentResult, submission_id=first)
    assert result.score == 3 and result.method == "Peer median of 2 review(s), confirmed by the trainer."
    by_id = {c["id"]: c for c in result.criteria}
    assert by_id["agenda"]["level"] == "meets" and by_id["next-step"]["checks"] == [WHO]  # both ticked "who"
    assert by_id["agenda"]["source"] == "peer median confirmed by the trainer"
    assert by_id["tone"]["comment"] == "Warm and clear."
    assert "peers_confirmed" in [e.action for e in cohort.rows(AuditEntry)]
    done = tina.client.get(f"{BASE}/{first_task}").get_data(as_text=True)
    assert "3 of 4" in done and "Not released yet" in done
    # Save and next: the next work nobody else grades opens, claimed.
    tina.form(f"{BASE}/{second_task}/claim", {}, page=BASE)
    moved = tina.form(f"{BASE}/{second_task}", grade_form(action="save_next"), page=f"{BASE}/{second_task}")
    assert moved.status_code == 303 and moved.headers["Location"].endswith(f"{BASE}/{third_task}")
    assert cohort.rows(TrainerTask, id=third_task)[0].claimed_by == cohort.ids["tina@agency.org"]
    assert cohort.rows(AssignmentResult, submission_id=second)[0].method == "Trainer's grade."


def test_saving_without_a_level_is_refused_and_keeps_the_form(cohort):
    from brokerlearn.server.models import AssignmentResult
    submission_id, task_id = cohort.work(peers=PEERS)
    tina = cohort["tina"]
    tina.form(f"{BASE}/{task_id}/claim", {}, page=BASE)
    refused = tina.form(f"{BASE}/{task_id}", grade_form(level="", comment="kept words"), page=f"{BASE}/{task_id}")
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "choose a level for &#39;A short agenda&#39;" in page and "kept words" in page
    assert cohort.rows(AssignmentResult, submission_id=submission_id) == []


def test_two_trainers_never_grade_the_same_work_and_a_lapsed_claim_is_taken_over(cohort):
    from brokerlearn.server import db
    from brokerlearn.server.models import AssignmentResult, AuditEntry, TrainerTask
    submission_id, task_id = cohort.work(peers=PEERS)
    tina, tia = cohort["tina"], cohort["tia"]
    assert tina.form(f"{BASE}/{task_id}/claim", {}, page=BASE).status_code == 303
    queue = tia.client.get(BASE).get_data(as_text=True)
    assert "being graded by Tina Trainer" in queue
    refused = tia.form(f"{BASE}/{task_id}/claim", {}, page=BASE, follow_redirects=True)
    assert "being graded by Tina Trainer" in refused.get_data(as_text=True)
    page = tia.client.get(f"{BASE}/{task_id}").get_data(as_text=True)
    assert "Being graded by Tina Trainer" in page and 'value="save_next"' not in page  # read only
    not_hers = tia.form(f"{BASE}/{task_id}", grade_form(), page=BASE)
    assert not_hers.status_code == 409 and cohort.rows(AssignmentResult) == []
    # Tina's claim lapses after 30 minutes: Tia takes over, and Tina's late save is refused.
    with cohort.app.app_context():
        task = db.session().get(TrainerTask, task_id)
        task.claimed_at = task.claimed_at - timedelta(minutes=31)
        db.session().commit()
    assert "has lapsed" in tia.client.get(f"{BASE}/{task_id}").get_data(as_text=True)
    assert tia.form(f"{BASE}/{task_id}/claim", {}, page=BASE).headers["Location"].endswith(f"{BASE}/{task_id}")
    late = tina.form(f"{BASE}/{task_id}", grade_form(), page=BASE)
    assert late.status_code == 409 and "Tia Second is grading this work now" in late.get_data(as_text=True)
    assert tia.form(f"{BASE}/{task_id}", grade_form(level="partial"), page=BASE).status_code == 303
    assert cohort.rows(AssignmentResult)[0].graded_by == cohort.ids["tia@agency.org"]
    [taken] = cohort.rows(AuditEntry, action="grading_taken_over")
    assert taken.actor_email == "tia@agency.org" and "Tina Trainer" in taken.details
    # Stopping frees the work for others.
    other, other_task = cohort.work("ben@agency.org")
    tina.form(f"{BASE}/{other_task}/claim", {}, page=BASE)
    tina.form(f"{BASE}/{other_task}/unclaim", {}, page=BASE)
    assert cohort.rows(TrainerTask, id=other_task)[0].claimed_by is None


def test_two_claims_at_the_same_moment_one_wins(cohort, database_url):
    from brokerlearn.server.db import session_for
    from brokerlearn.server.models import TrainerTask
    from brokerlearn.server.services.audit import Actor
    _, task_id = cohort.work()
    outcomes, start = [], threading.Barrier(2)

    def attempt(email):
        with session_for(database_url) as session:
            task = session.get(TrainerTask, task_id)
            start.wait()
            try:
                grading.claim(session, Actor(cohort.ids[email], email, "", "trainer", "test"), task)
                outcomes.append(("won", email))
            except GradingError as exc:
                outcomes.append((exc.status, email))

    threads = [threading.Thread(target=attempt, args=(e,)) for e in ("tina@agency.org", "tia@agency.org")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(str(o) for o, _ in outcomes) == ["409", "won"]
    winner = next(e for o, e in outcomes if o == "won")
    assert cohort.rows(TrainerTask, id=task_id)[0].claimed_by == cohort.ids[winner]


def test_the_comment_bank_saves_and_inserts_without_losing_the_form(cohort):
    from brokerlearn.server.models import CommentBankEntry
    _, task_id = cohort.work(peers=PEERS)
    tina = cohort["tina"]
    tina.form(f"{BASE}/{task_id}/claim", {}, page=BASE)
    kept = tina.form(f"{BASE}/{task_id}", grade_form(comment="Give each part a time.", action="bank:agenda"),
                     page=f"{BASE}/{task_id}")
    assert kept.status_code == 200
    page = kept.get_data(as_text=True)
    assert 'value="meets" checked' in page and "Good first plan." in page  # nothing lost, nothing graded
    [entry] = cohort.rows(CommentBankEntry)
    assert (entry.text, entry.criterion_id, entry.owner_id) == ("Give each part a time.", "agenda",
                                                                 cohort.ids["tina@agency.org"])
    assert tina.form(f"{BASE}/{task_id}", grade_form(comment="Give each part a time.", action="bank:agenda"),
                     page=f"{BASE}/{task_id}").status_code == 200
    assert len(cohort.rows(CommentBankEntry)) == 1  # the same comment once
    inserted = tina.form(f"{BASE}/{task_id}", grade_form(comment="Almost.", action=f"insert:{entry.id}@agenda"),
                         page=f"{BASE}/{task_id}").get_data(as_text=True)
    textarea = re.search(r'<textarea id="comment-agenda" name="comment-agenda" rows="3" autofocus>(.*?)</textarea>',
                         inserted, re.S)
    assert textarea and textarea.group(1) == "Almost.\nGive each part a time."
    # Another trainer neither sees nor inserts Tina's comments.
    tia = cohort["tia"]
    assert tia.form(f"{BASE}/{task_id}", grade_form(action=f"insert:{entry.id}@agenda"),
                    page=BASE).status_code == 404


def test_peers_count_only_when_every_counted_reviewer_passed_the_practice(cohort):
    from brokerlearn.server import db
    from brokerlearn.server.courses import catalog
    submission_id, _ = cohort.work(peers=PEERS)

    def practice(email, agreed):
        session.add(Review(example_id="too-long", course_id="example", assignment_id="meeting-plan",
                           reviewer_id=cohort.ids[email], kind="practice", status="done", agreed=agreed))
        session.flush()

    with cohort.app.app_context():
        session = db.session()
        weighted = replace(catalog().get("example").assignments["meeting-plan"], peer_weight=0.5)
        reviews = grading.peer_reviews(session, submission_id)
        assert not grading.peers_count(session, "example", weighted, reviews)  # nobody practised
        practice("ben@agency.org", True)
        practice("cai@agency.org", False)
        assert grading.passed_practice(session, "example", weighted, cohort.ids["ben@agency.org"])
        assert not grading.peers_count(session, "example", weighted, reviews)  # Cai has not passed
        practice("cai@agency.org", True)  # the latest try counts
        assert grading.peers_count(session, "example", weighted, reviews)
        assert not grading.peers_count(session, "example", replace(weighted, peer_weight=0), reviews)  # advisory
        reviews[1].set_aside_reason = "off topic"
        practice("cai@agency.org", False)
        assert grading.peers_count(session, "example", weighted, reviews)  # Cai's review no longer counts
        session.rollback()


# ---- who may do what --------------------------------------------------------------------------

VISITORS = ("boss", "tina", "tom", "ada", "ana", "signed_out")


def test_the_role_matrix(cohort):
    from brokerlearn.server.models import AssignmentResult
    submission_id, task_id = cohort.work(peers=PEERS)
    review = cohort.rows(Review, submission_id=submission_id)[0]
    #                                                             boss tina tom  ada  ana  signed_out
    cases = [("get", BASE, None,                                  (200, 200, 200, 403, 403, 302)),
             ("get", f"{BASE}/{task_id}", None,                   (200, 200, 404, 403, 403, 302)),
             ("post", f"{BASE}/{task_id}/claim", {},              (303, 303, 404, 403, 403, 302)),
             ("post", f"{BASE}/{task_id}/reviews/{review.id}", {"reason": "x", "action": "aside"},
              (303, 303, 404, 403, 403, 302)),
             ("post", f"{BASE}/{task_id}/unclaim", {},            (303, 303, 404, 403, 403, 302))]
    for method, path, data, expected in cases:
        for who, status in zip(VISITORS, expected):
            visitor = cohort[who]
            response = (visitor.client.get(path) if method == "get"
                        else visitor.form(path, data, page="/api/session" if who in ("ada", "ana", "signed_out") else BASE))
            assert response.status_code == status, (path, who, response.status_code)
            if who == "tom" and method == "get":
                assert "Ana Alves" not in response.get_data(as_text=True)  # never another group's learner
    # Saving: Tom (group B) cannot; a learner cannot; Tina can.
    for who, status in (("tom", 404), ("ana", 403)):
        response = cohort[who].form(f"{BASE}/{task_id}", grade_form(), page="/api/session")
        assert response.status_code == status
    cohort["tina"].form(f"{BASE}/{task_id}/claim", {}, page=BASE)
    assert cohort["tina"].form(f"{BASE}/{task_id}", grade_form(), page=BASE).status_code == 303
    [result] = cohort.rows(AssignmentResult)
    for who, status in (("tom", 404), ("ana", 403), ("ada", 403)):
        response = cohort[who].form(f"{BASE}/release", {"result": str(result.id)}, page="/api/session")
        assert response.status_code == status
    assert cohort.rows(AssignmentResult)[0].released_at is None


def test_every_write_needs_the_csrf_token(cohort):
    from brokerlearn.server.models import AssignmentResult, TrainerTask
    _, task_id = cohort.work(peers=PEERS)
    tina = cohort["tina"]
    assert tina.form(f"{BASE}/{task_id}/claim", {}, csrf=False).status_code == 400
    assert cohort.rows(TrainerTask, id=task_id)[0].claimed_by is None
    tina.form(f"{BASE}/{task_id}/claim", {}, page=BASE)
    assert tina.form(f"{BASE}/{task_id}", grade_form(), csrf=False).status_code == 400
    assert tina.form(f"{BASE}/release", {"course": "example", "assignment": "meeting-plan"}, csrf=False).status_code == 400
    assert cohort.rows(AssignmentResult) == []


# ---- the digest and the sweep, from the command line --------------------------------------------

def cli(app, built_example, *args, smtp_port=None):
    env = {"DATABASE_URL": app.config["DATABASE_URL"], "BROKERLEARN_PUBLIC_URL": "https://learn.agency.org",
           "BROKERLEARN_MAIL_FROM": "learn@agency.org"}
    if smtp_port:
        env.update(BROKERLEARN_SMTP_HOST="127.0.0.1", BROKERLEARN_SMTP_PORT=str(smtp_port),
                   BROKERLEARN_SMTP_SECURITY="none")
    return CliRunner().invoke(main, ["assignments", *args, "--instance", app.instance_path,
                                     "--build-dir", str(built_example)], env=env, catch_exceptions=False)


def test_the_daily_digest_mails_each_trainer_what_waits(cohort, built_example):
    from test_admin_cohorts import smtp_server
    cohort.work(due_in=-2)  # overdue
    cohort.work("ben@agency.org", due_in=3)
    with smtp_server() as (mailbox, port):
        done = cli(cohort.app, built_example, "digest", smtp_port=port)
        assert done.exit_code == 0, done.output
        by_address = {m["To"]: m for m in mailbox.messages}
    assert sorted(by_address) == ["tia@agency.org", "tina@agency.org"]  # Tom (group B) has nothing: no mail
    mail = by_address["tina@agency.org"]
    assert mail["Subject"] == "2 pieces of assessed work wait for you" and mail["From"] == "learn@agency.org"
    body = mail.get_body(("plain",)).get_content()
    assert body.index("Overdue:") < body.index("Waiting, by course:")
    assert "Plan your first meeting with a new contact" in body.split("Waiting")[0]
    assert "2 waiting, 1 overdue" in body and "https://learn.agency.org/admin/grading" in body
    assert "Ana" not in body and "Ben" not in body  # no learner named in a mail
    cohort.work("leo@agency.org", due_in=3)
    with smtp_server() as (mailbox, port):
        assert cli(cohort.app, built_example, "digest", smtp_port=port).exit_code == 0
        assert sorted(m["To"] for m in mailbox.messages) == ["tia@agency.org", "tina@agency.org", "tom@agency.org"]
    no_smtp = CliRunner().invoke(main, ["assignments", "digest", "--instance", cohort.app.instance_path,
                                        "--build-dir", str(built_example)],
                                 env={"DATABASE_URL": cohort.app.config["DATABASE_URL"]})
    assert no_smtp.exit_code == 2 and "--dry-run" in no_smtp.output


def test_the_sweep_sends_stranded_work_to_the_trainer_and_tells_the_learner_once(cohort, built_example):
    from test_admin_cohorts import smtp_server
    from brokerlearn.server.models import TrainerTask
    one_review = (PEERS[1],)
    stranded, _ = cohort.work(peers=one_review, days_ago=6, queue=None)
    recent, _ = cohort.work("ben@agency.org", peers=one_review, days_ago=2, queue=None)
    split, _ = cohort.work("cai@agency.org", peers=PEERS, days_ago=1, queue=None)  # missing vs meets
    with smtp_server() as (mailbox, port):
        done = cli(cohort.app, built_example, "sweep", smtp_port=port)
        assert done.exit_code == 0, done.output
        assert "1 stranded, 1 with wide disagreement" in done.output
        assert [m["To"] for m in mailbox.messages] == ["ana@agency.org"]
        assert "a trainer reviews it instead" in mailbox.messages[0].get_body(("plain",)).get_content()
        tasks = {t.submission_id: t for t in cohort.rows(TrainerTask)}
        assert tasks[stranded].reason == "stranded" and tasks[split].reason == "disagreement" and recent not in tasks
        assert cli(cohort.app, built_example, "sweep", smtp_port=port).exit_code == 0
        assert len(mailbox.messages) == 1  # told once
    later = cli(cohort.app, built_example, "sweep", "--days", "1", smtp_port=None)
    assert "1 stranded" in later.output and "no mail" in later.output
    assert cohort.rows(TrainerTask, submission_id=recent)[0].reason == "stranded"


def test_a_review_a_trainer_set_aside_counts_for_neither_stranding_nor_disagreement(cohort, built_example):
    """The sweep and the learner's page share one rule (services/reviews.check_stranded): work
    whose second review was set aside is short of reviews, so it is stranded, not disagreed on."""
    from brokerlearn.server import db
    from brokerlearn.server.models import Review, TrainerTask
    work, _ = cohort.work(peers=PEERS, days_ago=6, queue=None)
    with cohort.app.app_context():
        session = db.session()
        session.scalars(select(Review).where(Review.submission_id == work, Review.reviewer_id == cohort.ids[PEERS[0][0]])
                        ).one().set_aside_reason = "rated another work"
        session.commit()
    done = cli(cohort.app, built_example, "sweep", smtp_port=None)
    assert done.exit_code == 0, done.output
    assert "1 stranded, 0 with wide disagreement" in done.output
    assert cohort.rows(TrainerTask, submission_id=work)[0].reason == "stranded"


def test_the_review_step_queues_wide_disagreement_once_every_peer_has_reviewed(cohort):
    from brokerlearn.server import db
    from brokerlearn.server.courses import catalog
    from brokerlearn.server.models import Submission, TrainerTask
    from brokerlearn.server.services.trainer_queue import queue_disagreement
    one, _ = cohort.work(peers=PEERS[:1], queue=None)
    both, _ = cohort.work("ben@agency.org", peers=PEERS, queue=None)
    agreeing, _ = cohort.work("cai@agency.org", peers=(PEERS[1], ("ben@agency.org", rated("meets", [WHO]))), queue=None)
    with cohort.app.app_context():
        session = db.session()
        assignment = catalog().get("example").assignments["meeting-plan"]
        results = {sid: queue_disagreement(session, assignment, session.get(Submission, sid)) for sid in (one, both, agreeing)}
        session.commit()
    assert results == {one: False, both: True, agreeing: False}  # one review of two: not yet
    [task] = cohort.rows(TrainerTask)
    assert (task.submission_id, task.reason) == (both, "disagreement") and task.due_at is not None
