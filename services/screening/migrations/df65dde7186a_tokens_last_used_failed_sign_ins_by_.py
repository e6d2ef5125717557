"""tokens last used, failed sign-ins by client address

API tokens note when they were last used (`bestil officer list`); failed sign-ins keep the
client's address for the per-address throttle.

Revision ID: df65dde7186a
Revises: 94d80e43f76a
Create Date: 2026-12-01 12:05:43.385409
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import shared.db

revision: str = "df65dde7186a"
down_revision: str | Sequence[str] | None = "94d80e43f76a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("credentials", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("last_used_at", shared.db.UTCDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.create_index("ix_login_failures_address_at", ["address", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_login_failures_address_at")
        batch_op.drop_column("address")

    with op.batch_alter_table("credentials", schema=None) as batch_op:
        batch_op.drop_column("last_used_at")
