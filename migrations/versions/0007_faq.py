"""FAQ

The FAQ's entries (a tree per service, and a global one) and their links to
categories; the MANAGE_FAQ right, granted to existing managers as to new ones; the
FAQ entry a closure may point to.

Entries are a second kind of document for the search, indexed as tickets are (0006):
a ``search_terms`` tsvector under a GIN index on PostgreSQL, an FTS5 table kept in step
by triggers on SQLite.

On SQLite, ``ticket_events`` gains (and loses) its column with ALTER TABLE, never by
rebuilding the table: a rebuild would drop the search index's triggers (0006).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 10:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

VISIBILITIES = ('everyone', 'authenticated', 'managers', 'department')
EVENT_FK = 'fk_ticket_events_faq_entry_id_faq_entries'
FAQ_FTS = 'faq_entries_search'


def _faq_index():
    """The FTS5 table over faq_entries.search_terms and its triggers (SQLite)."""
    remove = (
        f"INSERT INTO {FAQ_FTS}({FAQ_FTS}, rowid, search_terms) "
        "VALUES ('delete', old.id, old.search_terms);"
    )
    add = f"INSERT INTO {FAQ_FTS}(rowid, search_terms) VALUES (new.id, new.search_terms);"
    return [
        f"CREATE VIRTUAL TABLE {FAQ_FTS} USING fts5(search_terms, content='faq_entries', "
        "content_rowid='id')",
        f"CREATE TRIGGER {FAQ_FTS}_insert AFTER INSERT ON faq_entries BEGIN {add} END",
        f"CREATE TRIGGER {FAQ_FTS}_delete AFTER DELETE ON faq_entries BEGIN {remove} END",
        f"CREATE TRIGGER {FAQ_FTS}_update AFTER UPDATE OF search_terms ON faq_entries "
        f"BEGIN {remove} {add} END",
    ]


def upgrade():
    sqlite = op.get_bind().dialect.name == 'sqlite'
    with op.batch_alter_table('department_managers', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('can_manage_faq', sa.Boolean(), server_default=sa.true(), nullable=False)
        )

    op.create_table('faq_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('visibility', sa.Enum(*VISIBILITIES, name='visibility', native_enum=False, create_constraint=True, length=13), nullable=False),
    sa.Column('suggest_terms', sa.Text(), nullable=False),
    sa.Column('search_terms', sa.Text() if sqlite else postgresql.TSVECTOR(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('parent_id IS NULL OR parent_id <> id', name=op.f('ck_faq_entries_not_own_parent')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_faq_entries_created_by_id_users')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_faq_entries_department_id_departments')),
    sa.ForeignKeyConstraint(['parent_id'], ['faq_entries.id'], name=op.f('fk_faq_entries_parent_id_faq_entries')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_faq_entries_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_faq_entries'))
    )
    with op.batch_alter_table('faq_entries', schema=None) as batch_op:
        batch_op.create_index('ix_faq_entries_department_id_parent_id', ['department_id', 'parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_faq_entries_parent_id'), ['parent_id'], unique=False)
    if sqlite:
        for statement in _faq_index():
            op.execute(statement)
    else:
        op.create_index(
            'ix_faq_entries_search_terms', 'faq_entries', ['search_terms'], postgresql_using='gin'
        )

    op.create_table('faq_entry_categories',
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_faq_entry_categories_category_id_categories'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entry_id'], ['faq_entries.id'], name=op.f('fk_faq_entry_categories_entry_id_faq_entries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('entry_id', 'category_id', name=op.f('pk_faq_entry_categories'))
    )
    with op.batch_alter_table('faq_entry_categories', schema=None) as batch_op:
        batch_op.create_index('ix_faq_entry_categories_category_id', ['category_id'], unique=False)

    if sqlite:
        op.execute(
            f"ALTER TABLE ticket_events ADD COLUMN faq_entry_id INTEGER CONSTRAINT {EVENT_FK} "
            "REFERENCES faq_entries (id)"
        )
    else:
        op.add_column('ticket_events', sa.Column('faq_entry_id', sa.Integer(), nullable=True))
        op.create_foreign_key(
            EVENT_FK, 'ticket_events', 'faq_entries', ['faq_entry_id'], ['id']
        )


def downgrade():
    sqlite = op.get_bind().dialect.name == 'sqlite'
    if sqlite:
        # In place (SQLite 3.35+), as it was added: no rebuild, the triggers stay.
        op.execute("ALTER TABLE ticket_events DROP COLUMN faq_entry_id")
    else:
        op.drop_constraint(EVENT_FK, 'ticket_events', type_='foreignkey')
        op.drop_column('ticket_events', 'faq_entry_id')

    with op.batch_alter_table('faq_entry_categories', schema=None) as batch_op:
        batch_op.drop_index('ix_faq_entry_categories_category_id')
    op.drop_table('faq_entry_categories')

    if sqlite:
        for when in ('insert', 'delete', 'update'):
            op.execute(f"DROP TRIGGER IF EXISTS {FAQ_FTS}_{when}")
        op.execute(f"DROP TABLE IF EXISTS {FAQ_FTS}")
    else:
        op.drop_index('ix_faq_entries_search_terms', table_name='faq_entries')
    with op.batch_alter_table('faq_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_faq_entries_parent_id'))
        batch_op.drop_index('ix_faq_entries_department_id_parent_id')
    op.drop_table('faq_entries')

    with op.batch_alter_table('department_managers', schema=None) as batch_op:
        batch_op.drop_column('can_manage_faq')
