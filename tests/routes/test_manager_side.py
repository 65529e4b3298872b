"""The managers' side over HTTP: the queue, the journal, every action's form, saved
responses, and what a manager sees of the requester."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from models import Category, OutboxMessage, Response, Ticket, TicketEvent, db
from models.db import utcnow
from models.enums import Action, ActionScope, Status
from models.operations import act
from tests.factories import add_manager, ticket_in
from tests.routes.conftest import PUBLIC_URL, form_values
from tests.routes.test_ticket_pages import text


def queue_rows(page) -> list[str]:
    return [
        " ".join(re.sub(r"<[^>]+>", " ", row).split())
        for row in re.findall(r"<tr class=\"hd-table__row.*?</tr>", page.text, re.S)
    ]


def test_a_manager_sees_the_queue_of_their_services_with_counts(world, browser):
    free = ticket_in(db.session, world, Status.FREE, subject="Wi-Fi en panne", invite=False)
    taken = ticket_in(db.session, world, Status.IN_PROGRESS, subject="VPN lent", invite=False)
    other = ticket_in(db.session, world, Status.FREE, subject="Extincteur vide", invite=False)
    act(
        db.session, other.id, Action.CHANGE_DEPARTMENT, user=world.dm, category=world.other_category
    )
    manager = browser(world.tm)

    page = manager.get("/dashboard")
    body = text(page)
    assert "Tickets de mes services" in body
    rows = " ".join(queue_rows(page))
    assert "Wi-Fi en panne" in rows and "VPN lent" in rows and "Extincteur vide" not in rows
    assert "Libres (1)" in body and "Les miens (1)" in body and "Les miens ou libres (2)" in body

    only_free = manager.get("/dashboard?view=services&involvement=free")
    assert [r for r in queue_rows(only_free) if "VPN lent" in r] == []
    remembered = manager.get("/dashboard")  # no filter given: the last ones come back
    assert [r for r in queue_rows(remembered) if "VPN lent" in r] == []
    assert 'value="free" selected' in remembered.text or 'selected value="free"' in remembered.text

    assert free.id and taken.id
    assert "Mes propres demandes" in body  # the requester's view stays one click away


def test_the_queue_filters_sorts_and_goes_to_a_number(world, browser):
    low = ticket_in(db.session, world, Status.FREE, subject="Souris", invite=False)
    act(db.session, low.id, Action.TAKE, user=world.dm)
    act(db.session, low.id, Action.CHANGE_PRIORITY, user=world.dm, priority=1)
    high = ticket_in(db.session, world, Status.FREE, subject="Serveur arrêté", invite=False)
    act(db.session, high.id, Action.TAKE, user=world.dm)
    act(db.session, high.id, Action.CHANGE_PRIORITY, user=world.dm, priority=5)
    manager = browser(world.dm)
    ordered = queue_rows(
        manager.get("/dashboard?view=services&involvement=any&sort=priority&order=desc")
    )
    assert ordered[0].find("Serveur arrêté") >= 0 and ordered[-1].find("Souris") >= 0
    by_manager = queue_rows(
        manager.get(f"/dashboard?view=services&involvement=any&manager={world.colleague.id}")
    )
    assert by_manager == []
    by_category = queue_rows(
        manager.get(f"/dashboard?view=services&involvement=any&category={world.sibling.id}")
    )
    assert by_category == []

    found = manager.get(f"/tickets/goto?number={high.id}")
    assert (
        found.status_code == 303 and found.headers["Location"] == f"{PUBLIC_URL}/tickets/{high.id}"
    )
    missing = manager.get("/tickets/goto?number=999999")
    assert missing.status_code == 303
    assert "Aucun ticket" in text(manager.get(missing.headers["Location"]))
    for odd in ("abc", "-1", "1e9", "99999999999999"):
        assert manager.get(f"/tickets/goto?number={odd}").status_code == 303


def test_a_manager_takes_from_the_queue_and_takes_and_closes(world, browser):
    first = ticket_in(db.session, world, Status.FREE, subject="Premier", invite=False)
    second = ticket_in(db.session, world, Status.FREE, subject="Second", invite=False)
    manager = browser(world.dm)
    page = manager.get("/dashboard?view=services&involvement=free")
    take = re.search(rf'action="/tickets/{first.id}/take".*?</form>', page.text, re.S).group(0)
    assert manager.post(f"/tickets/{first.id}/take", data=form_values(take)).status_code == 303
    assert db.session.get(Ticket, first.id).manager_id == world.dm.id

    closing = manager.submit(f"/tickets/{second.id}/take-and/close", message="Réglé au téléphone.")
    assert closing.status_code == 303
    ticket = db.session.get(Ticket, second.id)
    assert (ticket.status, ticket.manager_id) == (Status.CLOSED, world.dm.id)
    assert [e.kind for e in ticket.events][-2:] == [Action.TAKE, Action.CLOSE]
    assert manager.get(f"/tickets/{second.id}/take-and/fly").status_code == 404

    # « Signet » from the row: the manager stays in the queue.
    page = manager.get("/dashboard?view=services&involvement=any&status=any")
    mark = re.search(rf'action="/tickets/{first.id}/bookmark".*?</form>', page.text, re.S).group(0)
    marked = manager.post(f"/tickets/{first.id}/bookmark", data=form_values(mark))
    assert marked.status_code == 303 and marked.location == f"{PUBLIC_URL}/dashboard"
    bookmarks = text(manager.get("/bookmarks"))
    assert "Premier" in bookmarks and "Second" not in bookmarks
    page = manager.get("/dashboard")
    assert re.search(
        rf'action="/tickets/{first.id}/bookmark".*?aria-pressed="true"', page.text, re.S
    )


def test_two_managers_taking_at_once_one_wins_the_other_is_told(world, browser):
    ticket = ticket_in(db.session, world, Status.FREE, invite=False)
    dm, colleague = browser(world.dm), browser(world.colleague)
    _, first = dm.form(f"/tickets/{ticket.id}/take")
    _, second = colleague.form(f"/tickets/{ticket.id}/take")
    assert dm.post(f"/tickets/{ticket.id}/take", data=first).status_code == 303
    late = colleague.post(f"/tickets/{ticket.id}/take", data=second)
    assert late.status_code == 409
    assert "Quelqu'un a modifié ce ticket entre-temps" in text(late)
    assert db.session.get(Ticket, ticket.id).manager_id == world.dm.id


def test_the_journal_shows_what_happened_in_my_services(world, browser):
    ticket = ticket_in(db.session, world, Status.IN_PROGRESS, subject="Imprimante")
    act(
        db.session,
        ticket.id,
        Action.COMMENT,
        user=world.tm,
        message="Toner commandé",
        scope=ActionScope.MANAGER,
    )
    journal = text(browser(world.dm).get("/journal"))
    assert (
        "Jean DUPONT (jdupont) a ajouté un commentaire." in journal and "Toner commandé" in journal
    )
    assert browser(world.owner).get("/journal").status_code == 403


def test_every_action_form_refuses_bad_values_beside_the_field(world, browser):
    ticket = ticket_in(db.session, world, Status.IN_PROGRESS)
    parent = Category(department=world.service, label="Bâtiments")
    db.session.add_all(
        [parent, Category(department=world.service, label="Bâtiment A", parent=parent)]
    )
    world.service.spent_time_required = True
    db.session.commit()
    manager = browser(world.tm)
    yesterday = (utcnow() - timedelta(days=1)).date().isoformat()
    cases = [
        ("postpone", {"recall_at": yesterday}, "recall_at", "Cette date doit être dans le futur."),
        ("postpone", {"recall_at": "demain"}, "recall_at", None),
        ("close", {"spent_minutes": "-5"}, "spent_minutes", None),
        ("close", {"spent_minutes": "abc"}, "spent_minutes", None),
        ("close", {"spent_minutes": ""}, "spent_minutes", "Ce service demande le temps passé"),
        ("change_category", {"category": str(parent.id)}, "category", None),
        ("change_owner", {"owner": "personne-inconnue"}, "owner", None),
        ("invite", {"invitee": world.owner.uid}, "invitee", "Le propriétaire suit déjà ce ticket."),
        ("assign", {"assignee": world.owner.uid}, "assignee", None),
    ]
    for action, values, field, message in cases:
        answer = manager.submit(f"/tickets/{ticket.id}/{action}", **values)
        assert answer.status_code == 422, (action, values, answer.status_code)
        assert f'id="hd-{field}-error"' in answer.text, (action, values)
        if message:
            assert message in text(answer), (action, values)
    assert db.session.get(Ticket, ticket.id).status is Status.IN_PROGRESS


def test_an_internal_note_stays_with_the_service_and_quiet_actions_alert_nobody(world, browser):
    ticket = ticket_in(db.session, world, Status.IN_PROGRESS)
    manager, owner = browser(world.tm), browser(world.owner)
    note = manager.submit(
        f"/tickets/{ticket.id}/comment", message="Utilisateur déjà vu hier.", scope="manager"
    )
    assert note.status_code == 303
    assert "Utilisateur déjà vu hier." in text(manager.get(f"/tickets/{ticket.id}"))
    assert "Utilisateur déjà vu hier." not in text(owner.get(f"/tickets/{ticket.id}"))

    quiet = manager.submit(f"/tickets/{ticket.id}/change_priority", priority="4", quiet="y")
    assert quiet.status_code == 303
    event = db.session.scalars(sa.select(TicketEvent).order_by(TicketEvent.id.desc())).first()
    assert event.kind is Action.CHANGE_PRIORITY and event.alerted is False
    assert (
        db.session.scalar(
            sa.select(sa.func.count(OutboxMessage.id)).where(OutboxMessage.event_id == event.id)
        )
        == 0
    )
    assert 'name="hd-quiet"' not in owner.get(f"/tickets/{ticket.id}/comment").text


def test_saved_responses_are_written_then_inserted_into_a_message(world, browser):
    ticket = ticket_in(db.session, world, Status.IN_PROGRESS)
    manager = browser(world.tm)  # the manager in charge of the ticket
    created = manager.submit(
        "/responses/new?kind=personal",
        label="Redémarrage",
        message="Merci de redémarrer votre poste.\n@SIGNATURE@",
    )
    assert created.status_code == 303
    service = browser(world.dm).submit(
        f"/responses/new?kind=department&department={world.service.id}",
        label="Horaires",
        message="Le service est ouvert de 8 h à 17 h.",
    )
    assert service.status_code == 303
    assert browser(world.dm).get("/responses/new?kind=global").status_code == 404  # admins only
    assert browser(world.owner).get("/responses").status_code == 404

    page, fields = manager.form(f"/tickets/{ticket.id}/request_information")
    response = db.session.scalar(sa.select(Response).where(Response.label == "Redémarrage"))
    inserted = manager.post(
        f"/tickets/{ticket.id}/request_information",
        data={
            **fields,
            "hd-message": "Bonjour,",
            "hd-response": str(response.id),
            "hd-insert": "Insérer",
        },
    )
    assert inserted.status_code == 200
    assert "Bonjour,\n\nMerci de redémarrer votre poste.\nJean DUPONT" in inserted.text
    assert db.session.get(Ticket, ticket.id).status is Status.IN_PROGRESS  # nothing sent yet


def test_managers_see_who_asks_and_their_other_tickets(world, browser):
    first = ticket_in(db.session, world, Status.APPROVED, subject="Ancienne demande")
    ticket = ticket_in(db.session, world, Status.FREE, subject="Nouvelle demande")
    world.owner.attributes = {
        "eduPersonAffiliation": ["student", "member"],
        "supannEntiteAffectation": ["UFR-SCI"],
    }
    db.session.commit()
    seen_by_manager = text(browser(world.dm).get(f"/tickets/{ticket.id}"))
    assert "Demandeur" in seen_by_manager and "esup9992@univ.example" in seen_by_manager
    assert "student, member" in seen_by_manager and "UFR-SCI" in seen_by_manager
    assert f"Ticket n°{first.id} : Ancienne demande" in seen_by_manager
    assert "Demandeur" not in text(browser(world.owner).get(f"/tickets/{ticket.id}"))


def test_a_ticket_sent_to_another_service_can_be_returned_to_its_sender(world, browser):
    ticket = ticket_in(db.session, world, Status.IN_PROGRESS)
    other_manager = add_manager(db.session, world.other_service, world.newcomer)
    db.session.commit()
    sent = browser(world.tm).submit(
        f"/tickets/{ticket.id}/change_department", category=str(world.other_category.id)
    )
    assert sent.status_code == 303
    moved = db.session.get(Ticket, ticket.id)
    assert (moved.department_id, moved.status) == (world.other_service.id, Status.FREE)

    receiver = browser(world.newcomer)
    assert "Retourner à l'envoyeur" in text(receiver.get(f"/tickets/{ticket.id}"))
    back = receiver.submit(f"/tickets/{ticket.id}/return-to-sender", message="Pas pour nous.")
    assert back.status_code == 303
    db.session.expire_all()
    returned = db.session.get(Ticket, ticket.id)
    assert (returned.department_id, returned.manager_id, returned.status) == (
        world.service.id,
        world.tm.id,
        Status.IN_PROGRESS,
    )
    assert other_manager.id


def test_the_queue_costs_the_same_queries_with_a_thousand_tickets(world, browser, app):
    from sqlalchemy import event

    def queries(url: str) -> int:
        counted = []
        listener = lambda *args: counted.append(1)  # noqa: E731
        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert manager.get(url).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(counted)

    manager = browser(world.dm)
    ticket_in(db.session, world, Status.FREE, invite=False, attach=False)
    url = "/portlet/dashboard?view=services&involvement=any&status=any"
    queries(url)
    few = queries(url)
    now = utcnow()
    db.session.execute(
        sa.insert(Ticket),
        [
            {
                "subject": f"Demande {n}",
                "owner_id": world.owner.id,
                "creator_id": world.owner.id,
                "department_id": world.service.id,
                "category_id": world.category.id,
                "status": Status.FREE,
                "priority": 3,
                "scope": "private",
                "origin": "web",
                "created_at": now,
                "last_action_at": now,
                "spent_minutes": 0,
                "version": 1,
            }
            for n in range(1000)
        ],
    )
    db.session.commit()
    assert "1001" in text(manager.get(url))
    assert queries(url) == few


@pytest.mark.parametrize("who", ["tm", "owner"])
def test_the_requester_view_of_the_dashboard_stays_for_everyone(world, browser, who):
    ticket_in(db.session, world, Status.IN_PROGRESS, subject="Ma demande à moi")
    page = browser(getattr(world, who)).get("/dashboard?view=mine&involvement=mine")
    assert page.status_code == 200
