"""calls for applications: the calls, the communes' applications, their PDF documents and scores

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 11:38:15.095468
"""

import sqlalchemy as sa
from alembic import op

import revital.db


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('calls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=160), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('criteria', sa.Text(), nullable=False),
    sa.Column('documents', sa.Text(), nullable=False),
    sa.Column('opens_on', sa.Date(), nullable=False),
    sa.Column('closes_on', sa.Date(), nullable=False),
    sa.Column('results_published_at', revital.db.UTCDateTime(), nullable=True),
    sa.Column('created_at', revital.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', revital.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['territory_id'], ['territories.id'], name=op.f('fk_calls_territory_id_territories'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calls'))
    )
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calls_territory_id'), ['territory_id'], unique=False)

    op.create_table('applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('motivation', sa.Text(), nullable=False),
    sa.Column('stakes', sa.Text(), nullable=False),
    sa.Column('referent_name', sa.String(length=120), nullable=False),
    sa.Column('referent_role', sa.String(length=120), nullable=False),
    sa.Column('referent_email', sa.String(length=254), nullable=False),
    sa.Column('agent_name', sa.String(length=120), nullable=False),
    sa.Column('agent_role', sa.String(length=120), nullable=False),
    sa.Column('agent_email', sa.String(length=254), nullable=False),
    sa.Column('perimeter', sa.Text(), nullable=True),
    sa.Column('resume_hash', sa.String(length=64), nullable=False),
    sa.Column('decision_reason', sa.Text(), nullable=False),
    sa.Column('decided_at', revital.db.UTCDateTime(), nullable=True),
    sa.Column('submitted_at', revital.db.UTCDateTime(), nullable=True),
    sa.Column('created_at', revital.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', revital.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_applications_call_id_calls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_applications_commune_id_communes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_applications')),
    sa.UniqueConstraint('call_id', 'commune_id', name='uq_application_commune'),
    sa.UniqueConstraint('resume_hash', name=op.f('uq_applications_resume_hash'))
    )
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_applications_call_id'), ['call_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_commune_id'), ['commune_id'], unique=False)

    op.create_table('application_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', revital.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_application_documents_application_id_applications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_documents'))
    )
    with op.batch_alter_table('application_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_documents_application_id'), ['application_id'], unique=False)

    op.create_table('application_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('criterion', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('updated_at', revital.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_application_scores_application_id_applications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_scores')),
    sa.UniqueConstraint('application_id', 'criterion', name='uq_score_criterion')
    )
    with op.batch_alter_table('application_scores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_scores_application_id'), ['application_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('application_scores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_scores_application_id'))

    op.drop_table('application_scores')
    with op.batch_alter_table('application_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_documents_application_id'))

    op.drop_table('application_documents')
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_applications_commune_id'))
        batch_op.drop_index(batch_op.f('ix_applications_call_id'))

    op.drop_table('applications')
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calls_territory_id'))

    op.drop_table('calls')
