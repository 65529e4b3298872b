"""Statistics and search indexes

The statistics read a service's tickets created in a period, and the actions of a
period (manager load): one index for each, so that a month of a service never reads
the whole history. Search finds the shared (public, intranet) tickets among many
private ones through an index on the scope.

Plain CREATE INDEX on both engines: on SQLite a batch operation would rebuild
``ticket_events`` and drop the search index's triggers (0006).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 14:00:00
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_ticket_events_created_at', 'ticket_events', ['created_at'])
    op.create_index(
        'ix_tickets_department_created', 'tickets', ['department_id', 'created_at']
    )
    op.create_index('ix_tickets_scope', 'tickets', ['scope'])


def downgrade():
    op.drop_index('ix_tickets_scope', table_name='tickets')
    op.drop_index('ix_tickets_department_created', table_name='tickets')
    op.drop_index('ix_ticket_events_created_at', table_name='ticket_events')
