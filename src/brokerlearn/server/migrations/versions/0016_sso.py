"""Single sign-on (issue 22, item 2): OpenID Connect providers, the identities that sign
accounts in, and the sign-ins under way (state, nonce, PKCE verifier; each used once).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sso_providers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("slug", sa.String(60), nullable=False, unique=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("issuer", sa.String(500), nullable=False),
        sa.Column("client_id", sa.String(300), nullable=False),
        sa.Column("client_secret", sa.String(500), nullable=False),
        sa.Column("scopes", sa.String(300), nullable=False),
        sa.Column("enrol_claim", sa.String(100), nullable=True),
        sa.Column("enrol_groups", sa.JSON, nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
    )
    op.create_table(
        "sso_identities",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("issuer", sa.String(500), nullable=False),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("provider_id", sa.Integer, sa.ForeignKey("sso_providers.id", ondelete="SET NULL"), nullable=True),
        sa.Column("linked_at", _WHEN, nullable=False),
        sa.Column("last_used_at", _WHEN, nullable=True),
        sa.UniqueConstraint("issuer", "subject", name="uq_sso_issuer_subject"),
    )
    op.create_index("ix_sso_identities_user_id", "sso_identities", ["user_id"])
    op.create_table(
        "sso_requests",
        sa.Column("state", sa.String(100), primary_key=True),
        sa.Column("provider_id", sa.Integer, sa.ForeignKey("sso_providers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("nonce", sa.String(100), nullable=False),
        sa.Column("code_verifier", sa.String(200), nullable=False),
        sa.Column("next", sa.String(500), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
    )
    op.create_index("ix_sso_requests_created_at", "sso_requests", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_sso_requests_created_at", table_name="sso_requests")
    op.drop_table("sso_requests")
    op.drop_index("ix_sso_identities_user_id", table_name="sso_identities")
    op.drop_table("sso_identities")
    op.drop_table("sso_providers")
