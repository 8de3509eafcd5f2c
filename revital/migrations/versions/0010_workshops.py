"""workshops and their registrations; the workshop a contribution was collected in; an iCalendar
event sent with an e-mail

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 14:26:45.978436
"""

import sqlalchemy as sa
from alembic import op

import revital.db


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('workshops',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('phase', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=160), nullable=False),
    sa.Column('starts_at', revital.db.UTCDateTime(), nullable=False),
    sa.Column('ends_at', revital.db.UTCDateTime(), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=True),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('facilitators', sa.String(length=300), nullable=False),
    sa.Column('agenda', sa.Text(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('public', sa.Boolean(), nullable=False),
    sa.Column('registration_open', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('cancel_reason', sa.Text(), nullable=False),
    sa.Column('minutes', sa.Text(), nullable=False),
    sa.Column('attendance', sa.Integer(), nullable=True),
    sa.Column('closed_at', revital.db.UTCDateTime(), nullable=True),
    sa.Column('created_at', revital.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', revital.db.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_workshops_commune_id_communes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['place_id'], ['places.id'], name=op.f('fk_workshops_place_id_places'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshops'))
    )
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.create_index('ix_workshops_commune_starts', ['commune_id', 'starts_at'], unique=False)

    op.create_table('workshop_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attended', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('created_at', revital.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', revital.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], name=op.f('fk_workshop_registrations_workshop_id_workshops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_registrations')),
    sa.UniqueConstraint('workshop_id', 'email', name='uq_registration_email')
    )
    with op.batch_alter_table('workshop_registrations', schema=None) as batch_op:
        batch_op.create_index('ix_registrations_workshop_status', ['workshop_id', 'status', 'id'], unique=False)

    with op.batch_alter_table('contributions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('workshop_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_contributions_workshop_id'), ['workshop_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_contributions_workshop_id_workshops'), 'workshops', ['workshop_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calendar', sa.Text(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('calendar')

    with op.batch_alter_table('contributions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_contributions_workshop_id_workshops'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_contributions_workshop_id'))
        batch_op.drop_column('workshop_id')

    with op.batch_alter_table('workshop_registrations', schema=None) as batch_op:
        batch_op.drop_index('ix_registrations_workshop_status')

    op.drop_table('workshop_registrations')
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.drop_index('ix_workshops_commune_starts')

    op.drop_table('workshops')
