"""Signets/Historique, read markers and « surveiller ce ticket »."""

from __future__ import annotations

from datetime import timedelta

import pytest

from models.db import utcnow
from models.enums import Action, Status
from models.errors import NotAllowed
from models.operations import act
from models.tracking import (
    bookmarked_tickets,
    clear_recent_views,
    is_bookmarked,
    is_monitored,
    mark_unread,
    recent_tickets,
    record_view,
    set_bookmark,
    set_monitoring,
    unread_ticket_ids,
)
from tests.factories import make_user


def test_the_history_keeps_the_latest_tickets_viewed_up_to_its_cap(session, world, make_ticket):
    tickets = [make_ticket(Status.FREE, invite=False, attach=False) for _ in range(5)]
    start = utcnow()
    for offset, ticket in enumerate(tickets + [tickets[0]]):
        record_view(session, world.owner, ticket, now=start + timedelta(seconds=offset), keep=3)
    session.commit()
    assert recent_tickets(session, world.owner) == [tickets[0], tickets[4], tickets[3]]
    clear_recent_views(session, world.owner)
    assert recent_tickets(session, world.owner) == []


def test_a_ticket_is_unread_when_it_changed_since_the_user_read_it(session, world, make_ticket):
    first, second = make_ticket(Status.FREE), make_ticket(Status.FREE)
    ids = [first.id, second.id]
    assert unread_ticket_ids(session, world.owner, ids) == set(ids)
    record_view(session, world.owner, first)
    record_view(session, world.owner, second)
    session.commit()
    assert unread_ticket_ids(session, world.owner, ids) == set()
    act(session, first.id, Action.TAKE, user=world.dm, now=utcnow() + timedelta(seconds=1))
    assert unread_ticket_ids(session, world.owner, ids) == {first.id}
    mark_unread(session, world.owner, second)
    assert unread_ticket_ids(session, world.owner, ids) == {first.id, second.id}


def test_bookmarks_and_monitoring_toggle_and_are_idempotent(session, world, make_ticket):
    ticket = make_ticket(Status.IN_PROGRESS)
    for _ in range(2):
        set_bookmark(session, world.invitee, ticket, True)
        set_monitoring(session, world.invitee, ticket, True)
    assert bookmarked_tickets(session, world.invitee) == [ticket]
    assert is_bookmarked(session, world.invitee, ticket) and is_monitored(
        session, world.invitee, ticket
    )
    set_bookmark(session, world.invitee, ticket, False)
    set_monitoring(session, world.invitee, ticket, False)
    assert not is_bookmarked(session, world.invitee, ticket)
    assert not is_monitored(session, world.invitee, ticket)


def test_nobody_follows_a_ticket_they_may_not_see(session, world, make_ticket):
    ticket = make_ticket(Status.IN_PROGRESS)
    stranger = make_user(session, "inconnu", "Un INCONNU")
    session.commit()
    for follow in (
        lambda: set_bookmark(session, stranger, ticket, True),
        lambda: set_monitoring(session, stranger, ticket, True),
        lambda: record_view(session, stranger, ticket),
    ):
        with pytest.raises(NotAllowed):
            follow()
