"""student weeks, their members, observations and proposals with images and PDF boards

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 14:37:39.279276
"""

import sqlalchemy as sa
from alembic import op

import revital.db


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('student_weeks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=160), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('school', sa.String(length=160), nullable=False),
    sa.Column('programme', sa.String(length=200), nullable=False),
    sa.Column('team_name', sa.String(length=120), nullable=False),
    sa.Column('brief', sa.Text(), nullable=False),
    sa.Column('created_at', revital.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', revital.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_student_weeks_commune_id_communes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_student_weeks'))
    )
    with op.batch_alter_table('student_weeks', schema=None) as batch_op:
        batch_op.create_index('ix_student_weeks_commune_starts', ['commune_id', 'starts_on'], unique=False)

    op.create_table('student_observations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('week_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=160), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('photo_id', sa.Integer(), nullable=True),
    sa.Column('token', sa.String(length=64), nullable=True),
    sa.Column('created_at', revital.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_student_observations_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['photo_id'], ['photos.id'], name=op.f('fk_student_observations_photo_id_photos'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['week_id'], ['student_weeks.id'], name=op.f('fk_student_observations_week_id_student_weeks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_student_observations')),
    sa.UniqueConstraint('token', name=op.f('uq_student_observations_token'))
    )
    with op.batch_alter_table('student_observations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_student_observations_author_id'), ['author_id'], unique=False)
        batch_op.create_index('ix_student_observations_week', ['week_id', 'id'], unique=False)

    op.create_table('student_proposals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('week_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=160), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('review_comment', sa.Text(), nullable=False),
    sa.Column('location', sa.Text(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('created_at', revital.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', revital.db.UTCDateTime(), nullable=False),
    sa.Column('submitted_at', revital.db.UTCDateTime(), nullable=True),
    sa.Column('reviewed_at', revital.db.UTCDateTime(), nullable=True),
    sa.Column('published_at', revital.db.UTCDateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_student_proposals_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['week_id'], ['student_weeks.id'], name=op.f('fk_student_proposals_week_id_student_weeks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_student_proposals'))
    )
    with op.batch_alter_table('student_proposals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_student_proposals_author_id'), ['author_id'], unique=False)
        batch_op.create_index('ix_student_proposals_week_status', ['week_id', 'status'], unique=False)

    op.create_table('student_week_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('week_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('created_at', revital.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_student_week_members_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['week_id'], ['student_weeks.id'], name=op.f('fk_student_week_members_week_id_student_weeks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_student_week_members')),
    sa.UniqueConstraint('week_id', 'user_id', name='uq_student_week_member')
    )
    with op.batch_alter_table('student_week_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_student_week_members_user_id'), ['user_id'], unique=False)

    op.create_table('student_proposal_boards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=210), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', revital.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['student_proposals.id'], name=op.f('fk_student_proposal_boards_proposal_id_student_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_student_proposal_boards'))
    )
    with op.batch_alter_table('student_proposal_boards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_student_proposal_boards_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('student_proposal_images',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('photo_id', sa.Integer(), nullable=False),
    sa.Column('alt', sa.String(length=200), nullable=False),
    sa.Column('created_at', revital.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['photo_id'], ['photos.id'], name=op.f('fk_student_proposal_images_photo_id_photos'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['student_proposals.id'], name=op.f('fk_student_proposal_images_proposal_id_student_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_student_proposal_images')),
    sa.UniqueConstraint('photo_id', name=op.f('uq_student_proposal_images_photo_id'))
    )
    with op.batch_alter_table('student_proposal_images', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_student_proposal_images_proposal_id'), ['proposal_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('student_proposal_images', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_student_proposal_images_proposal_id'))

    op.drop_table('student_proposal_images')
    with op.batch_alter_table('student_proposal_boards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_student_proposal_boards_proposal_id'))

    op.drop_table('student_proposal_boards')
    with op.batch_alter_table('student_week_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_student_week_members_user_id'))

    op.drop_table('student_week_members')
    with op.batch_alter_table('student_proposals', schema=None) as batch_op:
        batch_op.drop_index('ix_student_proposals_week_status')
        batch_op.drop_index(batch_op.f('ix_student_proposals_author_id'))

    op.drop_table('student_proposals')
    with op.batch_alter_table('student_observations', schema=None) as batch_op:
        batch_op.drop_index('ix_student_observations_week')
        batch_op.drop_index(batch_op.f('ix_student_observations_author_id'))

    op.drop_table('student_observations')
    with op.batch_alter_table('student_weeks', schema=None) as batch_op:
        batch_op.drop_index('ix_student_weeks_commune_starts')

    op.drop_table('student_weeks')
