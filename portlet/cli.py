"""Commands: ``assistance <command>`` or ``flask --app wsgi <command>``.

``db upgrade`` (schema), ``demo load``, ``batch expire|recall|remind-expiry|digest|
purge-uploads|all`` (scheduled work), ``worker`` (mail delivery, and the scheduled work
every few minutes), ``workflow-doc``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from models import db
from models.db import utcnow

from . import scheduled
from .config import PROJECT_ROOT
from .mail.worker import worker_command
from .search_cli import search_group

WORKFLOW_DOC = PROJECT_ROOT / "docs" / "workflow.md"


@click.group("demo", help="Demo data.")
def demo_group() -> None:
    pass


@demo_group.command("load", help="Add the demo services, users and tickets (once).")
@with_appcontext
def demo_load() -> None:
    from . import demo

    if demo.load(db.session):
        click.echo("Demo data loaded.")
    else:
        click.echo("Demo data already present; nothing changed.")


@click.group("batch", help="Scheduled work; safe to run on several hosts at once.")
def batch_group() -> None:
    pass


def _now_option(function):
    return click.option(
        "--now",
        type=click.DateTime(formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z"]),
        default=None,
        help="Act as if it were this time (ISO 8601 with offset).",
    )(function)


@batch_group.command("expire", help="« Clos » tickets nobody approved in time become « Expiré ».")
@_now_option
@with_appcontext
def batch_expire(now: datetime | None) -> None:
    click.echo(scheduled.expire(current_app, now or utcnow()))


@batch_group.command(
    "recall", help="« Reporté » tickets whose recall date has come go back to « En cours »."
)
@_now_option
@with_appcontext
def batch_recall(now: datetime | None) -> None:
    click.echo(scheduled.recall(current_app, now or utcnow()))


@batch_group.command(
    "remind-expiry", help="Remind owners of « Clos » tickets that expire soon (once per closure)."
)
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=None,
    help="How many days ahead (default: EXPIRY_REMINDER_DAYS).",
)
@_now_option
@with_appcontext
def batch_remind_expiry(days: int | None, now: datetime | None) -> None:
    click.echo(scheduled.remind_expiry(current_app, now or utcnow(), days))


@batch_group.command("digest", help="Queue the managers' daily digest whose hour has come.")
@_now_option
@with_appcontext
def batch_digest(now: datetime | None) -> None:
    click.echo(scheduled.digest(current_app, now or utcnow()))


@batch_group.command("purge-uploads", help="Remove files chosen in forms never sent (after a day).")
@_now_option
@with_appcontext
def batch_purge_uploads(now: datetime | None) -> None:
    click.echo(scheduled.purge_uploads(current_app, now or utcnow()))


@batch_group.command("all", help="Every scheduled step, in order (for cron, every few minutes).")
@_now_option
@with_appcontext
def batch_all(now: datetime | None) -> None:
    for line in scheduled.run_all(current_app, now):
        click.echo(line)


@click.command("workflow-doc", help="Write docs/workflow.md from the workflow table.")
@click.option("--check", is_flag=True, help="Only fail if the committed file is stale.")
def workflow_doc(check: bool) -> None:
    from models.workflow_doc import render

    text = render()
    if check:
        if not WORKFLOW_DOC.exists() or WORKFLOW_DOC.read_text() != text:
            raise click.ClickException(f"{WORKFLOW_DOC} is stale: run `assistance workflow-doc`.")
        return
    Path(WORKFLOW_DOC).write_text(text)
    click.echo(f"wrote {WORKFLOW_DOC}")


def init_app(app) -> None:
    for command in (demo_group, batch_group, worker_command, workflow_doc, search_group):
        app.cli.add_command(command)


def main() -> None:
    from .app import create_app

    FlaskGroup(create_app=create_app, help="Assistance: the ENT's helpdesk.")()
