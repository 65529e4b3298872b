"""Guide §I: « Créer un nouveau ticket » and « Inclure une pièce jointe »."""

from __future__ import annotations

import io

from models.enums import Status
from models.files import attach_file
from models.operations import file_ticket
from models.storage import LocalStorage
from tests.guide.conftest import history_line

MESSAGE = (
    "Bonjour,\nOù sont placés les extincteurs à la Présidence ?\nMerci d'avance\nBien cordialement,"
)


def test_a_user_creates_a_ticket_and_the_service_is_told(session, world, french, tmp_path):
    # « Choisissez ensuite la catégorie … c'est lui qui détermine le service »
    ticket = file_ticket(
        session,
        creator=world.owner,
        category_id=world.other_category.id,
        subject="Extincteurs Présidence",
        message=MESSAGE,
    )
    assert ticket.department.label == "HYGIENE - SECURITE"

    # The recap: « Gestionnaire : aucun », « Statut : Libre », « … a créé le ticket. »
    assert ticket.manager is None and french(ticket.status.label) == "Libre"
    created = ticket.events[0]
    assert history_line(french, created) == "Test ESUP (esup9992) a créé le ticket."
    assert created.message == MESSAGE

    # « Vous pouvez ajouter d'autres pièces jointes par la suite. »
    storage = LocalStorage(tmp_path)
    attach_file(
        session,
        ticket.id,
        user=world.owner,
        storage=storage,
        filename="plan.pdf",
        stream=io.BytesIO(b"%PDF-1.7 plan"),
        max_bytes=20 << 20,
    )
    assert [a.original_name for a in ticket.attachments] == ["plan.pdf"]
    assert history_line(french, ticket.events[-1]) == "Test ESUP (esup9992) a joint un fichier."
    assert ticket.status is Status.FREE
