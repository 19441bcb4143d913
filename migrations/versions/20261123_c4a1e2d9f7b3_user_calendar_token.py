"""user calendar token

Revision ID: c4a1e2d9f7b3
Revises: 544e1cc5f3cc
Create Date: 2026-11-23 16:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4a1e2d9f7b3'
down_revision = '544e1cc5f3cc'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calendar_token', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_app_user_calendar_token'), ['calendar_token'])


def downgrade():
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_app_user_calendar_token'), type_='unique')
        batch_op.drop_column('calendar_token')
