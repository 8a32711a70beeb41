"""headset owners: headsets, groups and pairing codes belong to a use context (or are shared), so
staff act only on their own; existing ones take the context of whoever made their pairing code

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-11 10:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

#: the staff roles that run one use context, as they were at this revision
_ROLE_CONTEXT = {'intake': 'intake', 'hr': 'sollicitatie', 'teacher': 'werkveldorientatie'}


def upgrade() -> None:
    for table in ('headsets', 'headset_groups', 'pairing_codes'):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('context', sa.String(length=32), nullable=True))
    for role, context in _ROLE_CONTEXT.items():
        op.execute(sa.text("UPDATE pairing_codes SET context = :c WHERE created_by_id IN "
                           "(SELECT id FROM staff_users WHERE role = :r)").bindparams(c=context, r=role))
    op.execute("UPDATE headsets SET context = (SELECT p.context FROM pairing_codes p WHERE p.headset_id = headsets.id)")
    # a group belongs to a context when every headset in it does
    op.execute("UPDATE headset_groups SET context = (SELECT MIN(h.context) FROM headsets h WHERE h.group_id = headset_groups.id "
               "HAVING COUNT(*) = COUNT(h.context) AND MIN(h.context) = MAX(h.context))")


def downgrade() -> None:
    for table in ('pairing_codes', 'headset_groups', 'headsets'):
        with op.batch_alter_table(table) as batch:
            batch.drop_column('context')
