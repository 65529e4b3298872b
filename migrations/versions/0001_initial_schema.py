"""Initial schema: users, services, tickets, history, outbox

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('departments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('is_enabled', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('default_priority', sa.Integer(), nullable=False),
    sa.Column('default_scope', sa.Enum('public', 'intranet', 'subject_only', 'private', name='default_scope', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('assignment_algorithm', sa.Enum('nobody', 'first_available', 'random', 'round_robin', name='assignment_algorithm', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('expiry_days', sa.Integer(), nullable=False),
    sa.Column('spent_time_required', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.CheckConstraint('default_priority BETWEEN 1 AND 5', name=op.f('ck_departments_default_priority')),
    sa.CheckConstraint('expiry_days >= 0', name=op.f('ck_departments_expiry_days')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_departments')),
    sa.UniqueConstraint('label', name=op.f('uq_departments_label'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=128), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('language', sa.String(length=2), server_default='fr', nullable=False),
    sa.Column('preferences', sa.JSON(), nullable=False),
    sa.Column('attributes', sa.JSON(), nullable=False),
    sa.Column('is_admin', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("language IN ('fr', 'en')", name=op.f('ck_users_language')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('uid', name=op.f('uq_users_uid'))
    )
    op.create_table('categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('accepts_tickets', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('default_priority', sa.Integer(), nullable=True),
    sa.Column('default_scope', sa.Enum('public', 'intranet', 'subject_only', 'private', name='default_scope', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('assignment_algorithm', sa.Enum('nobody', 'first_available', 'random', 'round_robin', name='assignment_algorithm', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('expiry_days', sa.Integer(), nullable=True),
    sa.Column('last_assigned_user_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('default_priority BETWEEN 1 AND 5', name=op.f('ck_categories_default_priority')),
    sa.CheckConstraint('expiry_days >= 0', name=op.f('ck_categories_expiry_days')),
    sa.CheckConstraint('parent_id IS NULL OR parent_id <> id', name=op.f('ck_categories_not_own_parent')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_categories_department_id_departments')),
    sa.ForeignKeyConstraint(['last_assigned_user_id'], ['users.id'], name=op.f('fk_categories_last_assigned_user_id_users')),
    sa.ForeignKeyConstraint(['parent_id'], ['categories.id'], name=op.f('fk_categories_parent_id_categories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_categories'))
    )
    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_categories_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_categories_parent_id'), ['parent_id'], unique=False)

    op.create_table('department_managers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('is_available', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('can_take_free', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('can_take_assigned', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('can_assign', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('can_refuse', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('can_reopen', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('can_move_department', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('can_manage_categories', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('can_manage_managers', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('can_manage_properties', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('can_set_own_availability', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_department_managers_department_id_departments')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_department_managers_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_department_managers')),
    sa.UniqueConstraint('department_id', 'user_id', name=op.f('uq_department_managers_department_id'))
    )
    with op.batch_alter_table('department_managers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_department_managers_user_id'), ['user_id'], unique=False)

    op.create_table('category_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_category_members_category_id_categories')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_category_members_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_category_members')),
    sa.UniqueConstraint('category_id', 'user_id', name=op.f('uq_category_members_category_id'))
    )
    with op.batch_alter_table('category_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_category_members_user_id'), ['user_id'], unique=False)

    op.create_table('tickets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('creator_id', sa.Integer(), nullable=False),
    sa.Column('manager_id', sa.Integer(), nullable=True),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('free', 'in_progress', 'incomplete', 'postponed', 'closed', 'approved', 'expired', 'cancelled', 'refused', name='status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('scope', sa.Enum('public', 'intranet', 'subject_only', 'private', name='scope', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('origin', sa.Enum('web', 'email', 'phone', 'other', name='origin', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_action_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reaction_seconds', sa.Integer(), nullable=True),
    sa.Column('resolution_seconds', sa.Integer(), nullable=True),
    sa.Column('spent_minutes', sa.Integer(), server_default='0', nullable=False),
    sa.Column('recall_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint("NOT status IN ('in_progress', 'incomplete', 'postponed') OR manager_id IS NOT NULL", name=op.f('ck_tickets_handled_has_manager')),
    sa.CheckConstraint("recall_at IS NULL OR status = 'postponed'", name=op.f('ck_tickets_recall_if_postponed')),
    sa.CheckConstraint("status <> 'free' OR manager_id IS NULL", name=op.f('ck_tickets_free_has_no_manager')),
    sa.CheckConstraint('priority BETWEEN 1 AND 5', name=op.f('ck_tickets_priority')),
    sa.CheckConstraint('spent_minutes >= 0', name=op.f('ck_tickets_spent_minutes')),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_tickets_category_id_categories')),
    sa.ForeignKeyConstraint(['creator_id'], ['users.id'], name=op.f('fk_tickets_creator_id_users')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_tickets_department_id_departments')),
    sa.ForeignKeyConstraint(['manager_id'], ['users.id'], name=op.f('fk_tickets_manager_id_users')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_tickets_owner_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tickets'))
    )
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tickets_category_id'), ['category_id'], unique=False)
        batch_op.create_index('ix_tickets_department_status', ['department_id', 'status', 'last_action_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_manager_id'), ['manager_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index('ix_tickets_status_last_action', ['status', 'last_action_at'], unique=False)

    op.create_table('attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('media_type', sa.String(length=127), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('storage_key', sa.String(length=100), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('scope', sa.Enum('default', 'owner', 'invited', 'invited_manager', 'manager', name='scope', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('size >= 0', name=op.f('ck_attachments_size')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_attachments_author_id_users')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_attachments_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_attachments_storage_key'))
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachments_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('bookmarks',
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_bookmarks_ticket_id_tickets')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_bookmarks_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bookmarks')),
    sa.UniqueConstraint('user_id', 'ticket_id', name=op.f('uq_bookmarks_user_id'))
    )
    with op.batch_alter_table('bookmarks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bookmarks_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('invitations',
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], name=op.f('fk_invitations_invited_by_id_users')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_invitations_ticket_id_tickets')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_invitations_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitations')),
    sa.UniqueConstraint('ticket_id', 'user_id', name=op.f('uq_invitations_ticket_id'))
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitations_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('monitors',
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_monitors_ticket_id_tickets')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_monitors_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitors')),
    sa.UniqueConstraint('user_id', 'ticket_id', name=op.f('uq_monitors_user_id'))
    )
    with op.batch_alter_table('monitors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monitors_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('read_markers',
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_read_markers_ticket_id_tickets')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_read_markers_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_read_markers')),
    sa.UniqueConstraint('user_id', 'ticket_id', name=op.f('uq_read_markers_user_id'))
    )
    with op.batch_alter_table('read_markers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_read_markers_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('recent_views',
    sa.Column('viewed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_recent_views_ticket_id_tickets')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_recent_views_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recent_views')),
    sa.UniqueConstraint('user_id', 'ticket_id', name=op.f('uq_recent_views_user_id'))
    )
    with op.batch_alter_table('recent_views', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recent_views_ticket_id'), ['ticket_id'], unique=False)
        batch_op.create_index('ix_recent_views_user_id_viewed_at', ['user_id', 'viewed_at'], unique=False)

    op.create_table('ticket_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('create', 'take', 'assign', 'free', 'request_information', 'comment', 'postpone', 'cancel_postponement', 'close', 'close_by_owner', 'approve_closure', 'refuse_closure', 'expire', 'cancel', 'refuse', 'reopen', 'invite', 'remove_invitation', 'upload', 'delete_attachment', 'change_subject', 'change_owner', 'change_priority', 'change_scope', 'change_origin', 'change_spent_time', 'change_category', 'change_department', name='kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.Enum('owner', 'ticket_manager', 'department_manager', 'invitee', 'admin', 'application', name='actor', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('scope', sa.Enum('default', 'owner', 'invited', 'invited_manager', 'manager', name='scope', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status_before', sa.Enum('free', 'in_progress', 'incomplete', 'postponed', 'closed', 'approved', 'expired', 'cancelled', 'refused', name='status_before', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('status_after', sa.Enum('free', 'in_progress', 'incomplete', 'postponed', 'closed', 'approved', 'expired', 'cancelled', 'refused', name='status_after', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('manager_id_before', sa.Integer(), nullable=True),
    sa.Column('manager_id_after', sa.Integer(), nullable=True),
    sa.Column('owner_id_before', sa.Integer(), nullable=True),
    sa.Column('owner_id_after', sa.Integer(), nullable=True),
    sa.Column('subject_before', sa.String(length=200), nullable=True),
    sa.Column('subject_after', sa.String(length=200), nullable=True),
    sa.Column('priority_before', sa.Integer(), nullable=True),
    sa.Column('priority_after', sa.Integer(), nullable=True),
    sa.Column('scope_before', sa.Enum('public', 'intranet', 'subject_only', 'private', name='scope_before', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('scope_after', sa.Enum('public', 'intranet', 'subject_only', 'private', name='scope_after', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('origin_before', sa.Enum('web', 'email', 'phone', 'other', name='origin_before', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('origin_after', sa.Enum('web', 'email', 'phone', 'other', name='origin_after', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('department_id_before', sa.Integer(), nullable=True),
    sa.Column('department_id_after', sa.Integer(), nullable=True),
    sa.Column('category_id_before', sa.Integer(), nullable=True),
    sa.Column('category_id_after', sa.Integer(), nullable=True),
    sa.Column('spent_minutes_before', sa.Integer(), nullable=True),
    sa.Column('spent_minutes_after', sa.Integer(), nullable=True),
    sa.Column('invitee_id', sa.Integer(), nullable=True),
    sa.Column('attachment_id', sa.Integer(), nullable=True),
    sa.Column('recall_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachments.id'], name=op.f('fk_ticket_events_attachment_id_attachments')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_ticket_events_author_id_users')),
    sa.ForeignKeyConstraint(['category_id_after'], ['categories.id'], name=op.f('fk_ticket_events_category_id_after_categories')),
    sa.ForeignKeyConstraint(['category_id_before'], ['categories.id'], name=op.f('fk_ticket_events_category_id_before_categories')),
    sa.ForeignKeyConstraint(['department_id_after'], ['departments.id'], name=op.f('fk_ticket_events_department_id_after_departments')),
    sa.ForeignKeyConstraint(['department_id_before'], ['departments.id'], name=op.f('fk_ticket_events_department_id_before_departments')),
    sa.ForeignKeyConstraint(['invitee_id'], ['users.id'], name=op.f('fk_ticket_events_invitee_id_users')),
    sa.ForeignKeyConstraint(['manager_id_after'], ['users.id'], name=op.f('fk_ticket_events_manager_id_after_users')),
    sa.ForeignKeyConstraint(['manager_id_before'], ['users.id'], name=op.f('fk_ticket_events_manager_id_before_users')),
    sa.ForeignKeyConstraint(['owner_id_after'], ['users.id'], name=op.f('fk_ticket_events_owner_id_after_users')),
    sa.ForeignKeyConstraint(['owner_id_before'], ['users.id'], name=op.f('fk_ticket_events_owner_id_before_users')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_events_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_events'))
    )
    with op.batch_alter_table('ticket_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_events_author_id'), ['author_id'], unique=False)
        batch_op.create_index('ix_ticket_events_ticket_id_id', ['ticket_id', 'id'], unique=False)

    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=True),
    sa.Column('recipient_email', sa.String(length=254), nullable=True),
    sa.Column('reason', sa.Enum('owner', 'previous_owner', 'manager', 'previous_manager', 'category_member', 'new_invitee', 'invitee', 'bookmark', 'monitor', name='reason', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('state', sa.Enum('pending', 'sent', 'failed', name='state', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('recipient_id IS NOT NULL OR recipient_email IS NOT NULL', name=op.f('ck_outbox_has_recipient')),
    sa.ForeignKeyConstraint(['event_id'], ['ticket_events.id'], name=op.f('fk_outbox_event_id_ticket_events')),
    sa.ForeignKeyConstraint(['recipient_id'], ['users.id'], name=op.f('fk_outbox_recipient_id_users')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_outbox_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_event_id'), ['event_id'], unique=False)
        batch_op.create_index('ix_outbox_state_next_attempt_at', ['state', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_ticket_id'), ['ticket_id'], unique=False)


def downgrade():
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_ticket_id'))
        batch_op.drop_index('ix_outbox_state_next_attempt_at')
        batch_op.drop_index(batch_op.f('ix_outbox_event_id'))

    op.drop_table('outbox')
    with op.batch_alter_table('ticket_events', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_events_ticket_id_id')
        batch_op.drop_index(batch_op.f('ix_ticket_events_author_id'))

    op.drop_table('ticket_events')
    with op.batch_alter_table('recent_views', schema=None) as batch_op:
        batch_op.drop_index('ix_recent_views_user_id_viewed_at')
        batch_op.drop_index(batch_op.f('ix_recent_views_ticket_id'))

    op.drop_table('recent_views')
    with op.batch_alter_table('read_markers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_read_markers_ticket_id'))

    op.drop_table('read_markers')
    with op.batch_alter_table('monitors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_monitors_ticket_id'))

    op.drop_table('monitors')
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitations_ticket_id'))

    op.drop_table('invitations')
    with op.batch_alter_table('bookmarks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bookmarks_ticket_id'))

    op.drop_table('bookmarks')
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachments_ticket_id'))

    op.drop_table('attachments')
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_status_last_action')
        batch_op.drop_index(batch_op.f('ix_tickets_owner_id'))
        batch_op.drop_index(batch_op.f('ix_tickets_manager_id'))
        batch_op.drop_index('ix_tickets_department_status')
        batch_op.drop_index(batch_op.f('ix_tickets_category_id'))

    op.drop_table('tickets')
    with op.batch_alter_table('category_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_category_members_user_id'))

    op.drop_table('category_members')
    with op.batch_alter_table('department_managers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_department_managers_user_id'))

    op.drop_table('department_managers')
    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_categories_parent_id'))
        batch_op.drop_index(batch_op.f('ix_categories_department_id'))

    op.drop_table('categories')
    op.drop_table('users')
    op.drop_table('departments')
