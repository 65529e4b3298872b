"""The benchmark's generator, at a tiny scale: the rows it promises are there and
valid (PostgreSQL only: it loads with COPY and builds tsvectors in the database)."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from bench.generate import DATA_DIR, SERVER, generate
from tests.conftest import ENGINES, drop_database

pytestmark = pytest.mark.skipif("postgresql" not in ENGINES, reason="PostgreSQL only")


@pytest.fixture
def tiny_university():
    name = f"assistance_bench_test_{uuid.uuid4().hex[:8]}"
    fixtures = generate(500, seed=8, database=name, users=2_000)
    yield fixtures
    drop_database(f"{SERVER}/{name}")
    (DATA_DIR / f"fixtures-{name}.json").unlink()


def test_a_tiny_university_has_the_rows_the_views_are_measured_on(tiny_university):
    fixtures = tiny_university
    with psycopg.connect(fixtures["url"]) as conn:

        def one(sql, *params):
            return conn.execute(sql, params).fetchone()[0]

        assert one("SELECT count(*) FROM tickets") == 500
        assert one("SELECT count(*) FROM users") == 2_000
        assert one("SELECT count(*) FROM departments") == 40
        assert one("SELECT count(*) FROM categories") == 400
        events = one("SELECT count(*) FROM ticket_events")
        assert events == fixtures["counts"]["ticket_events"] and 5 * 500 < events < 7 * 500
        owner = "SELECT count(*) FROM tickets t JOIN users u ON u.id = t.owner_id WHERE u.uid = %s"
        tab = one(owner, fixtures["tab_uid"])
        assert tab == 50
        ticket = fixtures["view_ticket"]
        assert one("SELECT count(*) FROM ticket_events WHERE ticket_id = %s", ticket) == 60
        assert one("SELECT count(*) FROM attachments WHERE ticket_id = %s", ticket) == 5
        assert one("SELECT department_id FROM tickets WHERE id = %s", ticket) == 1
        assert one("SELECT count(*) FROM tickets WHERE department_id = 1") == 10  # 2 %
        # Found by search as the application indexes them: subjects, messages, file names.
        assert one("SELECT count(*) FROM tickets WHERE search_terms IS NULL") == 0
        assert one("SELECT count(*) FROM ticket_events WHERE message <> '' "
                   "AND search_terms IS NULL") == 0  # fmt: skip
        assert one("SELECT count(*) FROM ticket_events e JOIN attachments a ON a.id = "
                   "e.attachment_id WHERE e.search_terms @@ to_tsquery('assistance_french', "
                   "'document')") == 5  # fmt: skip
        # Sequences follow the rows: the application can add more.
        assert one("SELECT nextval('tickets_id_seq')") == 501
