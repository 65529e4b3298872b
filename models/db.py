"""The SQLAlchemy handle shared by every model, and the column types they use."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

import sqlalchemy as sa
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names, so Alembic can alter and drop them on every engine.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.TypeDecorator):
    """An aware UTC datetime on every engine (SQLite keeps no time zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware UTC datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum_type(enum_class: type[enum.Enum], name: str) -> sa.Enum:
    """Store an enum as its readable lower-case value, guarded by a CHECK constraint."""
    return sa.Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        validate_strings=True,
        length=max(len(member.value) for member in enum_class),
        values_callable=lambda members: [member.value for member in members],
    )


def _sqlite_on_connect(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # let SQLAlchemy say BEGIN itself
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA busy_timeout = 15000")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.close()


def _sqlite_on_begin(connection) -> None:
    # A unit of work that will write asks for the lock up front: it then waits its
    # turn (busy timeout) instead of failing when its snapshot turns stale.
    immediate = connection.get_execution_options().get("sqlite_begin") == "immediate"
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _postgres_on_connect(dbapi_connection, _record) -> None:
    # JIT compiling pays off for long analytical queries; ours are short, and at a
    # million tickets the planner's cost estimates trip it: 0.7 s compiling a search
    # that then runs in 2 ms (bench/NOTES.md).
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    dbapi_connection.commit()  # a rolled-back SET would be undone


def configure_engine(engine: sa.Engine) -> None:
    """Make SQLite behave like the PostgreSQL we run in production, and PostgreSQL
    like a database serving short requests.

    SQLite: foreign keys on, WAL so readers never wait for the writer, a busy timeout
    instead of an instant « database is locked », and real BEGIN statements so
    that transactions and SAVEPOINTs work as SQLAlchemy expects. PostgreSQL: no JIT.
    """
    if engine.dialect.name == "postgresql":
        if not sa.event.contains(engine, "connect", _postgres_on_connect):
            sa.event.listen(engine, "connect", _postgres_on_connect)
            engine.dispose()
        return
    if engine.dialect.name != "sqlite" or sa.event.contains(engine, "connect", _sqlite_on_connect):
        return
    sa.event.listen(engine, "connect", _sqlite_on_connect)
    sa.event.listen(engine, "begin", _sqlite_on_begin)
    engine.dispose()  # connections opened before this would lack the settings
