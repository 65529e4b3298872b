"""Every action URL against every kind of visitor: the routes never allow more than
the workflow table, and a refusal changes nothing.

The expectation comes from ``resolve`` (the table itself, tested cell by cell in
tests/models/test_workflow_table.py); here we check that each URL asks it.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from models import Ticket, TicketEvent, db
from models.enums import Action, Status
from models.permissions import can_view
from models.workflow import resolve
from tests.factories import add_manager, make_user, ticket_in

from .conftest import form_values

# Actions reached through their own URL (« Ajouter un ticket » is a form of its own).
ACTIONS = [action for action in Action if action is not Action.CREATE]
TAKE_AND = (Action.CLOSE, Action.REQUEST_INFORMATION)


def visitors(world) -> dict[str, object]:
    """Everyone who might open a ticket's URLs, by what they are to it."""
    stranger_manager = make_user(db.session, "agarnier", "Anne GARNIER")
    add_manager(db.session, world.other_service, stranger_manager)
    db.session.commit()
    return {
        "owner": world.owner,
        "manager in charge": world.tm,
        "service manager with every right": world.dm,
        "service colleague without rights": world.colleague,
        "invitee": world.invitee,
        "manager of another service": stranger_manager,
        "administrator": world.admin,
        "stranger": world.newcomer,
        "anonymous": None,
    }


def refusal_codes(user, ticket) -> set[int]:
    if user is None:
        return {302}  # to CAS, to sign in first
    return {403} if can_view(user, ticket) else {404}


def snapshot(ticket_id: int) -> tuple:
    db.session.expire_all()
    ticket = db.session.get(Ticket, ticket_id)
    events = db.session.scalar(
        sa.select(sa.func.count(TicketEvent.id)).where(TicketEvent.ticket_id == ticket_id)
    )
    return ticket.version, ticket.status, ticket.manager_id, events


@pytest.mark.parametrize("status", list(Status), ids=lambda s: s.value)
def test_every_action_url_obeys_the_workflow_table(world, browser, status):
    ticket = ticket_in(db.session, world, status)
    before = snapshot(ticket.id)
    wrong: list[str] = []
    for who, user in visitors(world).items():
        visitor = browser(user)
        # Any form of ours carries the session's CSRF token; refusals must not hinge on it.
        token = form_values(browser(user).get("/tickets/new").text).get("hd-csrf_token", "")
        ticket = db.session.get(Ticket, ticket.id)
        refused = refusal_codes(user, ticket)
        for action in ACTIONS:
            # Nobody signed in is not « the application »: they are sent to CAS first.
            allowed = user is not None and resolve(ticket, action, user) is not None
            url = f"/tickets/{ticket.id}/{action.value}"
            shown = visitor.get(url).status_code
            if shown != (200 if allowed else next(iter(refused))):
                wrong.append(f"{who} GET {action.value}: {shown}, allowed={allowed}")
            if allowed:
                continue
            data = {
                "hd-csrf_token": token,
                "hd-version": str(ticket.version),
                "hd-message": "Tentative",
            }
            sent = visitor.post(url, data=data).status_code
            if sent not in refused:
                wrong.append(f"{who} POST {action.value}: {sent}")
        may_take = user is not None and resolve(ticket, Action.TAKE, user) is not None
        for then in TAKE_AND:
            url = f"/tickets/{ticket.id}/take-and/{then.value}"
            shown = visitor.get(url).status_code
            if shown != (200 if may_take else next(iter(refused))):
                wrong.append(f"{who} GET take-and {then.value}: {shown}, may take={may_take}")
            if not may_take:
                sent = visitor.post(
                    url, data={"hd-csrf_token": token, "hd-version": str(ticket.version)}
                ).status_code
                if sent not in refused:
                    wrong.append(f"{who} POST take-and {then.value}: {sent}")
        # Nothing was moved, so there is nothing to return to its sender, for anyone.
        url = f"/tickets/{ticket.id}/return-to-sender"
        data = {"hd-csrf_token": token, "hd-version": str(ticket.version)}
        for method, answer in (("GET", visitor.get(url)), ("POST", visitor.post(url, data=data))):
            if answer.status_code not in refused:
                wrong.append(f"{who} {method} return-to-sender: {answer.status_code}")
    assert wrong == []
    assert snapshot(ticket.id) == before
