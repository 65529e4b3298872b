"""Mail delivery, one-click tokens, monitoring levels

The outbox learns kinds (expiry reminders, digests), claims with a lease, the
Message-ID it went out with, and new reasons; its CHECK constraints are rebuilt
by hand, as autogenerate does not see them.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 16:12:46.265101
"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


# In the models' order, so that the CHECK constraints read the same as theirs.
REASONS = (
    'owner', 'previous_owner', 'manager', 'department_manager', 'previous_manager',
    'category_member', 'new_invitee', 'invitee', 'bookmark', 'monitor',
    'category_address', 'digest',
)
OLD_REASONS = (
    'owner', 'previous_owner', 'manager', 'previous_manager', 'category_member',
    'new_invitee', 'invitee', 'bookmark', 'monitor',
)
STATES = ('pending', 'sending', 'sent', 'failed')
OLD_STATES = ('pending', 'sent', 'failed')


def _quoted(values) -> str:
    return ", ".join(f"'{value}'" for value in values)


def upgrade():
    op.create_table('action_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.Enum('create', 'take', 'assign', 'free', 'request_information', 'comment', 'postpone', 'cancel_postponement', 'close', 'close_by_owner', 'approve_closure', 'refuse_closure', 'expire', 'cancel', 'refuse', 'reopen', 'invite', 'remove_invitation', 'upload', 'delete_attachment', 'change_subject', 'change_owner', 'change_priority', 'change_scope', 'change_origin', 'change_spent_time', 'change_category', 'change_department', name='action', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('nonce', sa.String(length=43), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_action_tokens_ticket_id_tickets')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_action_tokens_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_tokens'))
    )
    with op.batch_alter_table('action_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_tokens_ticket_id'), ['ticket_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_tokens_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.add_column(sa.Column('monitoring_email', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('monitoring_email_level', sa.Enum('never', 'creation', 'creation_or_release', 'creation_or_free', 'always', name='monitoring_email_level', native_enum=False, create_constraint=True), server_default='creation', nullable=False))

    with op.batch_alter_table('department_managers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('monitor_any', sa.Enum('never', 'creation', 'always', name='monitor_any', native_enum=False, create_constraint=True), server_default='never', nullable=False))
        batch_op.add_column(sa.Column('monitor_category', sa.Enum('never', 'creation', 'always', name='monitor_category', native_enum=False, create_constraint=True), server_default='creation', nullable=False))
        batch_op.add_column(sa.Column('monitor_managed', sa.Enum('never', 'creation', 'always', name='monitor_managed', native_enum=False, create_constraint=True), server_default='always', nullable=False))

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.Enum('event', 'expiry_reminder', 'digest', name='kind', native_enum=False, create_constraint=True), server_default='event', nullable=False))
        batch_op.add_column(sa.Column('digest_day', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('claim', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('message_id', sa.String(length=255), nullable=True))
        batch_op.alter_column('event_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.alter_column('ticket_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.drop_constraint(op.f('ck_outbox_reason'), type_='check')
        batch_op.drop_constraint(op.f('ck_outbox_state'), type_='check')
        batch_op.alter_column('reason',
               existing_type=sa.VARCHAR(length=16),
               type_=sa.String(length=18),
               existing_nullable=False)
        batch_op.create_check_constraint('reason', "reason IN (" + _quoted(REASONS) + ")")
        batch_op.create_check_constraint('state', "state IN (" + _quoted(STATES) + ")")
        batch_op.create_check_constraint(
            'tells_of_a_ticket',
            "kind = 'digest' OR (event_id IS NOT NULL AND ticket_id IS NOT NULL)",
        )
        batch_op.create_index('ix_outbox_claim', ['claim'], unique=False)
        batch_op.create_index('uq_outbox_digest', ['recipient_id', 'digest_day'], unique=True, sqlite_where=sa.text("kind = 'digest'"), postgresql_where=sa.text("kind = 'digest'"))
        batch_op.create_index('uq_outbox_expiry_reminder', ['event_id', 'recipient_id'], unique=True, sqlite_where=sa.text("kind = 'expiry_reminder'"), postgresql_where=sa.text("kind = 'expiry_reminder'"))



def downgrade():
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('uq_outbox_expiry_reminder', sqlite_where=sa.text("kind = 'expiry_reminder'"), postgresql_where=sa.text("kind = 'expiry_reminder'"))
        batch_op.drop_index('uq_outbox_digest', sqlite_where=sa.text("kind = 'digest'"), postgresql_where=sa.text("kind = 'digest'"))
        batch_op.drop_index('ix_outbox_claim')
        batch_op.drop_constraint(op.f('ck_outbox_tells_of_a_ticket'), type_='check')
        batch_op.drop_constraint(op.f('ck_outbox_state'), type_='check')
        batch_op.drop_constraint(op.f('ck_outbox_reason'), type_='check')
        batch_op.alter_column('reason',
               existing_type=sa.String(length=18),
               type_=sa.VARCHAR(length=16),
               existing_nullable=False)
        batch_op.create_check_constraint('reason', "reason IN (" + _quoted(OLD_REASONS) + ")")
        batch_op.create_check_constraint('state', "state IN (" + _quoted(OLD_STATES) + ")")
        batch_op.alter_column('ticket_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.alter_column('event_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('message_id')
        batch_op.drop_column('lease_until')
        batch_op.drop_column('claim')
        batch_op.drop_column('digest_day')
        batch_op.drop_constraint(op.f('ck_outbox_kind'), type_='check')
        batch_op.drop_column('kind')

    with op.batch_alter_table('department_managers', schema=None) as batch_op:
        for name in ('monitor_managed', 'monitor_category', 'monitor_any'):
            batch_op.drop_constraint(op.f(f'ck_department_managers_{name}'), type_='check')
            batch_op.drop_column(name)

    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_categories_monitoring_email_level'), type_='check')
        batch_op.drop_column('monitoring_email_level')
        batch_op.drop_column('monitoring_email')

    with op.batch_alter_table('action_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_tokens_user_id'))
        batch_op.drop_index(batch_op.f('ix_action_tokens_ticket_id'))

    op.drop_table('action_tokens')
