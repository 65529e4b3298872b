"""Every cell of the workflow table, on both databases.

For each status, action and role, someone who holds exactly that role tries the
action. Where the table allows it, the ticket reaches the rule's status and the
history says who did what; everywhere else the action is refused and nothing in
the database changes.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import Attachment, Invitation, OutboxMessage, Ticket, TicketEvent
from models.db import utcnow
from models.enums import Action, Actor, Origin, Status, TicketScope
from models.errors import NotAllowed
from models.operations import act
from models.permissions import actors_of
from models.workflow import TRANSITIONS, Target
from tests.factories import add_manager, build_world, new_attachment, ticket_in

ACTIONS = [action for action in Action if action is not Action.CREATE]
# Nobody manages a free ticket: the (Libre, …, ticket manager) cells cannot happen.
CELLS = [
    (status, action, actor)
    for status in Status
    for action in ACTIONS
    for actor in Actor
    if not (status is Status.FREE and actor is Actor.TICKET_MANAGER)
]
MESSAGE = "Parce que."


@pytest.fixture(scope="module")
def university(engine):
    """One world with a ticket in each status, built once per database and module.

    The ticket manager then leaves the service for the other one, so that the
    persona playing « ticket manager » holds that role and no other.
    """
    with engine.connect() as connection:
        outer = connection.begin()
        with Session(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        ) as session:
            world = build_world(session)
            tickets = {status: ticket_in(session, world, status).id for status in Status}
            session.delete(world.service.manager_of(world.tm))
            add_manager(session, world.other_service, world.tm)
            session.commit()
        yield connection, world, tickets
        outer.rollback()


@pytest.fixture
def cell(university):
    """A session on the prepared university; whatever the test does is undone."""
    connection, world, tickets = university
    savepoint = connection.begin_nested()
    with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
        yield session, world.reload(session), tickets
    savepoint.rollback()


def valid_inputs(action: Action, world, ticket: Ticket) -> dict:
    """Inputs that are right for the action, so only the table can refuse it."""
    return {
        Action.ASSIGN: {"assignee": world.colleague},
        Action.POSTPONE: {"recall_at": utcnow() + timedelta(days=7)},
        Action.INVITE: {"invitee": world.newcomer},
        Action.REMOVE_INVITATION: {"invitee": world.invitee},
        Action.UPLOAD: {"attachment": new_attachment("journal.txt")},
        Action.DELETE_ATTACHMENT: {"attachment": ticket.attachments[0]},
        Action.CHANGE_SUBJECT: {"subject": "Wi-Fi toujours absent en salle 101"},
        Action.CHANGE_OWNER: {"owner": world.newcomer},
        Action.CHANGE_PRIORITY: {"priority": 5},
        Action.CHANGE_SCOPE: {"ticket_scope": TicketScope.INTRANET},
        Action.CHANGE_ORIGIN: {"origin": Origin.PHONE},
        Action.CHANGE_SPENT_TIME: {"spent_minutes": 30},
        Action.CHANGE_CATEGORY: {"category": world.sibling},
        Action.CHANGE_DEPARTMENT: {"category": world.other_category},
    }.get(action, {})


def expected_allowed(status: Status, action: Action, actor: Actor) -> bool:
    """In this world every condition holds, the service manager holds every right,
    and the ticket manager (who left the service) holds none."""
    rule = TRANSITIONS.get((status, action, actor))
    return rule is not None and (rule.right is None or actor is Actor.DEPARTMENT_MANAGER)


def database_state(session: Session, ticket_id: int) -> dict:
    """Everything an action could write about this ticket, read from the database."""
    row = session.execute(sa.select(Ticket.__table__).where(Ticket.id == ticket_id)).one()

    def rows(model, *columns):
        query = sa.select(*columns).where(model.ticket_id == ticket_id).order_by(*columns)
        return [tuple(r) for r in session.execute(query)]

    return {
        "ticket": dict(row._mapping),
        "events": rows(TicketEvent, TicketEvent.id),
        "outbox": rows(OutboxMessage, OutboxMessage.id),
        "invitations": rows(Invitation, Invitation.user_id),
        "attachments": rows(Attachment, Attachment.id, Attachment.deleted_at),
    }


@pytest.mark.parametrize(("status", "action", "actor"), CELLS, ids=lambda v: v.value)
def test_each_cell_does_what_the_table_says(cell, status, action, actor):
    session, world, tickets = cell
    ticket = session.get(Ticket, tickets[status])
    user = world.persona(actor)
    assert actors_of(user, ticket) == [actor]
    inputs = valid_inputs(action, world, ticket)
    before = database_state(session, ticket.id)
    had_manager = ticket.manager_id is not None

    if not expected_allowed(status, action, actor):
        with pytest.raises(NotAllowed):
            act(session, ticket.id, action, user=user, message=MESSAGE, **inputs)
        assert database_state(session, ticket.id) == before
        return

    event = act(session, ticket.id, action, user=user, message=MESSAGE, **inputs)
    rule = TRANSITIONS[status, action, actor]
    if rule.to is Target.KEEP:
        target = status
    elif rule.to is Target.REOPENED:
        target = Status.IN_PROGRESS if had_manager else Status.FREE
    else:
        target = rule.to
    assert (event.kind, event.actor, event.status_before, event.status_after) == (
        action,
        actor,
        status,
        target,
    )
    assert event.author_id == (user.id if user else None)
    assert event.message == MESSAGE
    ticket = session.get(Ticket, ticket.id)
    history = ticket.events
    assert len(history) > len(before["events"]) and event in history
    assert ticket.status is history[-1].status_after
    assert ticket.last_action_at == event.created_at
    assert ticket.version > before["ticket"]["version"]
    recipients = session.scalars(
        sa.select(OutboxMessage.recipient_id).where(OutboxMessage.event_id == event.id)
    )
    assert event.author_id not in set(recipients)


@pytest.mark.parametrize(
    ("status", "action", "actor"),
    [key for key, rule in TRANSITIONS.items() if rule.right is not None],
    ids=lambda v: v.value,
)
def test_rows_that_need_a_right_are_refused_without_it(cell, status, action, actor):
    session, world, tickets = cell
    ticket = session.get(Ticket, tickets[status])
    rule = TRANSITIONS[status, action, actor]
    user = world.dm
    if actor is Actor.TICKET_MANAGER:  # a ticket manager still in the service
        user = world.tm
        add_manager(session, world.service, world.tm)
    membership = world.service.manager_of(user)
    inputs = valid_inputs(action, world, ticket)

    setattr(membership, f"can_{rule.right.value}", False)
    session.commit()
    with pytest.raises(NotAllowed):
        act(session, ticket.id, action, user=user, message=MESSAGE, **inputs)

    setattr(membership, f"can_{rule.right.value}", True)
    session.commit()
    event = act(session, ticket.id, action, user=user, message=MESSAGE, **inputs)
    assert (event.kind, event.actor) == (action, actor)


def test_the_table_names_every_status_action_and_role():
    assert {status for status, _, _ in TRANSITIONS} - {None} == set(Status)
    assert {action for _, action, _ in TRANSITIONS} == set(Action)
    assert {actor for _, _, actor in TRANSITIONS} == set(Actor)
    assert not [
        key for key in TRANSITIONS if key[0] is Status.FREE and key[2] is Actor.TICKET_MANAGER
    ]
