"""When each event and attempt was forwarded to the external LRS.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("progress_events") as batch:
        batch.add_column(sa.Column("lrs_sent_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("quiz_attempts") as batch:
        batch.add_column(sa.Column("lrs_sent_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("quiz_attempts") as batch:
        batch.drop_column("lrs_sent_at")
    with op.batch_alter_table("progress_events") as batch:
        batch.drop_column("lrs_sent_at")
