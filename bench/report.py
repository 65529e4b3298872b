"""Write bench/REPORT.md from the results of bench/run.py (bench/data/results-*.json).

The largest run is the report's subject; when a « small » run (10 000 tickets) is
there too, each view's p95 at the large scale is divided by its p95 at the small one.
Runs made with ``--peer`` also compare our queue and ticket view with django-helpdesk's
ticket list and ticket view on the same tickets (target: ≥ 5 × its throughput).
"""

from __future__ import annotations

import json
import platform
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
DATA_DIR = BENCH_DIR / "data"
VIEWS = {
    "tab": "Assistance tab (a requester's 50 tickets, all statuses)",
    "ticket": "Ticket view (60 history entries, 5 files), as its manager",
    "queue": "Manager queue, first page (a service with 2 % of all tickets)",
    "search": "Search (« imprimante », as a manager)",
    "new_form": "Add-ticket form (GET, step 2)",
    "create": "Ticket creation (POST, then 303)",
}
TARGET_SHARE, TARGET_SCALE, TARGET_MAILS, TARGET_PEER = 0.5, 1.3, 200, 5.0
PEER_VIEWS = {
    "list": "Ticket list page, one queue's open tickets (`/helpdesk/tickets/?queue=…`)",
    "list_data": "Its rows: the DataTables AJAX request (`datatables_ticket_list`, 25 rows)",
    "ticket": "Ticket view, the same ticket, as staff (`/helpdesk/tickets/<id>/`)",
}


def load_results() -> dict[str, dict]:
    found = {}
    for path in sorted(DATA_DIR.glob("results-*.json")):
        found[path.stem.removeprefix("results-")] = json.loads(path.read_text())
    return found


def tickets(result: dict) -> int:
    return result["fixtures"]["counts"]["tickets"]


def p95(view: dict) -> float:
    """wrk's p95, or the slowest of the one-by-one timings when wrk got too few."""
    if view["requests"] < 5 and view.get("one_by_one_ms"):
        return max(view["one_by_one_ms"])
    return view["p95_ms"]


def throughput(view: dict) -> float:
    """wrk's requests/s, or one request at a time's when wrk got too few."""
    if view["requests"] < 5 and view.get("one_by_one_ms"):
        timings = view["one_by_one_ms"]
        return round(1000 * len(timings) / sum(timings), 2)
    return view["rps"]


def latency(view: dict) -> str:
    if view["requests"] < 5:
        slow = view.get("one_by_one_ms") or []
        return f"{'; '.join(map(str, slow)) or 'n/a'} (one by one) | — | —"
    return f"{view['p50_ms']} | {view['p95_ms']} | {view['p99_ms']}"


def render_peer(label: str, result: dict, missed: list[str]) -> list[str]:
    """django-helpdesk against our queue and ticket view, measured in the same minutes."""
    peer = result["peer"]
    ours, theirs = peer["assistance"], peer["django_helpdesk"]
    versions = peer.get("versions", {})
    loaded = peer.get("load")
    lines = [
        "",
        f"### « {label} »: {tickets(result):,} tickets",
        "",
        f"django-helpdesk {versions.get('django-helpdesk', '?')} (Django "
        f"{versions.get('django', '?')}) on `{peer['database']}`"
        + (
            f", loaded by `bench/peer/load.py` in {loaded['seconds']:.0f} s "
            f"({loaded['counts']['helpdesk_ticket']:,} tickets, "
            f"{loaded['counts']['helpdesk_followup']:,} follow-ups, "
            f"{loaded['counts']['auth_user']:,} users)."
            if loaded
            else "."
        ),
        "",
        "| App | View | req/s | p50 ms | p95 ms | p99 ms | queries |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for name, title in (("queue", VIEWS["queue"]), ("ticket", VIEWS["ticket"])):
        queries = result.get("queries", {}).get(name, {}).get("queries", "—")
        lines.append(
            f"| Assistance | {title} | {ours[name]['rps']} | {latency(ours[name])} | {queries} |"
        )
    for name, title in PEER_VIEWS.items():
        queries = peer.get("queries", {}).get(name, {}).get("queries", "—")
        lines.append(
            f"| django-helpdesk | {title} | {theirs[name]['rps']} | {latency(theirs[name])} | "
            f"{queries} |"
        )
    page, data = throughput(theirs["list"]), throughput(theirs["list_data"])
    whole = 1 / (1 / page + 1 / data) if page and data else 0
    pairs = [
        ("Queue vs list (page + its rows)", throughput(ours["queue"]), whole),
        ("Queue vs list page alone", throughput(ours["queue"]), page),
        ("Ticket vs ticket view", throughput(ours["ticket"]), throughput(theirs["ticket"])),
    ]
    lines += [
        "",
        "| Comparison | Assistance req/s | django-helpdesk req/s | ratio | target ≥ 5 × |",
        "|---|---:|---:|---:|---|",
    ]
    for number, (title, mine, other) in enumerate(pairs):
        ratio = mine / other if other else float("inf")
        verdict = "met" if ratio >= TARGET_PEER else "missed"
        if number == 1:
            verdict = "for reference: the page without its rows"
        elif ratio < TARGET_PEER:
            missed.append(f"{title} at {tickets(result):,} tickets: × {ratio:.2f} (target ≥ 5)")
        lines.append(f"| {title} | {mine} | {other:.1f} | × {ratio:.2f} | {verdict} |")
    return lines


def render(results: dict[str, dict]) -> str:
    label, main = max(results.items(), key=lambda item: tickets(item[1]))
    small = next(
        (r for name, r in results.items() if name != label and tickets(r) < tickets(main)), None
    )
    counts, load = main["fixtures"]["counts"], main["load"]
    floor = load["floor"]["rps"]
    lines = [
        "# Benchmarks",
        "",
        f"Written by `bench/report.py` from the run « {label} »: **{tickets(main):,} tickets**, "
        f"{counts['ticket_events']:,} history entries, {counts['users']:,} users, "
        f"{counts['categories']} categories, {counts['attachments']:,} attachments "
        f"(generated in {main['fixtures']['seconds']:.0f} s, seed {main['fixtures']['seed']}).",
        f"Machine: {platform.machine()}, Python {sys.version.split()[0]}; load average "
        f"{main['load_average_before'][0]:.1f} before the run and "
        f"{main['load_average_after'][0]:.1f} after it (2 cores).",
        "",
        "Every app is served by gunicorn (2 sync workers); wrk (1 thread, 4 connections) "
        "drives it from its own process on loopback. The floor is a bare Flask route "
        "rendering a small Jinja2 template (`bench/floor.py`) under the same configuration. "
        "The floor and each of our views are measured in three windows; the table shows "
        "the window with the median p95, and the three p95s are in the results' JSON "
        "(`p95_windows_ms`).",
        "",
        "## Throughput and latency",
        "",
        f"Floor: {floor} requests/s before the views, {load['floor_after']['rps']} after them.",
        "",
        "| View | req/s | share of floor | p50 ms | p95 ms | p99 ms | queries | seq scans "
        "on big tables |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    missed = []
    for name, title in VIEWS.items():
        view, queries = load[name], main["queries"][name]
        share = view["rps"] / floor if floor else 0
        if share < TARGET_SHARE:
            missed.append(f"{title}: {share:.1%} of the floor (target ≥ 50 %)")
        if queries["seq_scans"]:
            missed.append(f"{title}: sequential scans ({', '.join(queries['seq_scans'])})")
        errors = view["non_2xx_3xx"] + view["socket_errors"]
        latency = f"{view['p50_ms']} | {view['p95_ms']} | {view['p99_ms']}"
        if view["requests"] < 5:  # too slow for wrk's window: timed one by one instead
            slow = view.get("one_by_one_ms") or []
            latency = f"{'; '.join(map(str, slow)) or 'n/a'} (one by one) | — | —"
        lines.append(
            f"| {title} | {view['rps']} | {share:.1%} | {latency} | {queries['queries']} | "
            f"{', '.join(queries['seq_scans']) or 'none'}"
            f"{f' ({errors} errors)' if errors else ''} |"
        )
    lines += ["", "## Scale", ""]
    if small is not None:
        lines += [
            f"p95 at {tickets(main):,} tickets divided by p95 at {tickets(small):,} "
            "(target ≤ 1.3):",
            "",
            "| View | p95 small ms | p95 large ms | ratio |",
            "|---|---:|---:|---:|",
        ]
        for name, title in VIEWS.items():
            low, high = p95(small["load"][name]), p95(load[name])
            ratio = high / low if low else float("inf")
            if ratio > TARGET_SCALE:
                missed.append(f"{title}: p95 × {ratio:.2f} from the small scale (target ≤ 1.3)")
            lines.append(f"| {title} | {low} | {high} | {ratio:.2f} |")
    else:
        lines.append("Only one scale was run: no p95 ratio.")
    mail = main["mail"]
    lines += [
        "",
        "## Mail worker",
        "",
        f"{mail['pending']:,} pending mails (one per ticket, as after an outage) drained by "
        f"`deliver_all_due` to a local aiosmtpd server in {mail['seconds']} s: "
        f"**{mail['mails_per_second']} mails/s** ({mail['sent']} sent, {mail['received']} "
        f"received, {mail['failed']} failed). At that rate 10 000 pending mails take "
        f"{10_000 / mail['mails_per_second']:.0f} s."
        if mail["mails_per_second"]
        else "",
    ]
    if (mail["mails_per_second"] or 0) < TARGET_MAILS:
        missed.append(f"Mail worker: {mail['mails_per_second']} mails/s (target ≥ 200)")
    peers = sorted(
        ((name, r) for name, r in results.items() if "peer" in r), key=lambda i: tickets(i[1])
    )
    lines += [
        "",
        "## django-helpdesk (the peer)",
        "",
    ]
    if peers:
        lines += [
            "django-helpdesk (from PyPI, in its own virtualenv `bench/.peer-venv`; "
            "`bench/peer/`) is served from its own PostgreSQL database holding the same "
            "users, queues (one per service), tickets and messages (one follow-up per "
            "history entry with a message), by the same gunicorn configuration and wrk, "
            "in the same minutes as our queue and ticket view, both signed in as the "
            "same manager (staff for django-helpdesk, with a Django session cookie). "
            "Its ticket list page is a shell: its rows come from a second, AJAX request "
            "(DataTables, `datatables_ticket_list`), measured too; a list as a manager "
            "sees it costs both, so its throughput is 1 / (1 / page + 1 / rows). The list "
            "measured is the one its reports page links to for a queue "
            "(`?queue=<id>&status=1&status=2`: open and reopened tickets, by creation "
            "date); its default list, with no filter, is the same page over every queue. "
            "It shows 25 rows a page (its default), ours 20. Settings are django-helpdesk's "
            "defaults but for persistent database connections, teams off, and « assign "
            "to » lists limited to staff (`bench/peer/settings.py`).",
        ]
        for name, result in peers:
            lines += render_peer(name, result, missed)
    else:
        lines.append(
            "Not measured in these runs (`python -m bench.peer.load`, then "
            "`python -m bench.run --peer`): the « ≥ 5 × django-helpdesk » target is open."
        )
    lines += ["", "## Targets", ""]
    lines += [f"- Missed: {item}" for item in missed] or ["- All measured targets met."]
    lines += [
        "",
        "## Plans",
        "",
        f"`EXPLAIN (ANALYZE, BUFFERS)` of every SELECT each view runs: `bench/plans/{label}-"
        "<view>.txt` (writes are listed, not explained). Seq scans are flagged on tickets, "
        "ticket_events, attachments, users and outbox.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    results = load_results()
    if not results:
        sys.exit("no results: run `python -m bench.run` first")
    notes = BENCH_DIR / "NOTES.md"
    text = render(results)
    if notes.exists():  # what a person observed about this run, kept across runs
        text += "\n" + notes.read_text()
    (BENCH_DIR / "REPORT.md").write_text(text)
    print(f"wrote {BENCH_DIR / 'REPORT.md'}")


if __name__ == "__main__":
    main()
