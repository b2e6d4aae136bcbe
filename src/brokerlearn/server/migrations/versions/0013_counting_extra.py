"""Counting assessed work (issue 18, item 7 and 8): a result outlives its submission (deleted
after the retention period, `brokerlearn assignments purge`), so `assignment_results.submission_id`
becomes nullable with ON DELETE SET NULL; and released results are forwarded to the LRS
(`lrs_sent_at`).

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0011"
branch_labels = None
depends_on = None

_WHEN = sa.DateTime(timezone=True)


def _results_table(ondelete: str, nullable: bool) -> sa.Table:
    """assignment_results as migration 0010 made it, its submission key as given (SQLite's
    batch mode rebuilds the table from this description: its foreign keys have no names)."""
    metadata = sa.MetaData()
    sa.Table("users", metadata, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table("submissions", metadata, sa.Column("id", sa.Integer, primary_key=True))
    table = sa.Table(
        "assignment_results", metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id", ondelete=ondelete),
                  nullable=nullable, unique=True),
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
    sa.Index("ix_result_learner", table.c.user_id, table.c.course_id)
    return table


def _set_submission_key(ondelete: str, nullable: bool) -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("assignment_results", recreate="always",
                                  copy_from=_results_table(ondelete, nullable)):
            pass
        return
    op.drop_constraint("assignment_results_submission_id_fkey", "assignment_results", type_="foreignkey")
    op.alter_column("assignment_results", "submission_id", existing_type=sa.Integer, nullable=nullable)
    op.create_foreign_key("assignment_results_submission_id_fkey", "assignment_results", "submissions",
                          ["submission_id"], ["id"], ondelete=ondelete)


def upgrade() -> None:
    _set_submission_key("SET NULL", True)
    with op.batch_alter_table("assignment_results") as batch:
        batch.add_column(sa.Column("lrs_sent_at", _WHEN, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assignment_results") as batch:
        batch.drop_column("lrs_sent_at")
    op.execute("DELETE FROM assignment_results WHERE submission_id IS NULL")
    _set_submission_key("CASCADE", False)
