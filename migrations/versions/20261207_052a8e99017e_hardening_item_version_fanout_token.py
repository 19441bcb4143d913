"""hardening: action item version (optimistic locking), fan-out submit token (idempotent fan-out)

Revision ID: 052a8e99017e
Revises: c348df59d304
Create Date: 2026-12-07 19:49:34.234044

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '052a8e99017e'
down_revision = 'c348df59d304'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('action_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))

    with op.batch_alter_table('fan_out', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submit_token', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint('uq_fanout_submit_token', ['conclusion_id', 'submit_token'])


def downgrade():
    with op.batch_alter_table('fan_out', schema=None) as batch_op:
        batch_op.drop_constraint('uq_fanout_submit_token', type_='unique')
        batch_op.drop_column('submit_token')

    with op.batch_alter_table('action_item', schema=None) as batch_op:
        batch_op.drop_column('version')
