"""hardening: a photo can wait for the form it came with

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 08:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('photos', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pending_token', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_photos_pending_token'), ['pending_token'])


def downgrade() -> None:
    with op.batch_alter_table('photos', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_photos_pending_token'), type_='unique')
        batch_op.drop_column('pending_token')
