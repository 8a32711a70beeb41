"""privacy sign-offs

Publishing a scene version whose footage shows anyone without consent waits for a person to sign
its privacy review sheet off: who, when, and why it was needed.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 09:30:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('privacy_signoffs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scene_version_id', sa.Integer(), nullable=False),
    sa.Column('signed_by', sa.String(length=255), nullable=False),
    sa.Column('staff_user_id', sa.Integer(), nullable=True),
    sa.Column('signed_at', sa.DateTime(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['scene_version_id'], ['scene_versions.id'], ),
    sa.ForeignKeyConstraint(['staff_user_id'], ['staff_users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('scene_version_id')
    )


def downgrade() -> None:
    op.drop_table('privacy_signoffs')
