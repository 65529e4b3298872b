"""Delivery reads the database a few times per batch, never once per mail: its cost in
statements does not grow with the number of mails (no lazy load per row, no commit
that makes the next mail read everything again)."""

from __future__ import annotations

from collections import Counter
from contextlib import contextmanager
from datetime import timedelta

import sqlalchemy as sa

from models import db
from models.enums import Action, Status
from models.operations import act
from tests.factories import ticket_in
from tests.mail.conftest import soon

# A batch: the look, the claim (with its companions), the load of the rows with their
# tickets, people, services, categories and histories, and one UPDATE recording the
# mails sent. Measured: 11 on PostgreSQL, 15 on SQLite (which counts its 4 BEGINs),
# whether the batch holds 8 mails or 32.
MOST_STATEMENTS = 15


@contextmanager
def statements_of(app):
    """The SQL statements ``app`` runs meanwhile, counted by their first word."""
    counted: Counter = Counter()

    def count(conn, cursor, statement, parameters, context, executemany):
        counted[statement.split(None, 1)[0].upper()] += 1

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield counted
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def comment_on(world, tickets: list) -> None:
    """A comment from the manager, then an answer from the owner, on each ticket."""
    later = soon() + timedelta(hours=1)
    for ticket in tickets:
        act(db.session, ticket.id, Action.COMMENT, user=world.tm, message="Une question.")
        act(db.session, ticket.id, Action.COMMENT, user=world.owner, message="Voilà.", now=later)
    db.session.commit()


def test_a_batch_costs_the_same_few_statements_however_many_mails_it_holds(
    app, world, smtp, deliver
):
    tickets = [
        ticket_in(db.session, world, Status.IN_PROGRESS, subject=f"Panne n°{number}")
        for number in range(10)
    ]
    deliver(soon(3600 * 24))  # their creation, file, invitation and taking
    smtp.reset()
    counts = []
    for some in (tickets[:2], tickets[2:]):
        comment_on(world, some)
        with statements_of(app) as statements:
            report = deliver(soon(3600 * 2))
        assert (report.failed, report.retrying, report.moot) == (0, 0, 0), report.errors
        counts.append((report.sent, sum(statements.values()), dict(statements)))
    (few, few_statements, _), (many, many_statements, detail) = counts
    assert few + many == len(smtp.mails) and many >= 30 and many >= 4 * few
    assert many_statements == few_statements, counts
    assert many_statements <= MOST_STATEMENTS, detail
