"""the photos and PDF documents of a workshop

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 14:54:23.063190
"""

import sqlalchemy as sa
from alembic import op

import revital.db


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('workshop_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=210), nullable=False),
    sa.Column('title', sa.String(length=160), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', revital.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], name=op.f('fk_workshop_documents_workshop_id_workshops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_documents'))
    )
    with op.batch_alter_table('workshop_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workshop_documents_workshop_id'), ['workshop_id'], unique=False)

    op.create_table('workshop_photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('photo_id', sa.Integer(), nullable=False),
    sa.Column('alt', sa.String(length=200), nullable=False),
    sa.Column('created_at', revital.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['photo_id'], ['photos.id'], name=op.f('fk_workshop_photos_photo_id_photos'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], name=op.f('fk_workshop_photos_workshop_id_workshops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_photos')),
    sa.UniqueConstraint('photo_id', name=op.f('uq_workshop_photos_photo_id'))
    )
    with op.batch_alter_table('workshop_photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workshop_photos_workshop_id'), ['workshop_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('workshop_photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workshop_photos_workshop_id'))

    op.drop_table('workshop_photos')
    with op.batch_alter_table('workshop_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workshop_documents_workshop_id'))

    op.drop_table('workshop_documents')
