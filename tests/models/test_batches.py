"""The expiry and recall batches: per-category delays, and several hosts at once."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from models import Category, OutboxMessage, Ticket, TicketEvent
from models.batches import (
    expire_due_tickets,
    expiry_date,
    queue_digests,
    recall_due_tickets,
    remind_before_expiry,
)
from models.db import utcnow
from models.enums import Action, Actor, MailKind, Status
from models.operations import act
from tests.factories import build_world, ticket_in


def closed_days_ago(session, world, days: float, category=None) -> Ticket:
    """A ticket whose manager asked to close it ``days`` ago."""
    start = utcnow() - timedelta(days=days, hours=3)
    ticket = ticket_in(session, world, Status.IN_PROGRESS, start=start)
    if category is not None:
        act(
            session,
            ticket.id,
            Action.CHANGE_CATEGORY,
            user=world.tm,
            category=category,
            now=start + timedelta(hours=2),
        )
    act(session, ticket.id, Action.CLOSE, user=world.tm, now=utcnow() - timedelta(days=days))
    return ticket


def test_a_closure_nobody_approves_expires_after_its_category_delay(session, world):
    """The service says 14 days; one category says 3, another (and its children) never."""
    quick = Category(department=world.service, label="Prêt de matériel", expiry_days=3)
    never = Category(department=world.service, label="Salles", expiry_days=0, accepts_tickets=True)
    child_of_never = Category(department=world.service, label="Amphithéâtres", parent=never)
    session.add_all([quick, never, child_of_never])
    session.commit()
    tickets = {
        "service, 20 days": (closed_days_ago(session, world, 20), Status.EXPIRED),
        "service, 10 days": (closed_days_ago(session, world, 10), Status.CLOSED),
        "quick, 4 days": (closed_days_ago(session, world, 4, quick), Status.EXPIRED),
        "quick, 2 days": (closed_days_ago(session, world, 2, quick), Status.CLOSED),
        "never, 400 days": (closed_days_ago(session, world, 400, never), Status.CLOSED),
        "child of never, 400 days": (
            closed_days_ago(session, world, 400, child_of_never),
            Status.CLOSED,
        ),
        "in progress, 30 days": (
            ticket_in(session, world, Status.IN_PROGRESS, start=utcnow() - timedelta(days=30)),
            Status.IN_PROGRESS,
        ),
    }

    result = expire_due_tickets(session)

    assert (result.done, result.skipped) == (2, 0)
    for name, (ticket, expected) in tickets.items():
        session.refresh(ticket)
        assert ticket.status is expected, name
    expiry = tickets["quick, 4 days"][0].events[-1]
    assert (expiry.kind, expiry.actor, expiry.author_id) == (Action.EXPIRE, Actor.APPLICATION, None)
    assert expire_due_tickets(session).done == 0  # nothing left to do


def test_a_comment_on_a_closed_ticket_restarts_its_expiry_clock(session, world):
    ticket = closed_days_ago(session, world, 13)
    act(session, ticket.id, Action.COMMENT, user=world.owner, message="Je vérifie demain.")
    assert expire_due_tickets(session, now=utcnow() + timedelta(days=2)).done == 0
    assert expire_due_tickets(session, now=utcnow() + timedelta(days=15)).done == 1


def test_postponed_tickets_come_back_when_their_recall_date_comes(session, world):
    due = ticket_in(session, world, Status.POSTPONED)  # recall date 59 days ago
    later = ticket_in(session, world, Status.IN_PROGRESS)
    act(session, later.id, Action.POSTPONE, user=world.tm, recall_at=utcnow() + timedelta(days=3))
    undated = ticket_in(session, world, Status.IN_PROGRESS)
    act(session, undated.id, Action.POSTPONE, user=world.tm)

    result = recall_due_tickets(session)

    assert (result.done, result.skipped) == (1, 0)
    session.refresh(due)
    assert (due.status, due.recall_at, due.manager) == (Status.IN_PROGRESS, None, world.tm)
    assert due.events[-1].kind is Action.CANCEL_POSTPONEMENT and due.events[-1].author_id is None
    assert {later.status, undated.status} == {Status.POSTPONED}
    assert recall_due_tickets(session, now=utcnow() + timedelta(days=4)).done == 1


def test_two_hosts_running_the_batches_at_once_expire_each_ticket_once(committed):
    session = committed()
    world = build_world(session)
    tickets = [closed_days_ago(session, world, 30).id for _ in range(12)]
    tickets += [ticket_in(session, world, Status.POSTPONED).id for _ in range(12)]
    results, barrier = [], threading.Barrier(2, timeout=30)

    def host():
        own = committed()
        barrier.wait()
        results.append((expire_due_tickets(own), recall_due_tickets(own)))

    threads = [threading.Thread(target=host) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert sum(expired.done for expired, _ in results) == 12
    assert sum(recalled.done for _, recalled in results) == 12
    session.rollback()
    counts = session.execute(
        sa.select(TicketEvent.kind, sa.func.count())
        .where(
            TicketEvent.ticket_id.in_(tickets),
            TicketEvent.kind.in_([Action.EXPIRE, Action.CANCEL_POSTPONEMENT]),
        )
        .group_by(TicketEvent.kind)
    ).all()
    assert dict(counts) == {Action.EXPIRE: 12, Action.CANCEL_POSTPONEMENT: 12}


def queued(session, kind) -> list:
    return session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
    ).all()


def test_the_owner_is_reminded_before_expiry_once_per_closure(session, world):
    # The service's delay is 14 days: closed 12 days ago, it expires in 2 days.
    near = closed_days_ago(session, world, 12)
    closed_days_ago(session, world, 5)  # expires in 9 days: too early to remind
    assert remind_before_expiry(session, days=3) == 1
    assert remind_before_expiry(session, days=3) == 0  # a second run, or a second host
    (reminder,) = queued(session, MailKind.EXPIRY_REMINDER)
    assert (reminder.ticket_id, reminder.recipient_id) == (near.id, world.owner.id)
    assert reminder.event.kind is Action.CLOSE
    assert expiry_date(near) - utcnow() < timedelta(days=2, hours=1)

    # Refused, then closed again long ago: a new closure, a new reminder.
    act(session, near.id, Action.REFUSE_CLOSURE, user=world.owner, message="Non.")
    act(session, near.id, Action.CLOSE, user=world.tm, now=utcnow() - timedelta(days=13))
    assert remind_before_expiry(session, days=3) == 1
    assert len(queued(session, MailKind.EXPIRY_REMINDER)) == 2


def test_no_reminder_for_who_does_not_want_one_or_cannot_get_one(session, world):
    closed_days_ago(session, world, 12)
    world.owner.preferences = {"notify_expiry": False}
    session.commit()
    assert remind_before_expiry(session, days=3) == 0
    world.owner.preferences, world.owner.email = {}, None
    session.commit()
    assert remind_before_expiry(session, days=3) == 0


@pytest.mark.parametrize(
    "local, hour, weekends, queued_count",
    [
        ("2026-11-27 08:05", 8, False, 1),  # a Friday, at their hour
        ("2026-11-27 07:59", 8, False, 0),  # not yet
        ("2026-11-27 15:00", 8, False, 1),  # late (the worker was down): still today
        ("2026-11-28 09:00", 8, False, 0),  # a Saturday
        ("2026-11-28 09:00", 8, True, 1),  # a Saturday, asked for
    ],
)
def test_managers_digests_are_queued_at_their_hour_once_a_day(
    session, world, local, hour, weekends, queued_count
):
    for user in (world.tm, world.dm, world.colleague):
        user.preferences = {"digest_hour": hour, "digest_weekends": weekends}
    world.colleague.preferences = {"digest": False}
    world.owner.preferences = {"digest_hour": 0}  # not a manager: never a digest
    session.commit()
    now = datetime.fromisoformat(local).replace(tzinfo=ZoneInfo("Europe/Paris"))
    expected = 2 * queued_count
    assert queue_digests(session, now=now) == expected
    assert queue_digests(session, now=now + timedelta(seconds=30)) == 0  # once a day
    rows = queued(session, MailKind.DIGEST)
    assert {row.recipient_id for row in rows} == (
        {world.tm.id, world.dm.id} if queued_count else set()
    )
    assert all(row.digest_day == now.date() for row in rows)
