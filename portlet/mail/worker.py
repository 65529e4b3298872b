"""``assistance worker``: delivers the outbox's mails, a pass every few seconds, and
runs the scheduled work (expiry, recall, reminders, digests) every few minutes, until
SIGTERM or SIGINT; several may run on several hosts (rows are claimed, never shared).
"""

from __future__ import annotations

import logging
import signal
import threading
import time

import click
from flask import current_app
from flask.cli import with_appcontext

from models import db

from ..scheduled import run_all
from .send import DEFAULT_BATCH, DeliveryReport, deliver_all_due

log = logging.getLogger(__name__)


@click.command("worker", help="Send the mails of the outbox, every few seconds, until stopped.")
@click.option("--once", is_flag=True, help="Run one delivery pass, then exit.")
@click.option(
    "--interval",
    type=click.FloatRange(min=0.1),
    default=5.0,
    show_default=True,
    help="Seconds between passes.",
)
@click.option(
    "--batch",
    type=click.IntRange(min=1),
    default=DEFAULT_BATCH,
    show_default=True,
    help="Outbox rows claimed per pass.",
)
@click.option(
    "--scheduled-every",
    type=click.FloatRange(min=0),
    default=300.0,
    show_default=True,
    help="Seconds between runs of the scheduled work (0: never; cron runs `batch all`).",
)
@with_appcontext
def worker_command(once: bool, interval: float, batch: int, scheduled_every: float) -> None:
    app = current_app._get_current_object()
    if once:  # cron's way: `batch all` runs the scheduled work, this the delivery
        click.echo(str(deliver_all_due(app, limit=batch)))
        return
    stop = threading.Event()
    previous = {}
    for number in (signal.SIGTERM, signal.SIGINT):
        previous[number] = signal.signal(number, lambda *_: stop.set())
    click.echo(f"Delivering mail every {interval:g} s; SIGTERM or Ctrl-C stops.")
    next_scheduled = time.monotonic()
    try:
        while not stop.is_set():
            if scheduled_every and time.monotonic() >= next_scheduled:
                _run_scheduled(app)
                next_scheduled = time.monotonic() + scheduled_every
            report = DeliveryReport()
            try:
                report = deliver_all_due(app, limit=batch)
            except Exception:  # noqa: BLE001 - the database may come back: keep going
                log.exception("delivery pass failed; next pass in %s s", interval)
            if report.mails:
                click.echo(str(report))
            stop.wait(interval)
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    click.echo("Stopped.")


def _run_scheduled(app) -> None:
    try:
        with app.app_context():
            try:
                lines = run_all(app)
            finally:
                db.session.remove()
    except Exception:  # noqa: BLE001 - the database may come back: keep going
        log.exception("scheduled work failed")
        return
    for line in lines:
        log.info("scheduled: %s", line)
