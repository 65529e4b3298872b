"""Migrations build an empty database on both engines, and agree with the models."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from models import db
from models.search.schema import comparison_filters, is_index_table
from tests.conftest import ENGINES, drop_database, fresh_database_url, make_engine, migrate


@pytest.mark.parametrize("kind", ENGINES)
def test_migrations_upgrade_an_empty_database_to_the_models(kind, tmp_path):
    url = fresh_database_url(kind, tmp_path)
    engine = make_engine(url)
    try:
        migrate(engine)
        with engine.connect() as connection:
            # The search index's own objects (SQLite's FTS5 tables, PostgreSQL's GIN
            # indexes) are beyond what Alembic compares: models/search/schema.py.
            opts = {"compare_type": True, **comparison_filters(engine.dialect.name)}
            context = MigrationContext.configure(connection, opts=opts)
            assert compare_metadata(context, db.metadata) == []
        tables = {name for name in sa.inspect(engine).get_table_names() if not is_index_table(name)}
        assert tables == set(db.metadata.tables) | {"alembic_version"}
        # Autogenerate does not compare CHECK constraints: the models' and the
        # migrations' must still be the same, text included.
        assert check_constraints(engine) == expected_check_constraints(kind, tmp_path)

        migrate(engine, "base", down=True)
        assert set(sa.inspect(engine).get_table_names()) <= {"alembic_version"}
        migrate(engine)
    finally:
        engine.dispose()
        drop_database(url)


def check_constraints(engine) -> dict[str, dict[str, str]]:
    inspector = sa.inspect(engine)
    return {
        table: {
            check["name"]: " ".join(check["sqltext"].replace('"', "").split())
            for check in inspector.get_check_constraints(table)
        }
        for table in db.metadata.tables
    }


def expected_check_constraints(kind, tmp_path) -> dict[str, dict[str, str]]:
    """The CHECK constraints of a database made straight from the models."""
    (tmp_path / "from-models").mkdir()
    url = fresh_database_url(kind, tmp_path / "from-models")
    engine = make_engine(url)
    try:
        db.metadata.create_all(engine)
        return check_constraints(engine)
    finally:
        engine.dispose()
        drop_database(url)
