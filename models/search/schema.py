"""The index's own database objects, which the models cannot describe: SQLite's FTS5
tables and their triggers, and PostgreSQL's GIN indexes (declared on the models for
PostgreSQL only). Migrations 0006 (tickets) and 0007 (FAQ entries) create them;
``index.rebuild`` can recreate SQLite's.
"""

from __future__ import annotations

from collections.abc import Callable

# Searchable table → its FTS5 table on SQLite. FTS5 adds shadow tables named
# <fts table>_data, _idx, _docsize and _config.
FTS_TABLES = {
    "tickets": "tickets_search",
    "ticket_events": "ticket_events_search",
    "faq_entries": "faq_entries_search",
}
GIN_INDEXES = {f"ix_{table}_search_terms" for table in FTS_TABLES}


def sqlite_ddl(table: str) -> list[str]:
    """The FTS5 table indexing ``table.search_terms`` (external content: it stores only
    the index) and the triggers that keep it in step with every INSERT, UPDATE, DELETE."""
    fts = FTS_TABLES[table]
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
    ]


def sqlite_drop_ddl(table: str) -> list[str]:
    fts = FTS_TABLES[table]
    return [
        *(f"DROP TRIGGER IF EXISTS {fts}_{when}" for when in TRIGGER_EVENTS),
        f"DROP TABLE IF EXISTS {fts}",
    ]


TRIGGER_EVENTS = ("insert", "delete", "update")


def sqlite_triggers() -> set[str]:
    return {f"{fts}_{when}" for fts in FTS_TABLES.values() for when in TRIGGER_EVENTS}


def is_index_table(name: str) -> bool:
    return any(name == fts or name.startswith(f"{fts}_") for fts in FTS_TABLES.values())


def comparison_filters(dialect: str) -> dict[str, Callable]:
    """Options for Alembic's comparison of models and database (``db check``,
    autogenerate, tests/test_migrations.py): leave the index's own objects aside."""

    def include_name(name, type_, _parents) -> bool:
        return not (type_ == "table" and is_index_table(name))

    def include_object(_object, name, type_, _reflected, _compare_to) -> bool:
        return not (type_ == "index" and name in GIN_INDEXES and dialect != "postgresql")

    return {"include_name": include_name, "include_object": include_object}
