"""staff accounts, headsets and their pairing, playlists, session control

The sessions table gains the headset, playlist and state a session runs with; head direction is
not recorded in sessions that existed before (the interview default).

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-24 06:36:03.575796
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('headset_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('playlists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('context', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('staff_users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_login_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('username')
    )
    op.create_table('group_playlists',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('playlist_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['headset_groups.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['playlist_id'], ['playlists.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('group_id', 'playlist_id')
    )
    op.create_table('headsets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('profile', sa.String(length=32), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('token_sha256', sa.String(length=64), nullable=False),
    sa.Column('enrolled_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('last_seen_at', sa.DateTime(), nullable=True),
    sa.Column('last_sync_at', sa.DateTime(), nullable=True),
    sa.Column('inventory', sa.JSON(), nullable=False),
    sa.Column('free_bytes', sa.BigInteger(), nullable=True),
    sa.Column('battery', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['group_id'], ['headset_groups.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_sha256')
    )
    op.create_table('staff_logins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_sha256', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['staff_users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_sha256')
    )
    with op.batch_alter_table('staff_logins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_logins_user_id'), ['user_id'], unique=False)

    op.create_table('headset_playlists',
    sa.Column('headset_id', sa.Integer(), nullable=False),
    sa.Column('playlist_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['headset_id'], ['headsets.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['playlist_id'], ['playlists.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('headset_id', 'playlist_id')
    )
    op.create_table('pairing_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code_sha256', sa.String(length=64), nullable=False),
    sa.Column('headset_name', sa.String(length=255), nullable=False),
    sa.Column('profile', sa.String(length=32), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.Column('headset_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['staff_users.id'], ),
    sa.ForeignKeyConstraint(['group_id'], ['headset_groups.id'], ),
    sa.ForeignKeyConstraint(['headset_id'], ['headsets.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code_sha256')
    )
    op.create_table('playlist_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('playlist_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('scene_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['playlist_id'], ['playlists.id'], ),
    sa.ForeignKeyConstraint(['scene_id'], ['scenes.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('playlist_id', 'position')
    )
    op.create_table('headset_commands',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('headset_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('command', sa.String(length=16), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('acked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['headset_id'], ['headsets.id'], ),
    sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('headset_commands', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_headset_commands_headset_id'), ['headset_id'], unique=False)

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index('ix_events_session_kind_at', ['session_id', 'kind', 'at'], unique=False)

    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('headset_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('playlist_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('started_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('run', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('state', sa.String(length=16), server_default='running', nullable=False))
        batch_op.add_column(sa.Column('record_head_direction', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index(batch_op.f('ix_sessions_headset_id'), ['headset_id'], unique=False)
        batch_op.create_foreign_key('fk_sessions_playlist_id', 'playlists', ['playlist_id'], ['id'])
        batch_op.create_foreign_key('fk_sessions_headset_id', 'headsets', ['headset_id'], ['id'])
        batch_op.create_foreign_key('fk_sessions_started_by_id', 'staff_users', ['started_by_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.drop_constraint('fk_sessions_started_by_id', type_='foreignkey')
        batch_op.drop_constraint('fk_sessions_headset_id', type_='foreignkey')
        batch_op.drop_constraint('fk_sessions_playlist_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_sessions_headset_id'))
        batch_op.drop_column('record_head_direction')
        batch_op.drop_column('state')
        batch_op.drop_column('run')
        batch_op.drop_column('started_by_id')
        batch_op.drop_column('playlist_id')
        batch_op.drop_column('headset_id')

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_session_kind_at')

    with op.batch_alter_table('headset_commands', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_headset_commands_headset_id'))

    op.drop_table('headset_commands')
    op.drop_table('playlist_items')
    op.drop_table('pairing_codes')
    op.drop_table('headset_playlists')
    with op.batch_alter_table('staff_logins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_logins_user_id'))

    op.drop_table('staff_logins')
    op.drop_table('headsets')
    op.drop_table('group_playlists')
    op.drop_table('staff_users')
    op.drop_table('playlists')
    op.drop_table('headset_groups')
