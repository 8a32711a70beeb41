"""login throttles: failed sign-ins and pairing-code guesses per account and per address, and
the lock they brought, so guessing is slowed down also across a restart

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-10 10:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('login_throttles',
    sa.Column('key', sa.String(length=320), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('locks', sa.Integer(), nullable=False),
    sa.Column('last_failure_at', sa.DateTime(), nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_index(op.f('ix_login_throttles_locked_until'), 'login_throttles', ['locked_until'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_login_throttles_locked_until'), table_name='login_throttles')
    op.drop_table('login_throttles')
