"""Upgrading a database that already holds tickets makes them searchable at once."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import User
from models.search.query import SearchFilters, search
from models.search.syntax import parse
from tests.conftest import ENGINES, drop_database, fresh_database_url, make_engine, migrate

# Rows as revision 0005 knew them, written in plain SQL.
BEFORE_0006 = [
    "INSERT INTO users (id, uid, display_name, preferences, attributes, created_at) "
    "VALUES (1, 'etu', 'Un ÉTUDIANT', '{}', '{}', '2026-01-05 10:00:00')",
    "INSERT INTO departments (id, label, title, description, position, default_priority, "
    "default_scope, assignment_algorithm, expiry_days) "
    "VALUES (1, 'INFORMATIQUE', 'DSI', '', 0, 3, 'private', 'nobody', 15)",
    "INSERT INTO categories (id, department_id, label, description, position) "
    "VALUES (1, 1, 'Réseau', '', 0)",
    "INSERT INTO tickets (id, subject, owner_id, creator_id, department_id, category_id, "
    "status, priority, scope, origin, created_at, last_action_at) VALUES (1, "
    "'Imprimantes du réseau', 1, 1, 1, 1, 'free', 3, 'private', 'web', "
    "'2026-01-05 10:00:00', '2026-01-05 10:00:00')",
    "INSERT INTO attachments (id, ticket_id, original_name, size, media_type, sha256, "
    "storage_key, scope, created_at) VALUES (1, 1, 'Relevé-bâtiment.pdf', 10, "
    "'application/pdf', '0', 'abcd1234', 'default', '2026-01-05 10:00:00')",
    "INSERT INTO ticket_events (id, ticket_id, kind, actor, author_id, message, scope, "
    "created_at, status_after, attachment_id) VALUES (1, 1, 'create', 'owner', 1, "
    "'Le bourrage continue.', 'default', '2026-01-05 10:00:00', 'free', NULL), "
    "(2, 1, 'upload', 'owner', 1, '', 'default', '2026-01-05 10:01:00', 'free', 1)",
]


@pytest.mark.parametrize("kind", ENGINES)
def test_upgrading_indexes_what_is_already_there(kind, tmp_path):
    url = fresh_database_url(kind, tmp_path)
    engine = make_engine(url)
    try:
        migrate(engine, "0005")
        with engine.begin() as connection:
            for statement in BEFORE_0006:
                connection.exec_driver_sql(statement)
        migrate(engine)
        with Session(engine) as session:
            student = session.get(User, 1)
            for typed in ("imprimante reseau", "bourrage", "releve batiment pdf"):
                found = search(session, student, parse(typed), SearchFilters())
                assert [hit.ticket.id for hit in found.items] == [1], typed
            assert session.scalar(sa.text("SELECT count(*) FROM tickets")) == 1
    finally:
        engine.dispose()
        drop_database(url)
