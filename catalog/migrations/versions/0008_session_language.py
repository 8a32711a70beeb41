"""a session's language: the headset shows its panels (and the script's text, where the script has
it) in Dutch or English

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 11:45:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('sessions') as batch:
        batch.add_column(sa.Column('language', sa.String(length=8), nullable=False, server_default='nl'))


def downgrade() -> None:
    with op.batch_alter_table('sessions') as batch:
        batch.drop_column('language')
