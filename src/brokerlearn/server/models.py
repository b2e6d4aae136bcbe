"""Database models. Progress and attempts are keyed by the course's stable IDs (course, lesson
`module/lesson`, quiz, question), so rebuilding a course never loses them; rows are never
deleted when content goes away, only when the learner deletes their account."""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    pass


ROLES = ("learner", "author", "trainer", "admin")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)  # stored lower-case
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="learner")
    session_version: Mapped[int] = mapped_column(Integer, default=0)  # bumped: every session ends
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    deactivated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    # flask-login: a deactivated account cannot sign in (login_user refuses it)
    @property
    def is_active(self) -> bool:
        return self.deactivated_at is None

    is_anonymous = False
    is_authenticated = True

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"


class ProgressEvent(Base):
    """One thing a learner did; `event_id` (from the client) makes recording idempotent."""

    __tablename__ = "progress_events"
    __table_args__ = (UniqueConstraint("user_id", "event_id", name="uq_progress_user_event"),
                      Index("ix_progress_user_course", "user_id", "course_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(String(64))
    course_id: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(40))
    item_id: Mapped[str] = mapped_column(String(300))
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    data: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    lrs_sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class QuizAttempt(Base):
    __tablename__ = "quiz_attempts"
    __table_args__ = (UniqueConstraint("user_id", "course_id", "quiz_id", "number", name="uq_attempt_number"),
                      Index("ix_attempt_user_quiz_status", "user_id", "course_id", "quiz_id", "status", "number"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[str] = mapped_column(String(100))
    quiz_id: Mapped[str] = mapped_column(String(100))
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | submitted
    option_order: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    responses: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    results: Mapped[dict | None] = mapped_column(JSON, nullable=True)  # question id -> score, max, outcomes
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    max_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    passed: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    lrs_sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class LoginFailure(Base):
    """Failed logins, kept in the database so every worker sees the same count."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_key_time", "key", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(400))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Certificate(Base):
    """An issued certificate. The row outlives the account (user_id set to NULL, the name erased,
    the certificate revoked) so its place in the revocation list stays taken."""

    __tablename__ = "certificates"
    __table_args__ = (UniqueConstraint("user_id", "course_id", name="uq_certificate_user_course"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # a random UUID: unguessable
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    course_id: Mapped[str] = mapped_column(String(100))
    profile_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    outcomes: Mapped[list] = mapped_column(JSON)  # [{id, statement, score}]
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    valid_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    status_index: Mapped[int] = mapped_column(Integer, unique=True)
    credential: Mapped[str] = mapped_column(Text)  # the VC-JWT as issued
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revocation_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    # For the record only (admins see it): never on a public page, in a credential or the status list.
    revocation_note: Mapped[str | None] = mapped_column(Text, nullable=True)


class Group(Base):
    """A cohort of learners, e.g. the staff of one agency office or one course run."""

    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    starts_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # shown on members' dashboards
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True)


class GroupMember(Base):
    __tablename__ = "group_members"

    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)


# -- cohorts: the courses of a group, invitations (issue 17) ----------------------------------

class GroupCourse(Base):
    """A course a group takes (a group may take several)."""

    __tablename__ = "group_courses"

    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True)
    course_id: Mapped[str] = mapped_column(String(100), primary_key=True)


INVITATION_STATUSES = ("created", "sent", "opened", "registered")


class Invitation(Base):
    """An invitation to register (into a group): `created` (a link, not mailed), `sent` (mailed),
    `opened` (its link followed), `registered`. The link is signed and names this row, whose
    `expires_at` decides (a resend moves it on)."""

    __tablename__ = "invitations"
    __table_args__ = (Index("ix_invitations_email", "email"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(200), default="")
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), nullable=True)
    lang: Mapped[str] = mapped_column(String(10), default="en")
    status: Mapped[str] = mapped_column(String(20), default="created")
    sends: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(500), nullable=True)  # why the last mail failed
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    registered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=True)


# Administration (issue 17): trainers of groups, extra attempts, the audit trail ---------------

class GroupTrainer(Base):
    """A trainer assigned to a group: they see and manage its members only (server/access.py)."""

    __tablename__ = "group_trainers"

    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)


class AttemptGrant(Base):
    """Extra attempts at one graded quiz for one learner, on top of the quiz's max_attempts."""

    __tablename__ = "attempt_grants"
    __table_args__ = (Index("ix_attempt_grants_user_quiz", "user_id", "course_id", "quiz_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[str] = mapped_column(String(100))
    quiz_id: Mapped[str] = mapped_column(String(100))
    extra: Mapped[int] = mapped_column(Integer)
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditEntry(Base):
    """One admin or trainer action (services/audit.py). The actor's and the target's e-mail and
    name are copied in, so an entry stays readable when either account is deleted."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_at", "at"), Index("ix_audit_target", "target_user_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    actor_email: Mapped[str] = mapped_column(String(320), default="")
    actor_name: Mapped[str] = mapped_column(String(200), default="")
    actor_role: Mapped[str] = mapped_column(String(20), default="")
    address: Mapped[str] = mapped_column(String(64), default="")
    action: Mapped[str] = mapped_column(String(60))
    target_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    target: Mapped[str] = mapped_column(String(400), default="")  # what it was done to, in words
    details: Mapped[str] = mapped_column(Text, default="")


class SessionChange(Base):
    """An account's sessions ended (sign-out everywhere, a new password or role, deactivation,
    deletion): from `generation` on, older sessions are refused. Every server process reads the
    rows new since its last look, at most once a second, into its cache of generations
    (server/services/sessions.py), so a signed-in request needs no database read to know whom
    it is from. No foreign key: the row outlives a deleted account. Rows older than
    sessions.KEEP are pruned."""

    __tablename__ = "session_changes"
    __table_args__ = (Index("ix_session_changes_changed_at", "changed_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer)
    generation: Mapped[int] = mapped_column(Integer)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# ---- Assessed work (issue 18): submissions and their files --------------------------------

class Submission(Base):
    """One attempt of a learner at an assignment: a draft while they write, then submitted.
    `rubric_version` is the version of the rubric it is judged by (course/assignment.py)."""

    __tablename__ = "submissions"
    __table_args__ = (UniqueConstraint("user_id", "course_id", "assignment_id", "attempt", name="uq_submission_attempt"),
                      Index("ix_submission_course_assignment", "course_id", "assignment_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[str] = mapped_column(String(100))
    assignment_id: Mapped[str] = mapped_column(String(100))
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(20), default="draft")  # draft | submitted
    text: Mapped[str] = mapped_column(Text, default="")
    rubric_version: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class SubmissionFile(Base):
    """A file attached to a submission, stored as instance/submissions/<stored_name>: a random
    name the server chose, never the learner's (`name` is only shown and offered on download)."""

    __tablename__ = "submission_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))  # pdf, docx, ... as checked by its content
    mime: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# ---- Assessed work (issue 18): reviews, the grade of record, the trainer's tools --------------
#
# The steps of one activity, each paced by the learner: practice on the trainer's examples, peer
# reviews handed out on demand (services/allocation.py), an optional self-review, the trainer's
# review, then the result, released to the learner. A review's `ratings` maps a criterion id to
# what the reviewer gave it: {"level": ID} | {"points": N} | {"checks": [ITEM, ...]}, plus an
# optional "comment". Rows of a reviewer outlive nothing: deleting either account deletes them.

REVIEW_KINDS = ("practice", "peer", "self", "trainer")


class Review(Base):
    """One review of one piece of work. `submission_id` is empty for practice, which rates the
    trainer's example `example_id` instead. A peer review is leased when handed out
    (`status` "open", `started_at`) and "done" when the reviewer submits it. `set_aside_reason`
    is a trainer's reason for leaving it out of the peer figures; `helpful` (1 to 5) is how
    helpful the submitter found it. `agreed`: for practice, whether every rating was within one
    level of the reference."""

    __tablename__ = "reviews"
    __table_args__ = (Index("ix_review_work", "course_id", "assignment_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"),
                                                      nullable=True, index=True)
    example_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    course_id: Mapped[str] = mapped_column(String(100))
    assignment_id: Mapped[str] = mapped_column(String(100))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # one of REVIEW_KINDS
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | done
    ratings: Mapped[dict] = mapped_column(JSON, default=dict)
    comment: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    agreed: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    set_aside_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    set_aside_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    helpful: Mapped[int | None] = mapped_column(Integer, nullable=True)


class AssignmentResult(Base):
    """The grade of record of one submission, set by a trainer (the only way a result exists).
    `criteria` holds, per criterion: {"id", "title", "outcomes", "level" | "points" | "checks",
    "score", "max", "comment", "source"} where source says how it was reached ("trainer",
    "peer median confirmed by the trainer", ...); `method` says in one sentence how the whole
    score was computed. A result counts (outcome scores, certificates, exports) once
    `released_at` is set: results of an assignment are released together after the trainer's
    review."""

    __tablename__ = "assignment_results"
    __table_args__ = (Index("ix_result_learner", "user_id", "course_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Empty once the submission is deleted after the retention period (services/retention.py):
    # the result, the scores, stays (migration 0013).
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id", ondelete="SET NULL"),
                                                      unique=True, nullable=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[str] = mapped_column(String(100))
    assignment_id: Mapped[str] = mapped_column(String(100))
    rubric_version: Mapped[str] = mapped_column(String(40))
    criteria: Mapped[list] = mapped_column(JSON, default=list)
    score: Mapped[float] = mapped_column(Float)
    max_score: Mapped[float] = mapped_column(Float)
    passed: Mapped[bool] = mapped_column(Boolean)
    method: Mapped[str] = mapped_column(Text, default="")
    feedback: Mapped[str] = mapped_column(Text, default="")  # the trainer's overall comment
    graded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    graded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # counting (migration 0013): when the released result was forwarded to the LRS (server/lrs.py)
    lrs_sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class TrainerTask(Base):
    """A submission in the trainers' queue: why it is there (`reason`: "trainer" step,
    "stranded" short of peer reviews, "disagreement" among peers, "requested" by the learner,
    "resubmitted"), and who has claimed it (a claim lapses after services' CLAIM_LEASE so that
    two trainers never grade the same work at once). Done when the result is saved."""

    __tablename__ = "trainer_tasks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), unique=True)
    course_id: Mapped[str] = mapped_column(String(100), index=True)
    assignment_id: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(String(20))
    queued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    claimed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class CommentBankEntry(Base):
    """A comment a trainer keeps for reuse while grading, for one criterion or any."""

    __tablename__ = "comment_bank"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[str] = mapped_column(String(100))
    criterion_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ReminderSent(Base):
    """A reminder e-mail sent, so that one step is never reminded twice in a day."""

    __tablename__ = "reminders_sent"
    __table_args__ = (UniqueConstraint("user_id", "course_id", "assignment_id", "step", "sent_on",
                                       name="uq_reminder_once_a_day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[str] = mapped_column(String(100))
    assignment_id: Mapped[str] = mapped_column(String(100))
    step: Mapped[str] = mapped_column(String(20))
    sent_on: Mapped[date] = mapped_column(Date)


# ---- Single sign-on with OpenID Connect providers (issue 22, item 2; server/sso/) ----------

class SsoProvider(Base):
    """An OpenID Connect provider the admin configured (`brokerlearn sso add-provider`): the
    sign-in page offers "Sign in with NAME". `slug` names it in its redirect URI,
    /account/sso/SLUG/callback. `enrol_claim` and `enrol_groups` ({claim value: group name})
    put an account into a group by a claim of its ID token, at every sign-in."""

    __tablename__ = "sso_providers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(300))
    client_secret: Mapped[str] = mapped_column(String(500), default="")
    scopes: Mapped[str] = mapped_column(String(300), default="openid email profile")
    enrol_claim: Mapped[str | None] = mapped_column(String(100), nullable=True)
    enrol_groups: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SsoIdentity(Base):
    """An account's identity at a provider: the provider's (issuer, subject) signs it in."""

    __tablename__ = "sso_identities"
    __table_args__ = (UniqueConstraint("issuer", "subject", name="uq_sso_issuer_subject"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issuer: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("sso_providers.id", ondelete="SET NULL"),
                                                    nullable=True)
    linked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class SsoRequest(Base):
    """A sign-in sent to a provider and not yet back: its state, nonce and PKCE verifier, kept
    here (not in the cookie) so each is used once; the browser's session holds the state too,
    so a callback is accepted only in the browser that started it. Rows older than
    sso.flow.REQUEST_AGE are refused and pruned."""

    __tablename__ = "sso_requests"
    __table_args__ = (Index("ix_sso_requests_created_at", "created_at"),)

    state: Mapped[str] = mapped_column(String(100), primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("sso_providers.id", ondelete="CASCADE"))
    nonce: Mapped[str] = mapped_column(String(100))
    code_verifier: Mapped[str] = mapped_column(String(200))
    next: Mapped[str] = mapped_column(String(500), default="/")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
# ---- Assessed work (issue 18): the learner's review steps -----------------------------------

class ResubmitGrant(Base):
    """A trainer's word that the learner may revise and submit `submission_id` again (an
    assignment whose `resubmit.allowed` is "trainer"); the next attempt is the learner's to open."""

    __tablename__ = "resubmit_grants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), unique=True)
    granted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")
# ---- LTI 1.3 (issue 22): platforms, linked accounts, launches, grades sent back ---------------
#
# server/lti/ reads and writes these. A platform (an LMS) is registered by an administrator or by
# LTI Dynamic Registration; its users are linked to brokerlearn accounts by (platform, sub).

class LtiPlatform(Base):
    """A registered LTI 1.3 platform: its issuer and our client ID there, the deployments of the
    tool it may launch, and its endpoints (login, OAuth 2 token, key set)."""

    __tablename__ = "lti_platforms"
    __table_args__ = (UniqueConstraint("issuer", "client_id", name="uq_lti_platform"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(255))
    deployment_ids: Mapped[list] = mapped_column(JSON, default=list)
    auth_login_url: Mapped[str] = mapped_column(String(1000))
    auth_token_url: Mapped[str] = mapped_column(String(1000))
    keyset_url: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LtiAccount(Base):
    """A platform's user (`sub`) linked to the brokerlearn account made on their first launch."""

    __tablename__ = "lti_accounts"
    __table_args__ = (UniqueConstraint("platform_id", "sub", name="uq_lti_account"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platforms.id", ondelete="CASCADE"))
    sub: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LtiLogin(Base):
    """A third-party login initiation: the `state` sent to the platform and the `nonce` its
    id_token must carry. Used once (`used_at`), within minutes."""

    __tablename__ = "lti_logins"

    state: Mapped[str] = mapped_column(String(64), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platforms.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class LtiLaunchToken(Base):
    """A one-time token that carries a checked launch from the platform's iframe (where the
    session cookie cannot be set) to a first-party window: its SHA-256, never the token."""

    __tablename__ = "lti_launch_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    target: Mapped[str] = mapped_column(String(1000))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class LtiContext(Base):
    """An LMS course (context) and the brokerlearn group of its roster; `memberships_url` is its
    Names and Role Provisioning service, read again after `roster_synced_at`."""

    __tablename__ = "lti_contexts"
    __table_args__ = (UniqueConstraint("platform_id", "context_id", name="uq_lti_context"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platforms.id", ondelete="CASCADE"))
    context_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(300), default="")
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    memberships_url: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    roster_synced_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class LtiLineItem(Base):
    """A gradebook column of the platform (AGS) bound to a graded quiz or an assignment
    (`kind` "quiz" | "assignment", `item_id` its ID in `course_id`)."""

    __tablename__ = "lti_line_items"
    __table_args__ = (UniqueConstraint("platform_id", "url", name="uq_lti_line_item"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platforms.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(String(1000))
    course_id: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    item_id: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LtiScore(Base):
    """The outbox of scores for the platforms' gradebooks: one row per result (`source` "quiz"
    attempt or "assignment" result, `source_id`) and line item, kept until the platform took it
    (`sent_at`); a failure is tried again at `next_try_at`, with pauses doubling to 5 minutes."""

    __tablename__ = "lti_scores"
    __table_args__ = (UniqueConstraint("line_item_id", "account_id", "source", "source_id", name="uq_lti_score"),
                      Index("ix_lti_scores_due", "sent_at", "next_try_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    line_item_id: Mapped[int] = mapped_column(ForeignKey("lti_line_items.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("lti_accounts.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(20))
    source_id: Mapped[int] = mapped_column(Integer)
    score_given: Mapped[float] = mapped_column(Float)
    score_maximum: Mapped[float] = mapped_column(Float)
    activity_progress: Mapped[str] = mapped_column(String(20), default="Completed")
    grading_progress: Mapped[str] = mapped_column(String(20), default="FullyGraded")
    timestamp: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    tries: Mapped[int] = mapped_column(Integer, default=0)
    next_try_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
