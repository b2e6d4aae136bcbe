"""Assessed work (issue 18): reviews, results, the trainers' queue, comment bank, reminders.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id", ondelete="CASCADE"), nullable=True),
        sa.Column("example_id", sa.String(100), nullable=True),
        sa.Column("course_id", sa.String(100), nullable=False),
        sa.Column("assignment_id", sa.String(100), nullable=False),
        sa.Column("reviewer_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("ratings", sa.JSON, nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("started_at", _WHEN, nullable=False),
        sa.Column("finished_at", _WHEN, nullable=True),
        sa.Column("agreed", sa.Boolean, nullable=True),
        sa.Column("set_aside_reason", sa.Text, nullable=True),
        sa.Column("set_aside_by", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("helpful", sa.Integer, nullable=True),
    )
    op.create_index("ix_reviews_submission_id", "reviews", ["submission_id"])
    op.create_index("ix_reviews_reviewer_id", "reviews", ["reviewer_id"])
    op.create_index("ix_review_work", "reviews", ["course_id", "assignment_id"])
    op.create_table(
        "assignment_results",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id", ondelete="CASCADE"),
                  nullable=False, unique=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("course_id", sa.String(100), nullable=False),
        sa.Column("assignment_id", sa.String(100), nullable=False),
        sa.Column("rubric_version", sa.String(40), nullable=False),
        sa.Column("criteria", sa.JSON, nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("max_score", sa.Float, nullable=False),
        sa.Column("passed", sa.Boolean, nullable=False),
        sa.Column("method", sa.Text, nullable=False),
        sa.Column("feedback", sa.Text, nullable=False),
        sa.Column("graded_by", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("graded_at", _WHEN, nullable=False),
        sa.Column("released_at", _WHEN, nullable=True),
    )
    op.create_index("ix_result_learner", "assignment_results", ["user_id", "course_id"])
    op.create_table(
        "trainer_tasks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id", ondelete="CASCADE"),
                  nullable=False, unique=True),
        sa.Column("course_id", sa.String(100), nullable=False),
        sa.Column("assignment_id", sa.String(100), nullable=False),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("queued_at", _WHEN, nullable=False),
        sa.Column("due_at", _WHEN, nullable=True),
        sa.Column("claimed_by", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("claimed_at", _WHEN, nullable=True),
        sa.Column("done_at", _WHEN, nullable=True),
    )
    op.create_index("ix_trainer_tasks_course_id", "trainer_tasks", ["course_id"])
    op.create_table(
        "comment_bank",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("owner_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("course_id", sa.String(100), nullable=False),
        sa.Column("criterion_id", sa.String(100), nullable=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
    )
    op.create_index("ix_comment_bank_owner_id", "comment_bank", ["owner_id"])
    op.create_table(
        "reminders_sent",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("course_id", sa.String(100), nullable=False),
        sa.Column("assignment_id", sa.String(100), nullable=False),
        sa.Column("step", sa.String(20), nullable=False),
        sa.Column("sent_on", sa.Date, nullable=False),
        sa.UniqueConstraint("user_id", "course_id", "assignment_id", "step", "sent_on", name="uq_reminder_once_a_day"),
    )


def downgrade() -> None:
    op.drop_table("reminders_sent")
    op.drop_index("ix_comment_bank_owner_id", "comment_bank")
    op.drop_table("comment_bank")
    op.drop_index("ix_trainer_tasks_course_id", "trainer_tasks")
    op.drop_table("trainer_tasks")
    op.drop_index("ix_result_learner", "assignment_results")
    op.drop_table("assignment_results")
    op.drop_index("ix_review_work", "reviews")
    op.drop_index("ix_reviews_reviewer_id", "reviews")
    op.drop_index("ix_reviews_submission_id", "reviews")
    op.drop_table("reviews")
