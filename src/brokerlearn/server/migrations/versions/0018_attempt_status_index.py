"""Graded attempts found from the index alone (issue 20): the index on a learner's attempts at a
quiz also holds their status and number, so starting and submitting an attempt (the open one,
how many were submitted, the last number) reads no attempt row. Those rows hold the answers and
results: counting them read every earlier attempt of the learner from the table.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02
"""
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_attempt_user_quiz_status", "quiz_attempts", ["user_id", "course_id", "quiz_id", "status", "number"])
    op.drop_index("ix_attempt_user_quiz", table_name="quiz_attempts")


def downgrade() -> None:
    op.create_index("ix_attempt_user_quiz", "quiz_attempts", ["user_id", "course_id", "quiz_id"])
    op.drop_index("ix_attempt_user_quiz_status", table_name="quiz_attempts")
