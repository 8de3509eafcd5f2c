"""mail: the outbox of e-mails, sent by a background sender; single-use account links (password
reset, invitations)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 12:00:00
"""

import sqlalchemy as sa
from alembic import op

from revital.db import UTCDateTime

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'outbox',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('to_address', sa.String(length=254), nullable=False),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('html', sa.Text(), nullable=True),
        sa.Column('unsubscribe_url', sa.String(length=500), nullable=True),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('message_id', sa.String(length=64), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', UTCDateTime(), nullable=False),
        sa.Column('claimed_until', UTCDateTime(), nullable=True),
        sa.Column('claim', sa.String(length=32), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('sent_at', UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
        sa.UniqueConstraint('message_id', name=op.f('uq_outbox_message_id')),
    )
    op.create_index('ix_outbox_status_next_attempt_at', 'outbox', ['status', 'next_attempt_at'], unique=False)
    op.create_index(op.f('ix_outbox_to_address'), 'outbox', ['to_address'], unique=False)
    op.create_table(
        'account_tokens',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('purpose', sa.String(length=20), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('expires_at', UTCDateTime(), nullable=False),
        sa.Column('used_at', UTCDateTime(), nullable=True),
        sa.Column('role', sa.String(length=20), nullable=True),
        sa.Column('commune_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_account_tokens_commune_id_communes'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_account_tokens_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_account_tokens')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_account_tokens_token_hash')),
    )
    op.create_index(op.f('ix_account_tokens_commune_id'), 'account_tokens', ['commune_id'], unique=False)
    op.create_index(op.f('ix_account_tokens_email'), 'account_tokens', ['email'], unique=False)
    op.create_index(op.f('ix_account_tokens_user_id'), 'account_tokens', ['user_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_account_tokens_user_id'), table_name='account_tokens')
    op.drop_index(op.f('ix_account_tokens_email'), table_name='account_tokens')
    op.drop_index(op.f('ix_account_tokens_commune_id'), table_name='account_tokens')
    op.drop_table('account_tokens')
    op.drop_index(op.f('ix_outbox_to_address'), table_name='outbox')
    op.drop_index('ix_outbox_status_next_attempt_at', table_name='outbox')
    op.drop_table('outbox')
