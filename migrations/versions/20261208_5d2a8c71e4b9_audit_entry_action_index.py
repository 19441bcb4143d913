"""audit: an index on the entry's action (the log's count leaves out sign-ins)

Revision ID: 5d2a8c71e4b9
Revises: 3b7c9e2f4a61
Create Date: 2026-12-08 02:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5d2a8c71e4b9'
down_revision = '3b7c9e2f4a61'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_audit_entry_action', 'audit_entry', ['action'], unique=False)


def downgrade():
    op.drop_index('ix_audit_entry_action', table_name='audit_entry')
