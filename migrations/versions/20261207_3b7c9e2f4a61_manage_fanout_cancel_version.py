"""manage: a fan-out can be cancelled (when, why) and carries a version for its management steps

Revision ID: 3b7c9e2f4a61
Revises: 3b7c1e9d5a20
Create Date: 2026-12-07 22:50:00

"""
from alembic import op
import sqlalchemy as sa

import coordination.types


# revision identifiers, used by Alembic.
revision = '3b7c9e2f4a61'
down_revision = '3b7c1e9d5a20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('fan_out', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancelled_at', coordination.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('cancel_reason', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    with op.batch_alter_table('fan_out', schema=None) as batch_op:
        batch_op.drop_column('version')
        batch_op.drop_column('cancel_reason')
        batch_op.drop_column('cancelled_at')
