"""partner invitations (account_tokens.organisation_id), pending roles (an applicant commune's
agent until the results), the followers of a commune's journal and what each was sent

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 14:17:16.787364
"""

import sqlalchemy as sa
from alembic import op

import revital.db


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('journal_followers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('created_at', revital.db.UTCDateTime(), nullable=False),
    sa.Column('confirmed_at', revital.db.UTCDateTime(), nullable=True),
    sa.Column('last_digest_at', revital.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_journal_followers_commune_id_communes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journal_followers')),
    sa.UniqueConstraint('commune_id', 'email', name='uq_journal_follower')
    )
    with op.batch_alter_table('journal_followers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_journal_followers_commune_id'), ['commune_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_journal_followers_email'), ['email'], unique=False)

    op.create_table('journal_deliveries',
    sa.Column('follower_id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('sent_at', revital.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['follower_id'], ['journal_followers.id'], name=op.f('fk_journal_deliveries_follower_id_journal_followers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['post_id'], ['journal_posts.id'], name=op.f('fk_journal_deliveries_post_id_journal_posts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('follower_id', 'post_id', name=op.f('pk_journal_deliveries'))
    )
    with op.batch_alter_table('journal_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_journal_deliveries_post_id'), ['post_id'], unique=False)

    with op.batch_alter_table('account_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('pending', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index(batch_op.f('ix_account_tokens_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_account_tokens_organisation_id_organisations'), 'organisations', ['organisation_id'], ['id'], ondelete='CASCADE')

    with op.batch_alter_table('role_grants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pending', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('role_grants', schema=None) as batch_op:
        batch_op.drop_column('pending')

    with op.batch_alter_table('account_tokens', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_account_tokens_organisation_id_organisations'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_account_tokens_organisation_id'))
        batch_op.drop_column('pending')
        batch_op.drop_column('organisation_id')

    with op.batch_alter_table('journal_deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_journal_deliveries_post_id'))

    op.drop_table('journal_deliveries')
    with op.batch_alter_table('journal_followers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_journal_followers_email'))
        batch_op.drop_index(batch_op.f('ix_journal_followers_commune_id'))

    op.drop_table('journal_followers')
