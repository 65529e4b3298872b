"""« Créer le ticket »: what is accepted, and what is refused without writing anything."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from models import Category, OutboxMessage, Ticket, TicketEvent
from models.enums import Action, Actor, Origin, Status, TicketScope
from models.errors import (
    CategoryTakesNoTickets,
    DepartmentDisabled,
    InvalidValue,
    MessageRequired,
    NotAllowed,
    UnknownCategory,
)
from models.operations import file_ticket

MESSAGE = "Bonjour,\nOù sont placés les extincteurs à la Présidence ?\nMerci d'avance"


def counts(session):
    return tuple(
        session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (Ticket, TicketEvent, OutboxMessage)
    )


def test_a_user_files_a_ticket_in_a_category_and_it_goes_to_its_service(session, world):
    ticket = file_ticket(
        session,
        creator=world.owner,
        category_id=world.category.id,
        subject="Extincteurs Présidence",
        message=MESSAGE,
    )
    assert (ticket.status, ticket.manager, ticket.department) == (Status.FREE, None, world.service)
    assert (ticket.owner, ticket.creator, ticket.origin) == (world.owner, world.owner, Origin.WEB)
    assert (ticket.priority, ticket.scope) == (3, TicketScope.PRIVATE)
    (created,) = ticket.events
    assert (created.kind, created.actor, created.author, created.message) == (
        Action.CREATE,
        Actor.OWNER,
        world.owner,
        MESSAGE,
    )
    assert (created.status_before, created.status_after) == (None, Status.FREE)


def test_categories_give_their_defaults_to_new_tickets(session, world):
    parent = Category(
        department=world.service,
        label="Poste de travail",
        default_priority=4,
        accepts_tickets=True,
        default_scope=TicketScope.INTRANET,
    )
    child = Category(
        department=world.service, label="Imprimantes", parent=parent, default_priority=2
    )
    session.add_all([parent, child])
    world.service.default_priority = 1
    session.commit()
    from_child = file_ticket(
        session, creator=world.owner, category_id=child.id, subject="Bourrage", message=MESSAGE
    )
    from_parent = file_ticket(
        session,
        creator=world.owner,
        category_id=parent.id,
        subject="Écran",
        message=MESSAGE,
        priority=5,
        scope="subject_only",
    )
    from_service = file_ticket(
        session, creator=world.owner, category_id=world.sibling.id, subject="Quota", message=MESSAGE
    )
    assert (from_child.priority, from_child.scope) == (2, TicketScope.INTRANET)
    assert (from_parent.priority, from_parent.scope) == (5, TicketScope.SUBJECT_ONLY)
    assert (from_service.priority, from_service.scope) == (1, TicketScope.PRIVATE)
    assert child.inherited("default_scope") == (TicketScope.INTRANET, parent)
    assert child.inherited("expiry_days") == (14, world.service)


def test_a_manager_files_a_phone_call_for_someone_else(session, world):
    ticket = file_ticket(
        session,
        creator=world.dm,
        owner=world.owner,
        origin="phone",
        category_id=world.category.id,
        subject="Appel : plus de réseau",
        message="Appel de l'étudiant à 9 h.",
    )
    assert (ticket.owner, ticket.creator, ticket.origin) == (world.owner, world.dm, Origin.PHONE)
    assert ticket.events[0].actor is Actor.DEPARTMENT_MANAGER


@pytest.mark.parametrize(
    ("change", "error", "field"),
    [
        ({"category_id": 999_999}, UnknownCategory, None),
        ({"category_id": "abc"}, UnknownCategory, None),
        ({"category_id": 10**40}, UnknownCategory, None),
        ({"subject": ""}, InvalidValue, "subject"),
        ({"subject": " \n\t "}, InvalidValue, "subject"),
        ({"subject": "x" * 10_000}, InvalidValue, "subject"),
        ({"message": ""}, MessageRequired, "message"),
        ({"priority": 9}, InvalidValue, "priority"),
        ({"priority": 0}, InvalidValue, "priority"),
        ({"scope": "everyone"}, InvalidValue, "scope"),
        ({"origin": "phone"}, InvalidValue, "origin"),  # only managers record phone calls
        ({"owner": "someone else"}, NotAllowed, None),
        ({"disable_service": True}, DepartmentDisabled, "category"),
        ({"parent_category": True}, CategoryTakesNoTickets, "category"),
    ],
)
def test_bad_input_gets_a_clear_error_and_writes_nothing(session, world, change, error, field):
    change = dict(change)
    inputs = {
        "creator": world.owner,
        "category_id": world.category.id,
        "subject": "Extincteurs",
        "message": MESSAGE,
    }
    if change.pop("disable_service", False):
        world.service.is_enabled = False
        session.commit()
    if change.pop("parent_category", False):
        parent = Category(department=world.service, label="Bâtiments")
        session.add_all(
            [parent, Category(department=world.service, label="Bâtiment A", parent=parent)]
        )
        session.commit()
        inputs["category_id"] = parent.id
    if change.get("owner") == "someone else":
        change["owner"] = world.newcomer
    inputs.update(change)
    before = counts(session)
    with pytest.raises(error) as raised:
        file_ticket(session, **inputs)
    assert raised.value.field == field
    assert str(raised.value.message)
    assert counts(session) == before
