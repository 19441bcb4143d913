"""mail queue: outgoing messages, sent by `flask mail send` with retries

Revision ID: 3b6f0d2e8a41
Revises: 7d3e5a91c2f4
Create Date: 2026-12-07 23:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

from coordination.types import UTCDateTime


# revision identifiers, used by Alembic.
revision = '3b6f0d2e8a41'
down_revision = '7d3e5a91c2f4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'mail_queue',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('recipient', sa.String(length=320), nullable=False),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('message', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('sent_at', UTCDateTime(timezone=True), nullable=True),
        sa.Column('claimed_by', sa.String(length=32), nullable=True),
        sa.Column('claimed_until', UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('mail_queue', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mail_queue_claimed_by'), ['claimed_by'], unique=False)
        batch_op.create_index(batch_op.f('ix_mail_queue_next_attempt_at'), ['next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_mail_queue_sent_at'), ['sent_at'], unique=False)


def downgrade():
    with op.batch_alter_table('mail_queue', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mail_queue_sent_at'))
        batch_op.drop_index(batch_op.f('ix_mail_queue_next_attempt_at'))
        batch_op.drop_index(batch_op.f('ix_mail_queue_claimed_by'))
    op.drop_table('mail_queue')
