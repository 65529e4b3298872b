"""The outbox: written with the action, for whom it concerns, never to its author."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from models import OutboxMessage
from models.enums import Action, ActionScope, Status
from models.errors import MessageRequired, NotAllowed
from models.operations import act, file_ticket
from models.outbox import DeliveryState, Reason
from models.tracking import set_bookmark, set_monitoring


def outbox(session, event):
    rows = session.scalars(sa.select(OutboxMessage).where(OutboxMessage.event_id == event.id))
    return {row.recipient.uid: row.reason for row in rows}


def test_a_request_for_information_reaches_the_owner_and_invitees(session, world, make_ticket):
    ticket = make_ticket(Status.IN_PROGRESS)
    event = act(
        session, ticket.id, Action.REQUEST_INFORMATION, user=world.tm, message="Quel bâtiment ?"
    )
    assert outbox(session, event) == {
        world.owner.uid: Reason.OWNER,
        world.invitee.uid: Reason.INVITEE,
    }
    row = session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.event_id == event.id)
    ).first()
    assert (row.state, row.attempts, row.ticket_id) == (DeliveryState.PENDING, 0, ticket.id)


def test_the_owners_answer_reaches_the_manager(session, world, make_ticket):
    ticket = make_ticket(Status.INCOMPLETE)
    event = act(session, ticket.id, Action.COMMENT, user=world.owner, message="Bâtiment B.")
    assert outbox(session, event) == {
        world.tm.uid: Reason.MANAGER,
        world.invitee.uid: Reason.INVITEE,
    }


def test_a_new_ticket_reaches_the_members_of_its_category(session, world):
    ticket = file_ticket(
        session,
        creator=world.owner,
        category_id=world.category.id,
        subject="Pas de réseau",
        message="Coupure totale.",
    )
    assert outbox(session, ticket.events[0]) == {
        user.uid: Reason.CATEGORY_MEMBER for user in (world.tm, world.dm, world.colleague)
    }


def test_an_internal_note_never_reaches_the_owner(session, world, make_ticket):
    ticket = make_ticket(Status.IN_PROGRESS)
    event = act(
        session,
        ticket.id,
        Action.COMMENT,
        user=world.dm,
        message="Utilisateur pénible.",
        scope=ActionScope.MANAGER,
    )
    assert outbox(session, event) == {world.tm.uid: Reason.MANAGER}


def test_bookmarks_monitors_and_preferences_decide_the_rest(session, world, make_ticket):
    ticket = make_ticket(Status.IN_PROGRESS)
    set_bookmark(session, world.colleague, ticket, True)
    set_monitoring(session, world.admin, ticket, True)
    world.owner.preferences = {"notify_own_tickets": False}
    session.commit()
    event = act(session, ticket.id, Action.CLOSE, user=world.tm, message="Réglé.")
    assert outbox(session, event) == {
        world.invitee.uid: Reason.INVITEE,
        world.colleague.uid: Reason.BOOKMARK,
        world.admin.uid: Reason.MONITOR,
    }


def test_a_failed_action_leaves_no_mail_behind(session, world, make_ticket):
    ticket = make_ticket(Status.IN_PROGRESS)
    before = session.scalar(sa.select(sa.func.count(OutboxMessage.id)))
    with pytest.raises(MessageRequired):
        act(session, ticket.id, Action.REQUEST_INFORMATION, user=world.tm, message="")
    assert session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == before


def test_a_manager_may_act_without_alerting_anyone_but_the_owner_may_not(
    session, world, make_ticket
):
    ticket = make_ticket(Status.IN_PROGRESS)
    silent = act(
        session,
        ticket.id,
        Action.COMMENT,
        user=world.tm,
        message="Correction mineure.",
        alert=False,
    )
    assert silent.alerted is False and outbox(session, silent) == {}
    with pytest.raises(NotAllowed):
        act(session, ticket.id, Action.COMMENT, user=world.owner, message="Chut.", alert=False)
