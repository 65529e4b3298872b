"""Full-text search

Tickets and their entries get a ``search_terms`` column (models/search/columns.py):

- PostgreSQL: a ``tsvector`` under a GIN index, built with the ``assistance_french``
  text search configuration (French with unaccent: « reseau » finds « réseaux »);
- SQLite: the words folded and stemmed, indexed by an FTS5 table (external content)
  that triggers keep in step.

Existing rows are indexed here. SQLite drops a table's triggers with the table: a
later migration that rebuilds ``tickets`` or ``ticket_events`` (batch mode) must create
them again (``models.search.schema.sqlite_ddl``); ``assistance search reindex`` repairs
an index in any state, and a test checks the triggers at head.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 10:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# The same splitting, folding and stemming as the application's (pure functions).
from models.search.text import spaced_words, stemmed_words

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

CONFIG = 'assistance_french'
TABLES = {'tickets': 'tickets_search', 'ticket_events': 'ticket_events_search'}
BATCH = 1000


def _documents(bind, table):
    """(id, searchable text) of every row, a batch at a time."""
    if table == 'tickets':
        query = "SELECT id, subject FROM tickets WHERE id > :after ORDER BY id LIMIT :size"
    else:
        query = (
            "SELECT e.id, TRIM(COALESCE(e.message, '') || ' ' || COALESCE(a.original_name, '')) "
            "FROM ticket_events e LEFT JOIN attachments a ON a.id = e.attachment_id "
            "WHERE e.id > :after ORDER BY e.id LIMIT :size"
        )
    after = 0
    while True:
        rows = bind.execute(sa.text(query), {'after': after, 'size': BATCH}).all()
        if not rows:
            return
        yield rows
        after = rows[-1][0]


def _fill(bind, table, postgres):
    if postgres:
        weight = 'A' if table == 'tickets' else 'D'
        update = sa.text(
            f"UPDATE {table} SET search_terms = "
            f"setweight(to_tsvector('{CONFIG}', :text), '{weight}') WHERE id = :id"
        )
        prepare = spaced_words
    else:
        update = sa.text(f"UPDATE {table} SET search_terms = :text WHERE id = :id")
        prepare = stemmed_words
    for rows in _documents(bind, table):
        bind.execute(update, [{'id': row[0], 'text': prepare(row[1])} for row in rows])


def _sqlite_index(table):
    fts = TABLES[table]
    remove = (
        f"INSERT INTO {fts}({fts}, rowid, search_terms) "
        "VALUES ('delete', old.id, old.search_terms);"
    )
    add = f"INSERT INTO {fts}(rowid, search_terms) VALUES (new.id, new.search_terms);"
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5(search_terms, content='{table}', "
        "content_rowid='id')",
        f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN {add} END",
        f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN {remove} END",
        f"CREATE TRIGGER {fts}_update AFTER UPDATE OF search_terms ON {table} "
        f"BEGIN {remove} {add} END",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]


def upgrade():
    bind = op.get_bind()
    postgres = bind.dialect.name == 'postgresql'
    if postgres:
        op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        op.execute(f"CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = pg_catalog.french)")
        op.execute(
            f"ALTER TEXT SEARCH CONFIGURATION {CONFIG} "
            "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem"
        )
    column_type = postgresql.TSVECTOR() if postgres else sa.Text()
    for table in TABLES:
        op.add_column(table, sa.Column('search_terms', column_type, nullable=True))
        _fill(bind, table, postgres)
        if postgres:
            op.create_index(
                f'ix_{table}_search_terms', table, ['search_terms'], postgresql_using='gin'
            )
        else:
            for statement in _sqlite_index(table):
                op.execute(statement)


def downgrade():
    postgres = op.get_bind().dialect.name == 'postgresql'
    for table, fts in TABLES.items():
        if postgres:
            op.drop_index(f'ix_{table}_search_terms', table_name=table)
        else:
            for when in ('insert', 'delete', 'update'):
                op.execute(f"DROP TRIGGER IF EXISTS {fts}_{when}")
            op.execute(f"DROP TABLE IF EXISTS {fts}")
        # SQLite (3.35+) drops a column in place: no table rebuild.
        op.execute(f"ALTER TABLE {table} DROP COLUMN search_terms")
    if postgres:
        op.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {CONFIG}")
