"""the journal of each commune: its posts (written, or automatic on a phase change) and their images

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 11:39:35.446249
"""

import sqlalchemy as sa
from alembic import op

import revital.db

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('journal_posts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=160), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', revital.db.UTCDateTime(), nullable=False),
    sa.Column('published_at', revital.db.UTCDateTime(), nullable=True),
    sa.Column('edited_at', revital.db.UTCDateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_journal_posts_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_journal_posts_commune_id_communes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journal_posts'))
    )
    with op.batch_alter_table('journal_posts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_journal_posts_author_id'), ['author_id'], unique=False)
        batch_op.create_index('ix_journal_posts_commune_public', ['commune_id', 'status', 'published_at', 'id'], unique=False)

    op.create_table('journal_images',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('photo_id', sa.Integer(), nullable=False),
    sa.Column('alt', sa.String(length=200), nullable=False),
    sa.Column('created_at', revital.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['photo_id'], ['photos.id'], name=op.f('fk_journal_images_photo_id_photos'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['post_id'], ['journal_posts.id'], name=op.f('fk_journal_images_post_id_journal_posts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journal_images')),
    sa.UniqueConstraint('photo_id', name=op.f('uq_journal_images_photo_id'))
    )
    with op.batch_alter_table('journal_images', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_journal_images_post_id'), ['post_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('journal_images', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_journal_images_post_id'))

    op.drop_table('journal_images')
    with op.batch_alter_table('journal_posts', schema=None) as batch_op:
        batch_op.drop_index('ix_journal_posts_commune_public')
        batch_op.drop_index(batch_op.f('ix_journal_posts_author_id'))

    op.drop_table('journal_posts')
