"""The ``search_terms`` column: what a row is found by.

The models assign it the row's searchable text (a ticket's subject; an entry's message
and the name of the file it attached). The column type stores it the way the engine
indexes it:

- PostgreSQL: a ``tsvector`` built by the database (``to_tsvector`` with the
  ``assistance_french`` configuration: unaccent, then the French stemmer), under a GIN
  index; subjects weigh more (weight A) in the ranking;
- SQLite: the words folded and stemmed in Python (``text.stemmed_words``), which an FTS5
  table indexes through triggers (migration 0006).

It is deferred: nothing but the search reads it, and the value in memory after a flush
is the text given, not what was stored.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from .text import spaced_words, stemmed_words

TEXT_SEARCH_CONFIG = "assistance_french"


def ts_config() -> sa.ColumnElement:
    return sa.literal_column(f"'{TEXT_SEARCH_CONFIG}'::regconfig")


class _PostgresTerms(sa.TypeDecorator):
    impl = postgresql.TSVECTOR
    cache_ok = True

    def __init__(self, weight: str = "D"):
        super().__init__()
        self.weight = weight

    def process_bind_param(self, value, dialect):
        return None if value is None else spaced_words(value)

    def bind_expression(self, bindvalue):
        return sa.func.setweight(
            sa.func.to_tsvector(ts_config(), bindvalue),
            sa.literal_column(f"'{self.weight}'::\"char\""),
        )


class _StemmedTerms(sa.TypeDecorator):
    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else stemmed_words(value)


def search_terms_type(weight: str = "D") -> sa.types.TypeEngine:
    """Folded stems on SQLite, a weighted tsvector on PostgreSQL."""
    return _StemmedTerms().with_variant(_PostgresTerms(weight), "postgresql")


def gin_index(table: str) -> sa.Index:
    """The GIN index of a ``search_terms`` column, on PostgreSQL only (SQLite's index
    is its FTS5 table)."""
    return sa.Index(f"ix_{table}_search_terms", "search_terms", postgresql_using="gin").ddl_if(
        dialect="postgresql"
    )
