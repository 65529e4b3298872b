"""Guide §III: « Approuver ou refuser la clôture d'un ticket »."""

from __future__ import annotations

import pytest

from models.enums import Action, Status
from models.errors import MessageRequired
from models.operations import act
from models.workflow import available_actions


def test_the_owner_refuses_the_closure_saying_why_then_approves(
    session, world, make_ticket, french
):
    ticket = make_ticket(Status.IN_PROGRESS)
    act(session, ticket.id, Action.CLOSE, user=world.tm, message="Le Wi-Fi a été redémarré.")
    assert french(ticket.status.label) == "Clos"

    # « … le choix d'approuver ou non la clôture via les deux boutons Approuver ou Refuser clôture »
    owner_can = available_actions(ticket, world.owner)
    assert {french(a.label) for a in owner_can} >= {"Approuver", "Refuser clôture"}
    assert Action.APPROVE_CLOSURE not in available_actions(ticket, world.tm)

    # « Si vous refusez la clôture, il vous sera demandé de justifier ce choix »
    with pytest.raises(MessageRequired):
        act(session, ticket.id, Action.REFUSE_CLOSURE, user=world.owner, message="")
    act(
        session,
        ticket.id,
        Action.REFUSE_CLOSURE,
        user=world.owner,
        message="Le Wi-Fi ne fonctionne toujours pas.",
    )
    assert (french(ticket.status.label), ticket.manager) == ("En cours", world.tm)

    act(session, ticket.id, Action.CLOSE, user=world.tm, message="Borne remplacée.")
    act(session, ticket.id, Action.APPROVE_CLOSURE, user=world.owner)
    assert french(ticket.status.label) == "Clos/approuvé"
