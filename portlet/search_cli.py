"""``assistance search reindex``: rebuild the full-text index from scratch."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from models import db


@click.group("search", help="The full-text search index.")
def search_group() -> None:
    pass


@search_group.command("reindex", help="Index every ticket and message again (one transaction).")
@with_appcontext
def search_reindex() -> None:
    from models.search.index import rebuild

    counts = rebuild(db.session)
    db.session.commit()
    click.echo(f"Indexed {counts['tickets']} tickets and {counts['ticket_events']} entries.")
