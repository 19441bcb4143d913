"""notify: e-mail preferences per kind (opt-outs), status changes of a fan-out grouped per day

Revision ID: 3b7c1e9d5a20
Revises: 3b6f0d2e8a41
Create Date: 2026-12-08 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

from coordination.types import UTCDateTime


# revision identifiers, used by Alembic.
revision = '3b7c1e9d5a20'
down_revision = '3b6f0d2e8a41'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'email_opt_out',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('assignment', 'status', 'comments', 'minutes', name='emailkind',
                                  native_enum=False, length=24), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_email_opt_out_user_id_app_user'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', 'kind', name=op.f('pk_email_opt_out')),
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('group_key', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('count', sa.Integer(), server_default='1', nullable=False))
        batch_op.create_unique_constraint('uq_notification_group', ['user_id', 'group_key'])


def downgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_constraint('uq_notification_group', type_='unique')
        batch_op.drop_column('count')
        batch_op.drop_column('group_key')
    op.drop_table('email_opt_out')
