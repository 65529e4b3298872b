"""Open queue index

A service's open tickets, newest action first, as a partial index: the managers' queue
reads its first page from 20 entries of it instead of sorting every open ticket of the
service (6.7 ms → 0.2 ms for a service with 4 800 open tickets, at 1 000 000 tickets).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 15:30:00
"""

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

OPEN = sa.text("status IN ('free', 'in_progress', 'incomplete', 'postponed')")


def upgrade():
    op.create_index(
        'ix_tickets_open_queue',
        'tickets',
        ['department_id', 'last_action_at', 'id'],
        postgresql_where=OPEN,
        sqlite_where=OPEN,
    )


def downgrade():
    op.drop_index('ix_tickets_open_queue', table_name='tickets')
