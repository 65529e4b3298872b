"""Measure Assistance's main views against the framework floor, on one generated database.

    python -m bench.run --database assistance_bench [--seconds 10]

Both apps are served by the same gunicorn configuration; wrk drives them from its own
process on loopback. Users are signed in without CAS: a login session is written as a
CAS login would write it (models/logins.py) and the Flask session cookie signed with
the app's key. Then each view's queries are counted and explained in-process, and
the mail worker drains a backlog of pending mails to a local aiosmtpd server.
Results go to bench/data/results-<database>.json; bench/report.py writes REPORT.md.

With ``--peer``, django-helpdesk (bench/peer/, its own virtualenv bench/.peer-venv)
is served from the database bench/peer/load.py filled with the same tickets
(``<database>_peer``), under the same gunicorn configuration, and its ticket list and
ticket view are measured beside our queue and ticket view, in the same minutes.
``--peer-only`` does just that and adds it to an existing results file.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager, suppress
from pathlib import Path

import sqlalchemy as sa

BENCH_DIR = Path(__file__).resolve().parent
PROJECT = BENCH_DIR.parent
DATA_DIR = BENCH_DIR / "data"
PLANS_DIR = BENCH_DIR / "plans"
# Slow views are measured, not cut short: the worker timeout is raised from 30 s.
GUNICORN = ["--workers", "2", "--worker-class", "sync", "--timeout", "300", "--bind"]
BIG_TABLES = ("tickets", "ticket_events", "attachments", "users", "outbox")
SEARCH_WORDS = "imprimante"
PEER_BIN = BENCH_DIR / ".peer-venv" / "bin"
# What DataTables sends on the list's first draw (ticket_list.html: server-side
# processing, no initial order, the user's 25 rows a page), then a cache-buster.
PEER_COLUMNS = (
    "id",
    "ticket",
    "priority",
    "queue",
    "status",
    "created",
    "due_date",
    "assigned_to",
    "submitter",
    "last_followup",
    "kbitem",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_env(fixtures: dict) -> dict:
    return os.environ | {
        "DATABASE_URL": fixtures["url"],
        "ASSISTANCE_DATA_DIR": str(DATA_DIR / "instance"),
        "ASSISTANCE_ATTACHMENTS_DIR": fixtures["attachments_dir"],
        "ASSISTANCE_SECRET_KEY": "bench-secret-key-not-for-production",
        "ASSISTANCE_MAIL_DELIVERY": "worker",  # the web processes never send
        "ASSISTANCE_PUBLIC_URL": "http://127.0.0.1",
    }


@contextmanager
def served(target: str, env: dict, gunicorn: Path | None = None):
    port = free_port()
    gunicorn = gunicorn or Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), *GUNICORN, f"127.0.0.1:{port}", target],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except urllib.error.HTTPError:
                break  # it answers
            except OSError:
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def make_app(fixtures: dict):
    for key, value in app_env(fixtures).items():
        os.environ[key] = value
    from portlet.app import create_app

    return create_app()


def signed_cookie(app, uid: str) -> str:
    """The session cookie of a fresh CAS-less login of ``uid``."""
    from models import db
    from models.logins import sign_in

    with app.app_context():
        login = sign_in(db.session, uid, {}, ticket=f"ST-bench-{secrets.token_hex(12)}")
        db.session.commit()
        value = app.session_interface.get_signing_serializer(app).dumps({"login": login.id})
    return f"{app.config['SESSION_COOKIE_NAME']}={value}"


def creation_form(base: str, cookie: str, category: int) -> tuple[str, str]:
    """GET step 2 of « Ajouter un ticket »: the cookie (with its CSRF secret) and the
    form body to POST, with DRAFT where each request puts a fresh draft."""
    request = urllib.request.Request(f"{base}/tickets/new?category={category}")
    request.add_header("Cookie", cookie)
    with urllib.request.urlopen(request) as response:
        page = response.read().decode()
        new_cookie = response.headers.get("Set-Cookie", "").split(";")[0] or cookie
    token = re.search(r'name="hd-csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="hd-csrf_token"', page
    )
    body = urllib.parse.urlencode(
        {
            "hd-csrf_token": token.group(1),
            "hd-category": str(category),
            "hd-draft": "DRAFT",
            "hd-subject": "Imprimante du bureau 204 en panne",
            "hd-message": "Elle affiche une erreur de papier depuis ce matin.",
            "hd-priority": "3",
            "hd-scope": "private",
            "hd-create": "Créer",
        }
    )
    return new_cookie, body


def views(fixtures: dict) -> dict[str, tuple[str, str]]:
    """What is measured: name -> (path, who asks)."""
    return {
        "tab": ("/dashboard?view=mine&status=any", "tab_uid"),
        "ticket": (f"/tickets/{fixtures['view_ticket']}", "manager_uid"),
        "queue": (
            f"/dashboard?view=services&department={fixtures['queue_department']}"
            "&status=open&involvement=any",
            "manager_uid",
        ),
        "search": (f"/search?q={SEARCH_WORDS}", "manager_uid"),
        "new_form": (f"/tickets/new?category={fixtures['new_ticket_category']}", "tab_uid"),
        "create": ("/tickets/new", "tab_uid"),
    }


def wrk(url: str, seconds: int, cookie: str = "", body: str | None = None) -> dict:
    env = os.environ | {"BENCH_COOKIE": cookie}
    if body is not None:
        env["BENCH_BODY"] = body
    command = ["wrk", "-t1", "-c4", f"-d{seconds}s", "--timeout", "10s"]
    command += ["-s", str(BENCH_DIR / "wrk.lua"), url]
    output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    result = json.loads(output.split("BENCH ", 1)[1])
    result["rps"] = round(result["requests"] / result["seconds"], 1)
    return result


# Each view is measured in this many windows; the window with the median p95 is kept.
# One window on 2 shared cores can catch a hiccup (a checkpoint, the OS) that moves a
# p95 by half; the median of three does not, and says how far apart they were.
WINDOWS = 3


def median_window(url: str, seconds: int, cookie: str = "", body: str | None = None) -> dict:
    windows = sorted(
        (wrk(url, seconds, cookie, body) for _ in range(WINDOWS)), key=lambda r: r["p95_ms"]
    )
    kept = windows[len(windows) // 2]
    return kept | {"p95_windows_ms": [window["p95_ms"] for window in windows]}


def settle(base: str, limit: float = 120) -> None:
    """Wait until the workers are done with the requests wrk left queued, so that a
    slow view does not slow the next one down."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        started = time.monotonic()
        with suppress(OSError):
            urllib.request.urlopen(f"{base}/healthz", timeout=limit).read()
        if time.monotonic() - started < 0.2:
            return
        time.sleep(0.5)


def one_by_one(url: str, cookie: str, count: int = 2) -> list[float]:
    """Milliseconds of a few requests in a row: for a view too slow for wrk's window."""
    timings = []
    for _ in range(count):
        request = urllib.request.Request(url, headers={"Cookie": cookie})
        started = time.perf_counter()
        urllib.request.urlopen(request, timeout=300).read()
        timings.append(round((time.perf_counter() - started) * 1000, 1))
    return timings


def load(fixtures: dict, seconds: int) -> dict:
    app = make_app(fixtures)
    results = {}
    with served("bench.floor:app", os.environ.copy()) as floor:
        wrk(floor + "/", 1)  # warm up
        results["floor"] = median_window(floor + "/", seconds)
        print("  floor", results["floor"], flush=True)
    cookies = {who: signed_cookie(app, fixtures[who]) for who in ("tab_uid", "manager_uid")}
    with served("wsgi:app", app_env(fixtures)) as base:
        for name, (path, who) in views(fixtures).items():
            cookie, body = cookies[who], None
            if name == "create":
                cookie, body = creation_form(base, cookie, fixtures["new_ticket_category"])
            if body is None:
                one_by_one(base + path, cookie, 1)  # warm up
            else:
                wrk(base + path, 1, cookie, body)
            results[name] = median_window(base + path, seconds, cookie, body)
            settle(base)
            if results[name]["requests"] < 5 and body is None:
                results[name]["one_by_one_ms"] = one_by_one(base + path, cookie)
            print(f"  {name}", results[name], flush=True)
    with served("bench.floor:app", os.environ.copy()) as floor:
        results["floor_after"] = wrk(floor + "/", seconds)  # the floor did not drift
    return results


# --- queries per view, and their plans ------------------------------------------------


def explain(fixtures: dict, label: str) -> dict:
    from models import db

    app = make_app(fixtures)
    app.config["WTF_CSRF_ENABLED"] = False
    captured: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        captured.append((statement, parameters))

    out = {}
    PLANS_DIR.mkdir(exist_ok=True)
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", record)
    client = {}
    for who in ("tab_uid", "manager_uid"):
        client[who] = app.test_client()
        name, value = signed_cookie(app, fixtures[who]).split("=", 1)
        client[who].set_cookie(name, value)
    for name, (path, who) in views(fixtures).items():
        browser = client[who]
        if name == "create":
            page = browser.get(f"/tickets/new?category={fixtures['new_ticket_category']}").text
            token = re.search(r'name="hd-csrf_token"[^>]*value="([^"]+)"', page)
            data = {
                "hd-csrf_token": token.group(1) if token else "",
                "hd-category": str(fixtures["new_ticket_category"]),
                "hd-draft": "benchexplain" + secrets.token_hex(8),
                "hd-subject": "Imprimante en panne",
                "hd-message": "Erreur de papier.",
                "hd-priority": "3",
                "hd-scope": "private",
                "hd-create": "Créer",
            }
            captured.clear()
            status = browser.post(path, data=data).status_code
        else:
            browser.get(path)  # warm: first-request work is not the view's
            captured.clear()
            status = browser.get(path).status_code
        statements = list(captured)
        plans, seq_scans = [], []
        with app.app_context(), db.engine.connect() as conn:
            for number, (statement, parameters) in enumerate(statements, 1):
                head = f"-- query {number}\n{statement}\n-- parameters: {parameters!r}\n"
                if not statement.lstrip().upper().startswith("SELECT"):
                    plans.append(head + "-- (a write: not explained)\n")
                    continue
                rows = conn.exec_driver_sql(
                    "EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters
                ).all()
                plan = "\n".join(row[0] for row in rows)
                for table in BIG_TABLES:
                    if re.search(rf"Seq Scan on {table}\b", plan):
                        seq_scans.append(f"query {number}: {table}")
                plans.append(head + plan + "\n")
            conn.rollback()
        (PLANS_DIR / f"{label}-{name}.txt").write_text("\n".join(plans))
        out[name] = {"status": status, "queries": len(statements), "seq_scans": seq_scans}
        print(f"  {name}: {out[name]}", flush=True)
    return out


# --- the mail worker ------------------------------------------------------------------


class Sink:
    """An SMTP server on loopback that accepts and counts every mail."""

    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 Message accepted for delivery"


BACKLOG = """
INSERT INTO outbox (kind, event_id, ticket_id, recipient_id, reason, state, attempts,
                    next_attempt_at, created_at)
SELECT 'event', e.id, e.ticket_id, t.owner_id, 'owner', 'pending', 1, now(), now()
FROM tickets t JOIN LATERAL (SELECT id, ticket_id FROM ticket_events
                             WHERE ticket_id = t.id ORDER BY id DESC LIMIT 1) e ON true
WHERE t.id > (SELECT max(id) FROM tickets) - :mails
"""


def mail(fixtures: dict, mails: int) -> dict:
    from aiosmtpd.controller import Controller

    from models import db
    from portlet.mail.send import deliver_all_due

    sink, port = Sink(), free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    os.environ["ASSISTANCE_MAIL_SERVER"], os.environ["ASSISTANCE_MAIL_PORT"] = (
        "127.0.0.1",
        str(port),
    )
    app = make_app(fixtures)
    try:
        with app.app_context():
            db.session.execute(sa.text("DELETE FROM outbox"))
            db.session.execute(sa.text(BACKLOG), {"mails": mails})
            db.session.commit()
            started = time.perf_counter()
            report = deliver_all_due(app)
            elapsed = time.perf_counter() - started
            db.session.execute(sa.text("DELETE FROM outbox"))
            db.session.commit()
    finally:
        controller.stop()
    result = {
        "pending": mails,
        "sent": report.sent,
        "received": sink.count,
        "failed": report.failed + report.retrying,
        "seconds": round(elapsed, 2),
        "mails_per_second": round(report.sent / elapsed, 1) if elapsed else None,
    }
    print("  mail", result, flush=True)
    return result


# --- the peer: django-helpdesk on the same tickets --------------------------------------


def peer_database(fixtures: dict) -> str:
    return f"{fixtures['database']}_peer"


def peer_missing(fixtures: dict) -> str | None:
    """Why the peer cannot be measured, or None."""
    if not (PEER_BIN / "gunicorn").exists():
        return f"no {PEER_BIN.parent.relative_to(PROJECT)} (see the Makefile's bench target)"
    engine = sa.create_engine(fixtures["url"])
    try:
        with engine.connect() as conn:
            found = conn.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                {"name": peer_database(fixtures)},
            ).first()
    finally:
        engine.dispose()
    if found is None:
        return f"no database {peer_database(fixtures)} (python -m bench.peer.load)"
    return None


def peer_env(fixtures: dict) -> dict:
    return os.environ | {
        "PEER_DATABASE": peer_database(fixtures),
        "DJANGO_SETTINGS_MODULE": "bench.peer.settings",
    }


def peer_probe(fixtures: dict, paths: list[str]) -> dict:
    """A fresh session cookie of the manager, and the queries of ``paths``."""
    command = [str(PEER_BIN / "python"), "-m", "bench.peer.probe", fixtures["manager_uid"]]
    output = subprocess.run(
        command + paths,
        cwd=PROJECT,
        env=peer_env(fixtures),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def datatables_path(base: str, list_path: str, cookie: str) -> str:
    """The AJAX request that fills the list's rows, as its page's DataTables sends it."""
    request = urllib.request.Request(base + list_path, headers={"Cookie": cookie})
    with urllib.request.urlopen(request) as response:
        page = response.read().decode()
    url = re.search(r'"url":\s*"(/[^"]*datatables_ticket_list/[^"]*)"', page).group(1)
    params = {"draw": "1"}
    for number, column in enumerate(PEER_COLUMNS):
        params |= {
            f"columns[{number}][data]": column,
            f"columns[{number}][name]": "",
            f"columns[{number}][searchable]": "true",
            f"columns[{number}][orderable]": "false" if number == 0 else "true",
            f"columns[{number}][search][value]": "",
            f"columns[{number}][search][regex]": "false",
        }
    params |= {"start": "0", "length": "25", "search[value]": "", "search[regex]": "false"}
    params["_"] = str(int(time.time() * 1000))
    return f"{url}?{urllib.parse.urlencode(params)}"


def measure(base: str, path: str, cookie: str, seconds: int) -> dict:
    one_by_one(base + path, cookie, 1)  # warm up
    result = wrk(base + path, seconds, cookie)
    settle(base)
    if result["requests"] < 5:
        result["one_by_one_ms"] = one_by_one(base + path, cookie)
    return result


def peer(fixtures: dict, seconds: int) -> dict:
    """Our queue and ticket view, then django-helpdesk's list and ticket view."""
    out = {"database": peer_database(fixtures), "assistance": {}, "django_helpdesk": {}}
    loaded = DATA_DIR / f"peer-load-{peer_database(fixtures)}.json"
    if loaded.exists():
        out["load"] = json.loads(loaded.read_text())
    app = make_app(fixtures)
    cookie = signed_cookie(app, fixtures["manager_uid"])
    ours = views(fixtures)
    with served("wsgi:app", app_env(fixtures)) as base:
        for name in ("queue", "ticket"):
            out["assistance"][name] = measure(base, ours[name][0], cookie, seconds)
            print(f"  assistance {name}", out["assistance"][name], flush=True)
    paths = {
        "list": f"/helpdesk/tickets/?queue={fixtures['queue_department']}&status=1&status=2",
        "ticket": f"/helpdesk/tickets/{fixtures['view_ticket']}/",
    }
    probe = peer_probe(fixtures, [])
    with served("bench.peer.wsgi:application", peer_env(fixtures), PEER_BIN / "gunicorn") as base:
        paths["list_data"] = datatables_path(base, paths["list"], probe["cookie"])
        for name in ("list", "list_data", "ticket"):
            result = measure(base, paths[name], probe["cookie"], seconds)
            out["django_helpdesk"][name] = result
            print(f"  django-helpdesk {name}", result, flush=True)
    probe = peer_probe(fixtures, list(paths.values()))
    out["paths"] = paths
    out["queries"] = {name: probe["views"][path] for name, path in paths.items()}
    out["versions"] = probe["versions"]
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="assistance_bench")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--mails", type=int, default=10_000)
    parser.add_argument("--label", help="names the plans and results (default: the database)")
    parser.add_argument(
        "--peer", action="store_true", help="also measure django-helpdesk, if it is loaded"
    )
    parser.add_argument(
        "--peer-only",
        action="store_true",
        help="measure django-helpdesk only, into results-<label>.json if it exists",
    )
    args = parser.parse_args(argv)
    fixtures = json.loads((DATA_DIR / f"fixtures-{args.database}.json").read_text())
    label = args.label or args.database
    missing = peer_missing(fixtures) if args.peer or args.peer_only else "not asked"
    if missing and (args.peer or args.peer_only):
        print(f"django-helpdesk not measured: {missing}", flush=True)
    if args.peer_only:
        if missing:
            sys.exit(1)
        # Into the run's results when there is one; else on their own, for a look
        # (bench/report.py reads only results-*.json).
        path = DATA_DIR / f"results-{label}.json"
        if not path.exists():
            path = DATA_DIR / f"peer-results-{label}.json"
        results = json.loads(path.read_text()) if path.exists() else {"fixtures": fixtures}
        print(f"django-helpdesk on {peer_database(fixtures)}", flush=True)
        results["peer"] = peer(fixtures, args.seconds)
        path.write_text(json.dumps(results, indent=2))
        print(f"wrote {path}", flush=True)
        return
    print(f"Load on {args.database} ({fixtures['counts']['tickets']} tickets)", flush=True)
    results = {"fixtures": fixtures, "load_average_before": os.getloadavg()}
    results["load"] = load(fixtures, args.seconds)
    print("Queries and plans", flush=True)
    results["queries"] = explain(fixtures, label)
    print("Mail worker", flush=True)
    results["mail"] = mail(fixtures, args.mails)
    if args.peer and not missing:
        print(f"django-helpdesk on {peer_database(fixtures)}", flush=True)
        results["peer"] = peer(fixtures, args.seconds)
    results["load_average_after"] = os.getloadavg()
    (DATA_DIR / f"results-{label}.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    asyncio.set_event_loop_policy(None)
    main()
