"""Who may read a ticket and each entry of its history."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from models import Ticket
from models.enums import Action, ActionScope, Status, TicketScope
from models.operations import act
from models.permissions import (
    can_see_subject,
    can_view,
    can_view_event,
    scopes_for,
    visible_tickets_clause,
)
from tests.factories import make_user


@pytest.fixture
def stranger(session):
    user = make_user(session, "inconnu", "Un INCONNU")
    session.commit()
    return user


@pytest.mark.parametrize(
    ("scope", "stranger_reads", "stranger_sees_subject", "anonymous_reads"),
    [
        (TicketScope.PUBLIC, True, True, True),
        (TicketScope.INTRANET, True, True, False),
        (TicketScope.SUBJECT_ONLY, False, True, False),
        (TicketScope.PRIVATE, False, False, False),
    ],
)
def test_the_ticket_scope_decides_what_others_see(
    session,
    world,
    make_ticket,
    stranger,
    scope,
    stranger_reads,
    stranger_sees_subject,
    anonymous_reads,
):
    ticket = make_ticket(Status.IN_PROGRESS)
    ticket.scope = scope
    session.commit()
    for insider in (world.owner, world.tm, world.dm, world.invitee, world.admin):
        assert can_view(insider, ticket)
    assert can_view(stranger, ticket) is stranger_reads
    assert can_see_subject(stranger, ticket) is stranger_sees_subject
    assert can_view(None, ticket) is anonymous_reads


def test_the_sql_filter_agrees_with_can_view(session, world, make_ticket, stranger):
    tickets = []
    for scope in TicketScope:
        ticket = make_ticket(Status.FREE, invite=False)
        ticket.scope = scope
        tickets.append(ticket)
    session.commit()
    for user in (world.owner, world.tm, world.dm, world.invitee, world.admin, stranger, None):
        visible = set(session.scalars(sa.select(Ticket.id).where(visible_tickets_clause(user))))
        assert visible == {t.id for t in session.scalars(sa.select(Ticket)) if can_view(user, t)}, (
            user
        )


def test_an_internal_note_stays_among_managers(session, world, make_ticket):
    ticket = make_ticket(Status.IN_PROGRESS)
    notes = {
        scope: act(
            session, ticket.id, Action.COMMENT, user=world.dm, message=scope.value, scope=scope
        )
        for scope in ActionScope
    }
    readers = {
        ActionScope.DEFAULT: {"owner", "tm", "dm", "invitee", "admin"},
        ActionScope.OWNER: {"owner", "tm", "dm", "admin"},
        ActionScope.INVITED: {"owner", "tm", "dm", "invitee", "admin"},
        ActionScope.INVITED_MANAGER: {"tm", "dm", "invitee", "admin"},
        ActionScope.MANAGER: {"tm", "dm", "admin"},
    }
    for scope, event in notes.items():
        who = {
            name
            for name in ("owner", "tm", "dm", "invitee", "admin")
            if can_view_event(getattr(world, name), event)
        }
        assert who == readers[scope], scope


def test_each_role_chooses_among_the_scopes_it_may_give(session, world, make_ticket):
    ticket = make_ticket(Status.IN_PROGRESS)
    assert ActionScope.MANAGER not in scopes_for(world.owner, ticket)
    assert ActionScope.OWNER not in scopes_for(world.invitee, ticket)
    assert set(scopes_for(world.dm, ticket)) == set(ActionScope)
