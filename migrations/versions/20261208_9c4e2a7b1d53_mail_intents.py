"""mail intents: an event that tells many people queues one intent and a row per recipient (user,
item, address) without a message; `flask mail send` builds the messages when it claims the rows

Revision ID: 9c4e2a7b1d53
Revises: 5d2a8c71e4b9
Create Date: 2026-12-08 02:20:00

"""
from alembic import op
import sqlalchemy as sa

import coordination.types


# revision identifiers, used by Alembic.
revision = '9c4e2a7b1d53'
down_revision = '5d2a8c71e4b9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'mail_intent',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('created_at', coordination.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_intent')),
    )
    with op.batch_alter_table('mail_queue', schema=None) as batch_op:
        batch_op.alter_column('message', existing_type=sa.LargeBinary(), nullable=True)
        batch_op.add_column(sa.Column('intent_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('item_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_mail_queue_intent_id'), ['intent_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_mail_queue_intent_id_mail_intent'), 'mail_intent',
                                    ['intent_id'], ['id'], ondelete='CASCADE')
        batch_op.create_foreign_key(batch_op.f('fk_mail_queue_user_id_app_user'), 'app_user',
                                    ['user_id'], ['id'], ondelete='CASCADE')
        batch_op.create_foreign_key(batch_op.f('fk_mail_queue_item_id_action_item'), 'action_item',
                                    ['item_id'], ['id'], ondelete='CASCADE')


def downgrade():
    op.execute("DELETE FROM mail_queue WHERE message IS NULL")  # unbuilt intents' rows cannot stay
    with op.batch_alter_table('mail_queue', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_mail_queue_item_id_action_item'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_mail_queue_user_id_app_user'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_mail_queue_intent_id_mail_intent'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_mail_queue_intent_id'))
        batch_op.drop_column('item_id')
        batch_op.drop_column('user_id')
        batch_op.drop_column('intent_id')
        batch_op.alter_column('message', existing_type=sa.LargeBinary(), nullable=False)
    op.drop_table('mail_intent')
