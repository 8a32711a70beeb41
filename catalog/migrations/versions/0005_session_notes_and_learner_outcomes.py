"""session notes and learner outcomes

Staff write notes during a session (deleted with it, by the retention job or on request); a
coordinator records per pseudonymous learner whether they started and were still enrolled.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 07:09:51.891055
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('learner_outcomes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('learner_code', sa.String(length=64), nullable=False),
    sa.Column('cohort', sa.String(length=32), nullable=False),
    sa.Column('care_category', sa.String(length=64), nullable=False),
    sa.Column('started', sa.Boolean(), nullable=False),
    sa.Column('enrolled_after', sa.Boolean(), nullable=True),
    sa.Column('period_months', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['staff_users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('learner_code')
    )
    op.create_table('session_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('bundle_key', sa.String(length=64), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['staff_users.id'], ),
    sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('session_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_notes_session_id'), ['session_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('session_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_notes_session_id'))

    op.drop_table('session_notes')
    op.drop_table('learner_outcomes')
