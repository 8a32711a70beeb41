"""sessions run from the pages, and the learning-workplace profile made in the browser

Playlists get an audience (route, level) and per scene how long a photo stays and whether the
headset waits for the begeleider; sessions say the learner's route, level and year and why and
when they ended or were interrupted; headsets keep what they say of themselves. Scripts saved on
the staff pages are kept with who and when, and both sides' approvals of a profile are recorded.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 20:30:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('script_approvals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('script_name', sa.String(length=255), nullable=False),
    sa.Column('side', sa.String(length=16), nullable=False),
    sa.Column('approved_by', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=255), nullable=False),
    sa.Column('staff_user_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(), nullable=False),
    sa.Column('profile_sha256', sa.String(length=64), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
    sa.Column('withdrawn_reason', sa.String(length=255), nullable=True),
    sa.ForeignKeyConstraint(['staff_user_id'], ['staff_users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_script_approvals_name', 'script_approvals', ['script_name'], unique=False)
    op.create_table('script_saves',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('script_name', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('base_sha256', sa.String(length=64), nullable=True),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('saved_by', sa.String(length=255), nullable=False),
    sa.Column('staff_user_id', sa.Integer(), nullable=True),
    sa.Column('saved_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['staff_user_id'], ['staff_users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_script_saves_name_id', 'script_saves', ['script_name', 'id'], unique=False)
    with op.batch_alter_table('headsets') as batch:
        batch.add_column(sa.Column('device_info', sa.JSON(), server_default='{}', nullable=False))
    with op.batch_alter_table('playlist_items') as batch:
        batch.add_column(sa.Column('photo_seconds', sa.Float(), nullable=True))
        batch.add_column(sa.Column('wait_for_staff', sa.Boolean(), nullable=True))
    with op.batch_alter_table('playlists') as batch:
        batch.add_column(sa.Column('route', sa.String(length=8), nullable=True))
        batch.add_column(sa.Column('level', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('created_by_id', sa.Integer(), nullable=True))
        batch.create_foreign_key('fk_playlists_created_by_id', 'staff_users', ['created_by_id'], ['id'])
    with op.batch_alter_table('sessions') as batch:
        batch.add_column(sa.Column('route', sa.String(length=8), nullable=True))
        batch.add_column(sa.Column('level', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('year', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('interrupted_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('end_reason', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('sessions') as batch:
        for column in ('end_reason', 'interrupted_at', 'year', 'level', 'route'):
            batch.drop_column(column)
    with op.batch_alter_table('playlists') as batch:
        batch.drop_constraint('fk_playlists_created_by_id', type_='foreignkey')
        for column in ('created_by_id', 'level', 'route'):
            batch.drop_column(column)
    with op.batch_alter_table('playlist_items') as batch:
        batch.drop_column('wait_for_staff')
        batch.drop_column('photo_seconds')
    with op.batch_alter_table('headsets') as batch:
        batch.drop_column('device_info')
    op.drop_index('ix_script_saves_name_id', table_name='script_saves')
    op.drop_table('script_saves')
    op.drop_index('ix_script_approvals_name', table_name='script_approvals')
    op.drop_table('script_approvals')
