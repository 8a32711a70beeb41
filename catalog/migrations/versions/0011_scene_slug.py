"""a scene's slug is called slug (it was key, beside bundle_key and the render keys, which are hashes)

Revision ID: 0011
Revises: 0010
"""

from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('scenes') as batch:
        batch.alter_column('key', new_column_name='slug')


def downgrade() -> None:
    with op.batch_alter_table('scenes') as batch:
        batch.alter_column('slug', new_column_name='key')
