"""from what residents said to what the commune will do: the lineage links, stakes and the versions
of the diagnostic synthesis, strategic axes, ideas and official answers, supports on ideas,
prioritisations with their scores and ballots, and the notices kept for contributions' authors

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 15:09:26.673500
"""

import sqlalchemy as sa
from alembic import op

import revital.db


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('diagnostic_syntheses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('introduction', sa.Text(), nullable=False),
    sa.Column('snapshot', sa.Text(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', revital.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', revital.db.UTCDateTime(), nullable=False),
    sa.Column('published_at', revital.db.UTCDateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_diagnostic_syntheses_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_diagnostic_syntheses_commune_id_communes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_diagnostic_syntheses')),
    sa.UniqueConstraint('commune_id', 'number', name='uq_synthesis_number')
    )
    with op.batch_alter_table('diagnostic_syntheses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_diagnostic_syntheses_commune_id'), ['commune_id'], unique=False)

    op.create_table('lineage_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('target_kind', sa.String(length=20), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('source_kind', sa.String(length=20), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', revital.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_lineage_links_commune_id_communes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_lineage_links_created_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lineage_links')),
    sa.UniqueConstraint('target_kind', 'target_id', 'source_kind', 'source_id', name='uq_lineage_link')
    )
    with op.batch_alter_table('lineage_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lineage_links_commune_id'), ['commune_id'], unique=False)
        batch_op.create_index('ix_lineage_source', ['source_kind', 'source_id'], unique=False)

    op.create_table('official_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('target_kind', sa.String(length=20), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', revital.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', revital.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_official_answers_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_official_answers_commune_id_communes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_official_answers')),
    sa.UniqueConstraint('target_kind', 'target_id', name='uq_official_answer')
    )
    with op.batch_alter_table('official_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_official_answers_commune_id'), ['commune_id'], unique=False)

    op.create_table('stakes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('theme', sa.String(length=40), nullable=False),
    sa.Column('afom', sa.String(length=12), nullable=False),
    sa.Column('title', sa.String(length=160), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', revital.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', revital.db.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_stakes_commune_id_communes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_stakes_created_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stakes'))
    )
    with op.batch_alter_table('stakes', schema=None) as batch_op:
        batch_op.create_index('ix_stakes_commune_theme', ['commune_id', 'theme'], unique=False)

    op.create_table('strategic_axes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=160), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', revital.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', revital.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_strategic_axes_commune_id_communes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_strategic_axes'))
    )
    with op.batch_alter_table('strategic_axes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_strategic_axes_commune_id'), ['commune_id'], unique=False)

    op.create_table('ideas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('axis_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=160), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('place_id', sa.Integer(), nullable=True),
    sa.Column('place_name', sa.String(length=120), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('decision_reason', sa.Text(), nullable=False),
    sa.Column('decided_at', revital.db.UTCDateTime(), nullable=True),
    sa.Column('supports_count', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', revital.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', revital.db.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['axis_id'], ['strategic_axes.id'], name=op.f('fk_ideas_axis_id_strategic_axes'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_ideas_commune_id_communes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_ideas_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['place_id'], ['places.id'], name=op.f('fk_ideas_place_id_places'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ideas'))
    )
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ideas_axis_id'), ['axis_id'], unique=False)
        batch_op.create_index('ix_ideas_commune_status', ['commune_id', 'status', 'id'], unique=False)

    op.create_table('prioritisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=10), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=160), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('mode', sa.String(length=10), nullable=False),
    sa.Column('budget', sa.Integer(), nullable=False),
    sa.Column('opens_at', revital.db.UTCDateTime(), nullable=True),
    sa.Column('closes_at', revital.db.UTCDateTime(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('results_published_at', revital.db.UTCDateTime(), nullable=True),
    sa.Column('created_at', revital.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', revital.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_prioritisations_commune_id_communes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], name=op.f('fk_prioritisations_workshop_id_workshops'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_prioritisations'))
    )
    with op.batch_alter_table('prioritisations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_prioritisations_commune_id'), ['commune_id'], unique=False)

    op.create_table('author_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('contribution_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', revital.db.UTCDateTime(), nullable=False),
    sa.Column('sent_at', revital.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_author_notices_commune_id_communes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['contribution_id'], ['contributions.id'], name=op.f('fk_author_notices_contribution_id_contributions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_author_notices'))
    )
    with op.batch_alter_table('author_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_author_notices_email'), ['email'], unique=False)
        batch_op.create_index('ix_author_notices_unsent', ['sent_at', 'email'], unique=False)

    op.create_table('ballots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('prioritisation_id', sa.Integer(), nullable=False),
    sa.Column('voter', sa.String(length=270), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('confirmed_at', revital.db.UTCDateTime(), nullable=True),
    sa.Column('created_at', revital.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', revital.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['prioritisation_id'], ['prioritisations.id'], name=op.f('fk_ballots_prioritisation_id_prioritisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ballots')),
    sa.UniqueConstraint('prioritisation_id', 'voter', name='uq_ballot_voter')
    )
    with op.batch_alter_table('ballots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ballots_prioritisation_id'), ['prioritisation_id'], unique=False)

    op.create_table('priority_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('prioritisation_id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_priority_scores_idea_id_ideas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['prioritisation_id'], ['prioritisations.id'], name=op.f('fk_priority_scores_prioritisation_id_prioritisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_priority_scores')),
    sa.UniqueConstraint('prioritisation_id', 'idea_id', name='uq_priority_score')
    )
    with op.batch_alter_table('priority_scores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_priority_scores_idea_id'), ['idea_id'], unique=False)

    op.create_table('ballot_choices',
    sa.Column('ballot_id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['ballot_id'], ['ballots.id'], name=op.f('fk_ballot_choices_ballot_id_ballots'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_ballot_choices_idea_id_ideas'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ballot_id', 'idea_id', name=op.f('pk_ballot_choices'))
    )
    with op.batch_alter_table('ballot_choices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ballot_choices_idea_id'), ['idea_id'], unique=False)

    with op.batch_alter_table('supports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('idea_id', sa.Integer(), nullable=True))
        batch_op.alter_column('contribution_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_index(batch_op.f('ix_supports_idea_id'), ['idea_id'], unique=False)
        batch_op.create_unique_constraint('uq_supports_idea_voter', ['idea_id', 'voter'])
        batch_op.create_foreign_key(batch_op.f('fk_supports_idea_id_ideas'), 'ideas', ['idea_id'], ['id'], ondelete='CASCADE')



def downgrade() -> None:
    with op.batch_alter_table('supports', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_supports_idea_id_ideas'), type_='foreignkey')
        batch_op.drop_constraint('uq_supports_idea_voter', type_='unique')
        batch_op.drop_index(batch_op.f('ix_supports_idea_id'))
        batch_op.alter_column('contribution_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('idea_id')

    with op.batch_alter_table('ballot_choices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ballot_choices_idea_id'))

    op.drop_table('ballot_choices')
    with op.batch_alter_table('priority_scores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_priority_scores_idea_id'))

    op.drop_table('priority_scores')
    with op.batch_alter_table('ballots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ballots_prioritisation_id'))

    op.drop_table('ballots')
    with op.batch_alter_table('author_notices', schema=None) as batch_op:
        batch_op.drop_index('ix_author_notices_unsent')
        batch_op.drop_index(batch_op.f('ix_author_notices_email'))

    op.drop_table('author_notices')
    with op.batch_alter_table('prioritisations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_prioritisations_commune_id'))

    op.drop_table('prioritisations')
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.drop_index('ix_ideas_commune_status')
        batch_op.drop_index(batch_op.f('ix_ideas_axis_id'))

    op.drop_table('ideas')
    with op.batch_alter_table('strategic_axes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_strategic_axes_commune_id'))

    op.drop_table('strategic_axes')
    with op.batch_alter_table('stakes', schema=None) as batch_op:
        batch_op.drop_index('ix_stakes_commune_theme')

    op.drop_table('stakes')
    with op.batch_alter_table('official_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_official_answers_commune_id'))

    op.drop_table('official_answers')
    with op.batch_alter_table('lineage_links', schema=None) as batch_op:
        batch_op.drop_index('ix_lineage_source')
        batch_op.drop_index(batch_op.f('ix_lineage_links_commune_id'))

    op.drop_table('lineage_links')
    with op.batch_alter_table('diagnostic_syntheses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_diagnostic_syntheses_commune_id'))

    op.drop_table('diagnostic_syntheses')
