"""a footage item's level estimate: the correction read from its picture when its metadata gave
no pose (capture.level_estimate), or that the picture gave too little for one

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 08:50:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('footage') as batch:
        batch.add_column(sa.Column('level_estimate', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('footage') as batch:
        batch.drop_column('level_estimate')
