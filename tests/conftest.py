"""Test fixtures: every database test runs on SQLite and on PostgreSQL.

Each run (and each xdist worker) gets a fresh PostgreSQL database and a fresh
SQLite file, both built by the Alembic migrations. A test's writes happen in a
SAVEPOINT that is rolled back afterwards, so the domain may commit freely.
Tests that need real commits seen by other connections use ``committed``.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.orm import Session

from models import db
from models.db import configure_engine

ROOT = Path(__file__).resolve().parent.parent
ENGINES = [
    name
    for name in os.environ.get("ASSISTANCE_TEST_ENGINES", "sqlite,postgresql").split(",")
    if name
]
POSTGRES_ADMIN_URL = os.environ.get(
    "ASSISTANCE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)

pytest_plugins = ["tests.factories"]


def alembic_config() -> Config:
    config = Config(str(ROOT / "migrations" / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return config


def migrate(engine: sa.Engine, revision: str = "head", *, down: bool = False) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def _postgres_admin() -> sa.Engine:
    return sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")


def fresh_database_url(kind: str, folder: Path) -> str:
    """Create an empty database of this kind and return its URL."""
    if kind == "sqlite":
        return f"sqlite:///{folder / f'test-{uuid.uuid4().hex[:8]}.sqlite3'}"
    name = f"assistance_test_{uuid.uuid4().hex[:12]}"
    admin = _postgres_admin()
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return sa.make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(parsed.database + suffix).unlink(missing_ok=True)
        return
    admin = _postgres_admin()
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
    admin.dispose()


def make_engine(url: str) -> sa.Engine:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool if url.startswith("sqlite") else None)
    configure_engine(engine)
    return engine


@pytest.fixture(scope="session", params=ENGINES)
def database_url(request, tmp_path_factory):
    """A migrated, empty database for this run, once per engine."""
    url = fresh_database_url(request.param, tmp_path_factory.mktemp(request.param))
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    yield url
    drop_database(url)


@pytest.fixture(scope="session")
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine):
    """A connection inside a transaction that the test never commits for real."""
    with engine.connect() as connection:
        outer = connection.begin()
        yield connection
        outer.rollback()


@pytest.fixture
def session(connection):
    """An ORM session whose commits only release a SAVEPOINT of ``connection``."""
    with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
        yield session


@pytest.fixture
def committed(engine):
    """Sessions that really commit, for tests of concurrent connections; the tables
    are emptied afterwards."""
    sessions: list[Session] = []

    def open_session() -> Session:
        sessions.append(Session(bind=engine))
        return sessions[-1]

    yield open_session
    for opened in sessions:
        opened.close()
    empty_tables(engine)


def empty_tables(engine: sa.Engine) -> None:
    with engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())
