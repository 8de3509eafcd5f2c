"""versions of communes and territories, for the pages anonymous visitors get from a cache; a kept
count of each commune's published contributions

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('territories', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
    with op.batch_alter_table('communes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('published_contributions', sa.Integer(), nullable=False, server_default='0'))
    op.execute(
        "UPDATE communes SET published_contributions = (SELECT count(*) FROM contributions "
        "WHERE contributions.commune_id = communes.id AND contributions.status = 'published')"
    )


def downgrade() -> None:
    with op.batch_alter_table('communes', schema=None) as batch_op:
        batch_op.drop_column('published_contributions')
        batch_op.drop_column('version')
    with op.batch_alter_table('territories', schema=None) as batch_op:
        batch_op.drop_column('version')
