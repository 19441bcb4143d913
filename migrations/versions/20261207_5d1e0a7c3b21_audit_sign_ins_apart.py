"""Audit log: entries that record only a sign-in get their own action, so the log can keep them apart

Revision ID: 5d1e0a7c3b21
Revises: 052a8e99017e
Create Date: 2026-12-07 21:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '5d1e0a7c3b21'
down_revision = '052a8e99017e'
branch_labels = None
depends_on = None

entry = sa.table("audit_entry", sa.column("id", sa.Integer), sa.column("entity_type", sa.String),
                 sa.column("action", sa.String), sa.column("changes", sa.JSON))


def _retag(old: str, new: str):
    bind = op.get_bind()
    rows = bind.execute(sa.select(entry.c.id, entry.c.changes)
                        .where(entry.c.entity_type == "User", entry.c.action == old)).all()
    ids = [row.id for row in rows if set(row.changes or {}) == {"last_login_at"}]
    for start in range(0, len(ids), 500):
        bind.execute(sa.update(entry).where(entry.c.id.in_(ids[start:start + 500])).values(action=new))


def upgrade():
    _retag("update", "sign_in")


def downgrade():
    _retag("sign_in", "update")
