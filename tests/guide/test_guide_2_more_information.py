"""Guide §II: « Demande de complément d'information »."""

from __future__ import annotations

import sqlalchemy as sa

from models import OutboxMessage
from models.enums import Action, Status
from models.operations import act
from models.workflow import available_actions
from tests.guide.conftest import history_line


def test_a_manager_asks_for_information_and_the_user_answers(session, world, make_ticket, french):
    ticket = make_ticket(Status.IN_PROGRESS)

    question = act(
        session,
        ticket.id,
        Action.REQUEST_INFORMATION,
        user=world.tm,
        message="Dans quel bâtiment se trouve la salle 101 ?",
    )
    assert french(ticket.status.label) == "Incomplet"
    # « Vous recevrez alors un mail où apparaîtra la question ainsi qu'un lien pour y répondre »
    told = session.scalars(
        sa.select(OutboxMessage.recipient_id).where(OutboxMessage.event_id == question.id)
    )
    assert world.owner.id in set(told)
    # « … cliquez sur Ajouter commentaire »
    assert french(Action.COMMENT.label) == "Ajouter commentaire"
    assert Action.COMMENT in available_actions(ticket, world.owner)

    answer = act(session, ticket.id, Action.COMMENT, user=world.owner, message="Bâtiment B.")
    # « Le service gestionnaire est alors automatiquement informé de votre réponse. »
    told = session.scalars(
        sa.select(OutboxMessage.recipient_id).where(OutboxMessage.event_id == answer.id)
    )
    assert world.tm.id in set(told)
    assert french(ticket.status.label) == "En cours"
    assert history_line(french, answer) == "Test ESUP (esup9992) a ajouté un commentaire."
