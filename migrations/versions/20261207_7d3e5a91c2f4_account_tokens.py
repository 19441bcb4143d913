"""account tokens: invitation and password-reset links (stored hashed)

Revision ID: 7d3e5a91c2f4
Revises: 48a8d0cacc02
Create Date: 2026-12-08 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

from coordination.types import UTCDateTime


# revision identifiers, used by Alembic.
revision = '7d3e5a91c2f4'
down_revision = '48a8d0cacc02'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'account_token',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('purpose', sa.Enum('invitation', 'reset', name='tokenpurpose', native_enum=False, length=24),
                  nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('used_at', UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    with op.batch_alter_table('account_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_token_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('account_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_token_user_id'))
    op.drop_table('account_token')
