"""LTI 1.3 (issue 22): platforms, linked accounts, logins, launch tokens, contexts, line items
and the outbox of scores.

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0013"
branch_labels = None
depends_on = None

_WHEN = sa.DateTime(timezone=True)


def _platform(**kwargs):
    return sa.Column("platform_id", sa.Integer, sa.ForeignKey("lti_platforms.id", ondelete="CASCADE"),
                     nullable=False, **kwargs)


def upgrade() -> None:
    op.create_table(
        "lti_platforms",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("issuer", sa.String(500), nullable=False),
        sa.Column("client_id", sa.String(255), nullable=False),
        sa.Column("deployment_ids", sa.JSON, nullable=False),
        sa.Column("auth_login_url", sa.String(1000), nullable=False),
        sa.Column("auth_token_url", sa.String(1000), nullable=False),
        sa.Column("keyset_url", sa.String(1000), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.UniqueConstraint("issuer", "client_id", name="uq_lti_platform"),
    )
    op.create_table(
        "lti_accounts",
        sa.Column("id", sa.Integer, primary_key=True),
        _platform(),
        sa.Column("sub", sa.String(255), nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.UniqueConstraint("platform_id", "sub", name="uq_lti_account"),
    )
    op.create_index("ix_lti_accounts_user_id", "lti_accounts", ["user_id"])
    op.create_table(
        "lti_logins",
        sa.Column("state", sa.String(64), primary_key=True),
        sa.Column("nonce", sa.String(64), nullable=False, unique=True),
        _platform(),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("used_at", _WHEN, nullable=True),
    )
    op.create_table(
        "lti_launch_tokens",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("target", sa.String(1000), nullable=False),
        sa.Column("expires_at", _WHEN, nullable=False),
        sa.Column("used_at", _WHEN, nullable=True),
    )
    op.create_table(
        "lti_contexts",
        sa.Column("id", sa.Integer, primary_key=True),
        _platform(),
        sa.Column("context_id", sa.String(255), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("group_id", sa.Integer, sa.ForeignKey("groups.id", ondelete="CASCADE"), nullable=False),
        sa.Column("memberships_url", sa.String(1000), nullable=True),
        sa.Column("roster_synced_at", _WHEN, nullable=True),
        sa.UniqueConstraint("platform_id", "context_id", name="uq_lti_context"),
    )
    op.create_table(
        "lti_line_items",
        sa.Column("id", sa.Integer, primary_key=True),
        _platform(),
        sa.Column("url", sa.String(1000), nullable=False),
        sa.Column("course_id", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("item_id", sa.String(100), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.UniqueConstraint("platform_id", "url", name="uq_lti_line_item"),
    )
    op.create_table(
        "lti_scores",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("line_item_id", sa.Integer, sa.ForeignKey("lti_line_items.id", ondelete="CASCADE"), nullable=False),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("lti_accounts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("source_id", sa.Integer, nullable=False),
        sa.Column("score_given", sa.Float, nullable=False),
        sa.Column("score_maximum", sa.Float, nullable=False),
        sa.Column("activity_progress", sa.String(20), nullable=False),
        sa.Column("grading_progress", sa.String(20), nullable=False),
        sa.Column("timestamp", _WHEN, nullable=False),
        sa.Column("tries", sa.Integer, nullable=False),
        sa.Column("next_try_at", _WHEN, nullable=False),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.Column("sent_at", _WHEN, nullable=True),
        sa.UniqueConstraint("line_item_id", "account_id", "source", "source_id", name="uq_lti_score"),
    )
    op.create_index("ix_lti_scores_due", "lti_scores", ["sent_at", "next_try_at"])


def downgrade() -> None:
    for table in ("lti_scores", "lti_line_items", "lti_contexts", "lti_launch_tokens", "lti_logins",
                  "lti_accounts", "lti_platforms"):
        op.drop_table(table)
