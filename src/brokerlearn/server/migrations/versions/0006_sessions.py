"""Session changes: the log of ended sessions that every server process caches
(server/services/sessions.py), so a signed-in request reads no account from the database.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "session_changes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_session_changes_changed_at", "session_changes", ["changed_at"])


def downgrade() -> None:
    op.drop_index("ix_session_changes_changed_at", table_name="session_changes")
    op.drop_table("session_changes")
