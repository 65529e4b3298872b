"""Fill a dedicated PostgreSQL database with a university's ten years of tickets.

    python -m bench.generate --tickets 1000000 [--seed 8] [--database assistance_bench]

The schema comes from the application's own migrations (``assistance db upgrade``);
the rows go in with COPY, indexes and foreign-key checks off, then the indexes are
built again, the full-text columns filled by the database as ``models/search`` fills
them, and the tables vacuumed and analysed. Requesters and categories are skewed
(Zipf-like): a few heavy requesters and popular categories, a long tail.

A few rows are planted for the views the runner measures, and described in
``bench/data/fixtures.json``: a requester with exactly 50 tickets, a ticket with 60
history entries and 5 real files, a service with 2 % of all tickets (20 000 of
1 000 000) and its manager.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import random
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

BENCH_DIR = Path(__file__).resolve().parent
PROJECT = BENCH_DIR.parent
DATA_DIR = BENCH_DIR / "data"
SERVER = "postgresql://postgres@127.0.0.1:5432"
BIG_TABLES = ("tickets", "ticket_events", "attachments")

DEPARTMENTS = 40
CATEGORIES_PER_DEPARTMENT = 10  # 2 roots with 4 leaves each: 400 in all
MANAGERS_PER_DEPARTMENT = 5
QUEUE_SHARE = 0.02  # the measured service: 20 000 of 1 000 000 tickets
TAB_TICKETS = 50
VIEW_EVENTS, VIEW_FILES = 60, 5
YEARS = 10
EVENTS_PER_TICKET = 6

FIRST = [
    "Camille",
    "Léa",
    "Hugo",
    "Chloé",
    "Louis",
    "Emma",
    "Jules",
    "Inès",
    "Arthur",
    "Manon",
    "Nathan",
    "Sarah",
    "Lucas",
    "Jade",
]
LAST = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
]
# Plain words only (no hyphen or apostrophe): the database's to_tsvector then splits
# them exactly as models/search/text.py would.
WORDS = [
    "imprimante",
    "réseau",
    "wifi",
    "messagerie",
    "mot",
    "passe",
    "compte",
    "inscription",
    "salle",
    "vidéoprojecteur",
    "badge",
    "accès",
    "logiciel",
    "licence",
    "ordinateur",
    "portable",
    "écran",
    "clavier",
    "bureau",
    "chauffage",
    "fuite",
    "serrure",
    "ascenseur",
    "bibliothèque",
    "emprunt",
    "scolarité",
    "diplôme",
    "relevé",
    "notes",
    "bourse",
    "paiement",
    "facture",
    "commande",
    "livraison",
    "téléphone",
    "visioconférence",
    "moodle",
    "serveur",
    "sauvegarde",
    "virus",
    "certificat",
    "connexion",
    "lenteur",
    "panne",
    "erreur",
    "installation",
    "mise",
    "jour",
    "demande",
    "urgente",
]
SERVICE_NAMES = [
    "INFORMATIQUE",
    "SCOLARITE",
    "BIBLIOTHEQUE",
    "PATRIMOINE",
    "RH",
    "FINANCES",
    "RECHERCHE",
    "INTERNATIONAL",
    "COMMUNICATION",
    "LOGISTIQUE",
]

FINAL = (("approved", 0.70), ("expired", 0.20), ("cancelled", 0.05), ("refused", 0.05))
OPEN = (
    ("free", 0.30),
    ("in_progress", 0.40),
    ("incomplete", 0.10),
    ("postponed", 0.05),
    ("closed", 0.15),
)
RECENT_SHARE = 0.03  # the latest tickets are still open


def zipf_weights(n: int, s: float = 1.1) -> list[float]:
    return list(itertools.accumulate(1 / (rank**s) for rank in range(1, n + 1)))


def sentence(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choices(WORDS, k=rng.randint(low, high)))


def ts(value: datetime) -> str:
    return value.isoformat()


class Generator:
    def __init__(self, tickets: int, seed: int, users: int | None = None):
        self.rng = random.Random(seed)
        self.tickets = tickets
        self.users = users or max(2_000, tickets // 10)
        self.now = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
        self.start = self.now - timedelta(days=365 * YEARS)
        self.fixtures: dict = {}
        self.counts: dict[str, int] = {}

    # --- people and services ------------------------------------------------------

    def user_rows(self):
        rng = self.rng
        for uid in range(1, self.users + 1):
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            login = f"u{uid:07d}"
            yield (
                uid,
                login,
                name,
                f"{login}@univ-bench.fr",
                "fr",
                "{}",
                "{}",
                False,
                ts(self.start),
            )

    def plan_people(self):
        # ids 1..DEPARTMENTS*MANAGERS are managers; the next ones are the planted users.
        self.managers = {
            dept: [
                (dept - 1) * MANAGERS_PER_DEPARTMENT + k + 1 for k in range(MANAGERS_PER_DEPARTMENT)
            ]
            for dept in range(1, DEPARTMENTS + 1)
        }
        planted = DEPARTMENTS * MANAGERS_PER_DEPARTMENT
        self.tab_user, self.view_owner = planted + 1, planted + 2
        self.requesters_from = planted + 3
        self.fixtures.update(
            manager_uid=f"u{self.managers[1][0]:07d}",
            tab_uid=f"u{self.tab_user:07d}",
            view_owner_uid=f"u{self.view_owner:07d}",
        )

    def department_rows(self):
        for dept in range(1, DEPARTMENTS + 1):
            label = f"{SERVICE_NAMES[(dept - 1) % len(SERVICE_NAMES)]}-{dept:02d}"
            yield (dept, label, label.title(), "", dept, True, 3, "private", "nobody", 14, False)

    def category_rows(self):
        self.leaves: list[tuple[int, int]] = []  # (category id, department id)
        cid = 0
        for dept in range(1, DEPARTMENTS + 1):
            for root in range(2):
                cid += 1
                root_id = cid
                yield (cid, dept, None, f"Domaine {root + 1}", "", root, False)
                for leaf in range(4):
                    cid += 1
                    self.leaves.append((cid, dept))
                    yield (
                        cid,
                        dept,
                        root_id,
                        sentence(self.rng, 1, 2).capitalize(),
                        "",
                        leaf,
                        False,
                    )

    def manager_rows(self):
        row = 0
        for dept, users in self.managers.items():
            for position, user_id in enumerate(users):
                row += 1
                yield (row, dept, user_id, position)

    # --- tickets and their history ------------------------------------------------

    def ticket_plan(self):
        """Owner, category and status of each ticket, Zipf-skewed, with the planted ones."""
        rng, n = self.rng, self.tickets
        requesters = range(self.requesters_from, self.users + 1)
        owners = rng.choices(requesters, cum_weights=zipf_weights(len(requesters)), k=n)
        rng.shuffle(self.leaves)  # which categories are popular: random, but seeded
        other_leaves = [leaf for leaf in self.leaves if leaf[1] != 1]
        queue_leaves = [leaf for leaf in self.leaves if leaf[1] == 1]
        leaves = rng.choices(other_leaves, cum_weights=zipf_weights(len(other_leaves)), k=n)
        queue_every = round(1 / QUEUE_SHARE)
        for i in range(0, n, queue_every):
            leaves[i] = rng.choice(queue_leaves)
        tab_every = max(1, n // TAB_TICKETS)
        for i in range(3, n, tab_every):
            owners[i] = self.tab_user
        self.view_ticket = (n // 2) // queue_every * queue_every + 1  # in the measured service
        owners[self.view_ticket - 1] = self.view_owner
        self.fixtures.update(
            view_ticket=self.view_ticket,
            queue_department=1,
            new_ticket_category=queue_leaves[0][0],
            tab_tickets=sum(1 for owner in owners if owner == self.tab_user),
            queue_tickets=sum(1 for leaf in leaves if leaf[1] == 1),
        )
        return owners, leaves

    def status_of(self, i: int) -> str:
        pool = OPEN if i >= self.tickets * (1 - RECENT_SHARE) else FINAL
        value, acc = self.rng.random(), 0.0
        for status, share in pool:
            acc += share
            if value < acc:
                return status
        return pool[-1][0]

    def history(self, ticket_id, owner, manager, final, created, count):
        """(kind, author, actor, message, status_before, status_after, manager before/after)
        of a plausible history of ``count`` entries ending in ``final``."""
        rng = self.rng
        steps = [("create", owner, "owner", sentence(rng, 8, 30), None, "free", None, None)]
        if final == "free":
            steps += [
                ("comment", owner, "owner", sentence(rng, 5, 25), "free", "free", None, None)
                for _ in range(count - 1)
            ]
            return steps
        steps.append(("take", manager, "ticket_manager", "", "free", "in_progress", None, manager))
        closing = {
            "approved": [("close", "closed"), ("approve_closure", "approved")],
            "expired": [("close", "closed"), ("expire", "expired")],
            "closed": [("close", "closed")],
            "cancelled": [("cancel", "cancelled")],
            "refused": [("refuse", "refused")],
            "incomplete": [("request_information", "incomplete")],
            "postponed": [("postpone", "postponed")],
        }.get(final, [])
        middle = max(0, count - len(steps) - len(closing))
        for k in range(middle):
            by_owner = k % 2 == 1
            steps.append(
                (
                    "comment",
                    owner if by_owner else manager,
                    "owner" if by_owner else "ticket_manager",
                    sentence(rng, 5, 25),
                    "in_progress",
                    "in_progress",
                    None,
                    None,
                )
            )
        status = "in_progress"
        for kind, after in closing:
            author, actor = manager, "ticket_manager"
            if kind == "approve_closure":
                author, actor = owner, "owner"
            elif kind == "expire":
                author, actor = None, "application"
            message = sentence(rng, 3, 12) if kind in ("close", "request_information") else ""
            steps.append((kind, author, actor, message, status, after, None, None))
            status = after
        return steps

    def load_tickets(self, url: str):
        rng, n = self.rng, self.tickets
        owners, leaves = self.ticket_plan()
        span = (self.now - self.start).total_seconds()
        event_id = attachment_id = 0
        ticket_cols = [
            "id",
            "subject",
            "owner_id",
            "creator_id",
            "manager_id",
            "department_id",
            "category_id",
            "status",
            "priority",
            "scope",
            "origin",
            "created_at",
            "last_action_at",
            "reaction_seconds",
            "resolution_seconds",
            "recall_at",
            "version",
        ]
        event_cols = [
            "id",
            "ticket_id",
            "kind",
            "author_id",
            "actor",
            "message",
            "scope",
            "created_at",
            "status_before",
            "status_after",
            "manager_id_before",
            "manager_id_after",
            "attachment_id",
        ]
        file_cols = [
            "id",
            "ticket_id",
            "original_name",
            "size",
            "media_type",
            "sha256",
            "storage_key",
            "author_id",
            "scope",
            "created_at",
        ]
        planted_files = self.planted_files()
        # One connection per table: a connection carries one COPY at a time.
        with (
            loading(url) as tconn,
            loading(url) as econ,
            loading(url) as fconn,
            tconn.cursor().copy(f"COPY tickets ({', '.join(ticket_cols)}) FROM STDIN") as tickets,
            econ.cursor().copy(
                f"COPY ticket_events ({', '.join(event_cols)}) FROM STDIN"
            ) as events,
            fconn.cursor().copy(f"COPY attachments ({', '.join(file_cols)}) FROM STDIN") as files,
        ):
            for i in range(n):
                ticket_id = i + 1
                owner = owners[i]
                category, dept = leaves[i]
                created = self.start + timedelta(seconds=span * (i + rng.random()) / n)
                status = self.status_of(i)
                manager = None if status == "free" else rng.choice(self.managers[dept])
                planted = ticket_id == self.view_ticket
                count = (
                    VIEW_EVENTS - VIEW_FILES
                    if planted
                    else max(2, round(rng.expovariate(1 / 3.6))) + 2
                )
                steps = self.history(ticket_id, owner, manager, status, created, count)
                when = created
                gaps = self.now - created
                step_gap = min(gaps / (len(steps) + 1), timedelta(days=3))
                uploads = planted_files if planted else []
                if not planted and rng.random() < 0.02:
                    uploads = [self.fake_file(ticket_id)]
                for k, (
                    kind,
                    author,
                    actor,
                    message,
                    before,
                    after,
                    m_before,
                    m_after,
                ) in enumerate(steps):
                    event_id += 1
                    events.write_row(
                        (event_id, ticket_id, kind, author, actor, message, "default",
                         when, before, after, m_before, m_after, None)
                    )  # fmt: skip
                    if k == 0:
                        for name, size, media, digest, key in uploads:
                            attachment_id += 1
                            event_id += 1
                            files.write_row(
                                (attachment_id, ticket_id, name, size, media, digest, key,
                                 owner, "default", when)
                            )  # fmt: skip
                            events.write_row(
                                (event_id, ticket_id, "upload", owner, "owner", "", "default",
                                 when, "free", "free", None, None, attachment_id)
                            )  # fmt: skip
                    when = when + step_gap * rng.random() * 2
                tickets.write_row(
                    (
                        ticket_id,
                        sentence(rng, 3, 8).capitalize(),
                        owner,
                        owner,
                        manager,
                        dept,
                        category,
                        status,
                        rng.choice((2, 3, 3, 3, 4)),
                        "private",
                        "web",
                        created,
                        when,
                        None if manager is None else rng.randint(60, 86_400),
                        None if status in {s for s, _ in OPEN} else rng.randint(3_600, 2_000_000),
                        when + timedelta(days=7) if status == "postponed" else None,
                        1,
                    )
                )
                if ticket_id % 100_000 == 0:
                    print(f"  {ticket_id} tickets, {event_id} entries", flush=True)
        self.counts.update(tickets=n, ticket_events=event_id, attachments=attachment_id)

    def fake_file(self, ticket_id):
        name = f"capture_{ticket_id}.png"
        key = hashlib.md5(name.encode()).hexdigest()  # noqa: S324 (a name, not a secret)
        return (name, self.rng.randint(10_000, 900_000), "image/png", "0" * 64, key)

    def planted_files(self):
        """The 5 real files of the measured ticket, in the bench's attachments folder."""
        files = []
        for k in range(VIEW_FILES):
            content = f"Fichier {k + 1} du ticket de mesure.\n".encode() * 40
            key = hashlib.sha256(b"bench-file-%d" % k).hexdigest()[:32]
            path = DATA_DIR / "attachments" / key[:2] / key
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
            digest = hashlib.sha256(content).hexdigest()
            files.append((f"document_{k + 1}.txt", len(content), "text/plain", digest, key))
        return files


# --- database plumbing ---------------------------------------------------------------


def recreate_database(name: str) -> str:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"{SERVER}/{name}"
    env = os.environ | {"DATABASE_URL": url, "ASSISTANCE_DATA_DIR": str(DATA_DIR / "instance")}
    assistance = Path(sys.executable).with_name("assistance")
    subprocess.run([str(assistance), "db", "upgrade"], env=env, check=True, cwd=PROJECT)
    return url


def drop_secondary_indexes(conn) -> list[str]:
    """Indexes not backing a constraint, to build once after COPY rather than row by row."""
    rows = conn.execute(
        """SELECT i.indexname, i.indexdef FROM pg_indexes i
           WHERE i.schemaname = 'public' AND i.tablename = ANY(%s)
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)""",
        (list(BIG_TABLES),),
    ).fetchall()
    for name, _ in rows:
        conn.execute(f'DROP INDEX "{name}"')
    return [definition for _, definition in rows]


# The same documents as models/search/columns.py: a weighted tsvector of the words
# (the generated words need none of text.py's splitting), computed as rows arrive.
SEARCH_TRIGGERS = """
CREATE FUNCTION bench_ticket_terms() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.search_terms := setweight(to_tsvector('assistance_french', NEW.subject), 'A');
RETURN NEW; END $$;
CREATE FUNCTION bench_event_terms() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.search_terms := setweight(to_tsvector('assistance_french', NEW.message), 'D');
RETURN NEW; END $$;
CREATE TRIGGER bench_terms BEFORE INSERT ON tickets
  FOR EACH ROW EXECUTE FUNCTION bench_ticket_terms();
CREATE TRIGGER bench_terms BEFORE INSERT ON ticket_events
  FOR EACH ROW WHEN (NEW.message <> '') EXECUTE FUNCTION bench_event_terms();
ALTER TABLE tickets ENABLE ALWAYS TRIGGER bench_terms;
ALTER TABLE ticket_events ENABLE ALWAYS TRIGGER bench_terms;
"""
DROP_SEARCH_TRIGGERS = """
DROP TRIGGER bench_terms ON tickets; DROP TRIGGER bench_terms ON ticket_events;
DROP FUNCTION bench_ticket_terms(); DROP FUNCTION bench_event_terms();
"""
# An entry that attached a file is found by the file's name too (models/search/upkeep.py),
# split into words as text.spaced_words splits it (« document_1.txt » → document 1 txt).
FILE_TERMS = r"""
UPDATE ticket_events e SET search_terms = setweight(to_tsvector('assistance_french',
       regexp_replace(concat_ws(' ', nullif(e.message, ''), a.original_name), '[\W_]+', ' ',
                      'g')), 'D')
FROM attachments a WHERE a.id = e.attachment_id
"""


def loading(url: str) -> psycopg.Connection:
    """A connection for bulk loading: no foreign-key check per row (the rows are
    consistent by construction), the search triggers still on (ENABLE ALWAYS)."""
    conn = psycopg.connect(url)
    conn.execute("SET session_replication_role = replica")
    return conn


def copy_rows(conn, table: str, columns: str, rows) -> int:
    count = 0
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def generate(tickets: int, seed: int, database: str, users: int | None = None) -> dict:
    started = time.monotonic()
    url = recreate_database(database)
    gen = Generator(tickets, seed, users)
    gen.plan_people()
    with loading(url) as conn:
        indexes = drop_secondary_indexes(conn)
        conn.execute(SEARCH_TRIGGERS)
        gen.counts["users"] = copy_rows(
            conn,
            "users",
            "id, uid, display_name, email, language, preferences, attributes, is_admin, created_at",
            gen.user_rows(),
        )
        copy_rows(
            conn,
            "departments",
            "id, label, title, description, position, is_enabled, default_priority, "
            "default_scope, assignment_algorithm, expiry_days, spent_time_required",
            gen.department_rows(),
        )
        gen.counts["categories"] = copy_rows(
            conn,
            "categories",
            "id, department_id, parent_id, label, description, position, accepts_tickets",
            gen.category_rows(),
        )
        gen.counts["department_managers"] = copy_rows(
            conn, "department_managers", "id, department_id, user_id, position", gen.manager_rows()
        )
        conn.commit()  # the other connections need the dropped indexes and triggers
    loaded = time.monotonic()
    gen.load_tickets(url)
    print(f"  COPY done in {time.monotonic() - loaded:.0f} s", flush=True)
    with loading(url) as conn:
        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute(DROP_SEARCH_TRIGGERS)
        conn.execute(FILE_TERMS)
        indexed = time.monotonic()
        for definition in indexes:
            conn.execute(definition)
        print(f"  indexes built in {time.monotonic() - indexed:.0f} s", flush=True)
        for table in ("users", "departments", "categories", "department_managers", *BIG_TABLES):
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
    gen.fixtures.update(
        database=database,
        url=url,
        seed=seed,
        counts=gen.counts,
        attachments_dir=str(DATA_DIR / "attachments"),
        seconds=round(time.monotonic() - started, 1),
    )
    DATA_DIR.mkdir(exist_ok=True)
    (DATA_DIR / f"fixtures-{database}.json").write_text(json.dumps(gen.fixtures, indent=2))
    return gen.fixtures


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, help="default: tickets / 10, at least 2 000")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--database", default="assistance_bench")
    args = parser.parse_args(argv)
    fixtures = generate(args.tickets, args.seed, args.database, args.users)
    print(json.dumps(fixtures["counts"]), f"in {fixtures['seconds']} s")


if __name__ == "__main__":
    main()
