"""minutes approval checklist: agenda items without minutes, resolved comments

Revision ID: 5d1f0c2a9e47
Revises: 5d1e0a7c3b21
Create Date: 2026-12-07 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import coordination.types


# revision identifiers, used by Alembic.
revision = '5d1f0c2a9e47'
down_revision = '5d1e0a7c3b21'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('agenda_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('no_minutes', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('minutes_comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('resolved_at', coordination.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('resolved_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_minutes_comment_resolved_by_id_app_user'), 'app_user',
                                    ['resolved_by_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('minutes_comment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_minutes_comment_resolved_by_id_app_user'), type_='foreignkey')
        batch_op.drop_column('resolved_by_id')
        batch_op.drop_column('resolved_at')
    with op.batch_alter_table('agenda_item', schema=None) as batch_op:
        batch_op.drop_column('no_minutes')
