"""Load django-helpdesk's tables with the tickets of one of our bench databases.

    bench/.peer-venv/bin/python -m bench.peer.load --source assistance_bench_small

Run from the project's root with the peer's virtualenv (Django is never in ours). The
peer database (default: the source's name + ``_peer``) is dropped, created, migrated
by Django, then filled by streaming ``COPY (SELECT …) TO STDOUT`` of the source into
``COPY … FROM STDIN`` of the peer, the big tables' secondary indexes and foreign keys
being dropped during the copy and rebuilt after it. The source is only read.

What is copied, and how it maps:

- users → auth_user (same ids; username = uid; staff = a department's manager or an
  administrator; superuser = administrator; no usable password) and one
  helpdesk_usersettings row each (django-helpdesk creates it on a user's first save);
- departments → helpdesk_queue (same ids; title, slug = label);
- tickets → helpdesk_ticket (same ids; title = subject; submitter_email = the owner's
  address; assigned_to = the manager; queue = the department; created / modified =
  created_at / last_action_at; description = the creation's message; priority
  reversed, since django-helpdesk's 1 is « critical » and ours « very low »);
  statuses: free, in progress, incomplete → Open; postponed → Open and on hold;
  closed (awaiting the owner's approval) → Resolved; approved, expired, cancelled,
  refused → Closed;
- ticket_events with a message → helpdesk_followup (same ids; public unless the
  entry is for managers only; user = the author; title from the kind; new_status
  for closures). Entries without a message (takes, status changes…) are not copied:
  django-helpdesk would show them as follow-ups with no text.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import psycopg

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
SERVER = "postgresql://postgres@127.0.0.1:5432"
BIG_TABLES = ("helpdesk_ticket", "helpdesk_followup")

USERS = """
SELECT u.id, '!', u.last_login_at, u.is_admin, u.uid,
       left(split_part(u.display_name, ' ', 1), 150),
       left(ltrim(substr(u.display_name, length(split_part(u.display_name, ' ', 1)) + 1)), 150),
       coalesce(u.email, ''),
       u.is_admin OR EXISTS (SELECT 1 FROM department_managers m WHERE m.user_id = u.id),
       true, u.created_at
FROM users u ORDER BY u.id
"""
USER_COLUMNS = (
    "id, password, last_login, is_superuser, username, first_name, last_name, email, "
    "is_staff, is_active, date_joined"
)

QUEUES = """
SELECT d.id, left(d.title, 100), left(d.label, 50), false, false, false, false,
       'helpdesk.queue_access_' || left(d.label, 50)
FROM departments d ORDER BY d.id
"""
QUEUE_COLUMNS = (
    "id, title, slug, allow_public_submission, allow_email_submission, email_box_ssl, "
    "enable_notifications_on_email_events, permission_name"
)

TICKETS = """
SELECT t.id, t.subject, t.created_at, t.last_action_at, o.email,
       CASE WHEN t.status IN ('free', 'in_progress', 'incomplete', 'postponed') THEN 1
            WHEN t.status = 'closed' THEN 3
            ELSE 4 END,
       t.status = 'postponed', c.message, 6 - t.priority, t.manager_id, t.department_id,
       md5('peer' || t.id)::uuid::text
FROM tickets t
JOIN users o ON o.id = t.owner_id
LEFT JOIN ticket_events c ON c.ticket_id = t.id AND c.kind = 'create'
"""
TICKET_COLUMNS = (
    "id, title, created, modified, submitter_email, status, on_hold, description, "
    "priority, assigned_to_id, queue_id, secret_key"
)

FOLLOWUPS = """
SELECT e.id, e.created_at,
       CASE e.kind WHEN 'create' THEN 'Ticket Opened'
                   WHEN 'close' THEN 'Resolved'
                   WHEN 'close_by_owner' THEN 'Resolved'
                   WHEN 'request_information' THEN 'Information requested'
                   WHEN 'reopen' THEN 'Reopened'
                   ELSE 'Comment' END,
       e.message, e.scope IN ('default', 'owner', 'invited'),
       CASE e.kind WHEN 'close' THEN 3 WHEN 'close_by_owner' THEN 3
                   WHEN 'reopen' THEN 2 END,
       e.ticket_id, e.author_id
FROM ticket_events e
WHERE e.message <> ''
"""
FOLLOWUP_COLUMNS = "id, date, title, comment, public, new_status, ticket_id, user_id"

USER_SETTINGS = """
INSERT INTO helpdesk_usersettings (user_id, email_on_ticket_assign, email_on_ticket_change,
    login_view_ticketlist, tickets_per_page, use_email_as_submitter, ticket_respond_layout)
SELECT id, true, true, true, 25, true, 'tabs' FROM auth_user
"""


def migrate(target: str) -> None:
    """Create django-helpdesk's schema in ``target`` (Django's own migrations)."""
    os.environ["PEER_DATABASE"] = target
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.peer.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def recreate(target: str) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{target}"')


def secondary(conn: psycopg.Connection, table: str) -> tuple[list[str], list[tuple[str, str]]]:
    """The CREATE INDEX statements of ``table``'s indexes that back no constraint, and
    its foreign keys (name, definition)."""
    indexes = conn.execute(
        """SELECT indexdef FROM pg_indexes i WHERE tablename = %s AND NOT EXISTS
           (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)""",
        (table,),
    ).fetchall()
    keys = conn.execute(
        """SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
           WHERE conrelid = %s::regclass AND contype = 'f'""",
        (table,),
    ).fetchall()
    return [row[0] for row in indexes], keys


def stream(
    source: psycopg.Connection, target: psycopg.Connection, select: str, table: str, columns: str
) -> int:
    """COPY the rows of ``select`` in the source into ``table`` of the target."""
    with (
        source.cursor().copy(f"COPY ({select}) TO STDOUT") as out,
        target.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as into,
    ):
        for block in out:
            into.write(block)
    return target.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def load(source_db: str, target_db: str) -> dict:
    started = time.perf_counter()
    recreate(target_db)
    migrate(target_db)
    migrated = time.perf_counter()
    counts, timings = {}, {"migrate": round(migrated - started, 1)}
    with (
        psycopg.connect(f"{SERVER}/{source_db}") as source,
        psycopg.connect(f"{SERVER}/{target_db}") as target,
    ):
        source.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        target.execute("SET synchronous_commit = off")
        dropped = {}
        for table in BIG_TABLES:
            indexes, keys = secondary(target, table)
            dropped[table] = (indexes, keys)
            for name, _ in keys:
                target.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
            for statement in indexes:
                name = statement.split(" INDEX ", 1)[1].split(" ON ", 1)[0]
                target.execute(f"DROP INDEX {name}")
        for table, select, columns in (
            ("auth_user", USERS, USER_COLUMNS),
            ("helpdesk_queue", QUEUES, QUEUE_COLUMNS),
            ("helpdesk_ticket", TICKETS, TICKET_COLUMNS),
            ("helpdesk_followup", FOLLOWUPS, FOLLOWUP_COLUMNS),
        ):
            step = time.perf_counter()
            counts[table] = stream(source, target, select, table, columns)
            timings[table] = round(time.perf_counter() - step, 1)
            print(f"  {table}: {counts[table]} rows in {timings[table]} s", flush=True)
        target.execute(USER_SETTINGS)
        step = time.perf_counter()
        for table, (indexes, keys) in dropped.items():
            for statement in indexes:
                target.execute(statement)
            for name, definition in keys:
                target.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
        for table in ("auth_user", "helpdesk_queue", "helpdesk_ticket", "helpdesk_followup"):
            target.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )
        target.commit()
        timings["indexes"] = round(time.perf_counter() - step, 1)
    with psycopg.connect(f"{SERVER}/{target_db}", autocommit=True) as target:
        step = time.perf_counter()
        target.execute("VACUUM ANALYZE")
        timings["analyze"] = round(time.perf_counter() - step, 1)
    return {
        "source": source_db,
        "database": target_db,
        "counts": counts,
        "timings": timings,
        "seconds": round(time.perf_counter() - started, 1),
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", default="assistance_bench")
    parser.add_argument("--target", help="default: the source's name + _peer")
    args = parser.parse_args(argv)
    target = args.target or f"{args.source}_peer"
    if target == args.source:
        sys.exit("the peer database must not be the source")
    print(f"Loading {target} from {args.source}", flush=True)
    result = load(args.source, target)
    print(json.dumps(result), flush=True)
    # bench/run.py --peer puts it in the results, for the report to tell the load time.
    DATA_DIR.mkdir(exist_ok=True)
    (DATA_DIR / f"peer-load-{target}.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
