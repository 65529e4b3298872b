"""What the workflow must say, written down independently of its table.

The table tests check that the code does what the table says; these check that
the table says what the user guide and ESUP-Helpdesk's rules say (and where we
deliberately do better, that we do).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from models.db import utcnow
from models.enums import Action, Actor, AssignmentAlgorithm, Right, Status
from models.errors import InvalidValue, MessageRequired, NotAllowed
from models.operations import act, act_many
from models.workflow import TRANSITIONS, Guard, Target, available_actions
from tests.factories import add_manager

S, A, R = Status, Action, Actor
REOPENED = Target.REOPENED

# (status, action, role) → where the ticket goes, or None where it is forbidden.
SPEC = [
    # The guide, §I: a new ticket is « Libre » until a manager of the service takes it.
    (None, A.CREATE, R.OWNER, S.FREE),
    (S.FREE, A.TAKE, R.DEPARTMENT_MANAGER, S.IN_PROGRESS),
    (S.FREE, A.TAKE, R.OWNER, None),
    (S.FREE, A.TAKE, R.INVITEE, None),
    (S.IN_PROGRESS, A.TAKE, R.DEPARTMENT_MANAGER, S.IN_PROGRESS),
    # §II: the manager asks for information; the owner's comment sends it back.
    (S.IN_PROGRESS, A.REQUEST_INFORMATION, R.TICKET_MANAGER, S.INCOMPLETE),
    (S.IN_PROGRESS, A.REQUEST_INFORMATION, R.OWNER, None),
    (S.INCOMPLETE, A.COMMENT, R.OWNER, S.IN_PROGRESS),
    (S.INCOMPLETE, A.COMMENT, R.INVITEE, S.INCOMPLETE),
    (S.INCOMPLETE, A.COMMENT, R.DEPARTMENT_MANAGER, S.INCOMPLETE),
    (S.CLOSED, A.COMMENT, R.OWNER, S.CLOSED),
    (S.APPROVED, A.COMMENT, R.INVITEE, S.APPROVED),
    # §III: the manager asks to close; only the owner approves or refuses.
    (S.IN_PROGRESS, A.CLOSE, R.TICKET_MANAGER, S.CLOSED),
    (S.IN_PROGRESS, A.CLOSE, R.DEPARTMENT_MANAGER, None),
    (S.IN_PROGRESS, A.CLOSE, R.OWNER, None),
    (S.IN_PROGRESS, A.CLOSE_BY_OWNER, R.OWNER, S.APPROVED),
    (S.CLOSED, A.APPROVE_CLOSURE, R.OWNER, S.APPROVED),
    (S.CLOSED, A.APPROVE_CLOSURE, R.TICKET_MANAGER, None),
    (S.CLOSED, A.APPROVE_CLOSURE, R.ADMIN, None),
    (S.CLOSED, A.REFUSE_CLOSURE, R.OWNER, REOPENED),
    (S.CLOSED, A.REFUSE_CLOSURE, R.INVITEE, None),
    (S.IN_PROGRESS, A.APPROVE_CLOSURE, R.OWNER, None),
    # Silence: a closure nobody approves expires; only the application does that.
    (S.CLOSED, A.EXPIRE, R.APPLICATION, S.EXPIRED),
    (S.CLOSED, A.EXPIRE, R.TICKET_MANAGER, None),
    (S.IN_PROGRESS, A.EXPIRE, R.APPLICATION, None),
    # Postponing and recalling.
    (S.IN_PROGRESS, A.POSTPONE, R.TICKET_MANAGER, S.POSTPONED),
    (S.POSTPONED, A.POSTPONE, R.TICKET_MANAGER, None),
    (S.POSTPONED, A.CANCEL_POSTPONEMENT, R.TICKET_MANAGER, S.IN_PROGRESS),
    (S.POSTPONED, A.CANCEL_POSTPONEMENT, R.APPLICATION, S.IN_PROGRESS),
    # Releasing: « Libre » always means nobody handles it (ESUP kept « Incomplet »).
    (S.IN_PROGRESS, A.FREE, R.TICKET_MANAGER, S.FREE),
    (S.INCOMPLETE, A.FREE, R.TICKET_MANAGER, S.FREE),
    (S.POSTPONED, A.FREE, R.TICKET_MANAGER, S.FREE),
    # Ending: the owner cancels, the manager refuses.
    (S.FREE, A.CANCEL, R.OWNER, S.CANCELLED),
    (S.IN_PROGRESS, A.CANCEL, R.TICKET_MANAGER, None),
    (S.CLOSED, A.CANCEL, R.OWNER, None),
    (S.IN_PROGRESS, A.REFUSE, R.TICKET_MANAGER, S.REFUSED),
    (S.IN_PROGRESS, A.REFUSE, R.OWNER, None),
    # Reopening: the owner only once it is over (awaiting approval, they refuse
    # the closure instead); managers with the right, and the ticket's own manager
    # (ESUP meant to allow them but its check never matched).
    (S.APPROVED, A.REOPEN, R.OWNER, REOPENED),
    (S.EXPIRED, A.REOPEN, R.OWNER, REOPENED),
    (S.CLOSED, A.REOPEN, R.OWNER, None),
    (S.CLOSED, A.REOPEN, R.DEPARTMENT_MANAGER, REOPENED),
    (S.APPROVED, A.REOPEN, R.TICKET_MANAGER, REOPENED),
    (S.IN_PROGRESS, A.REOPEN, R.DEPARTMENT_MANAGER, None),
    # Properties: the owner changes priority and visibility only while it is open.
    (S.IN_PROGRESS, A.CHANGE_PRIORITY, R.OWNER, S.IN_PROGRESS),
    (S.APPROVED, A.CHANGE_PRIORITY, R.OWNER, None),
    (S.APPROVED, A.CHANGE_PRIORITY, R.TICKET_MANAGER, S.APPROVED),
    (S.IN_PROGRESS, A.CHANGE_OWNER, R.OWNER, None),
    (S.IN_PROGRESS, A.CHANGE_ORIGIN, R.OWNER, None),
    (S.FREE, A.CHANGE_DEPARTMENT, R.DEPARTMENT_MANAGER, S.FREE),
    (S.APPROVED, A.CHANGE_DEPARTMENT, R.DEPARTMENT_MANAGER, None),
    # Invitations and files.
    (S.IN_PROGRESS, A.INVITE, R.OWNER, S.IN_PROGRESS),
    (S.IN_PROGRESS, A.INVITE, R.INVITEE, None),
    (S.IN_PROGRESS, A.UPLOAD, R.INVITEE, S.IN_PROGRESS),
    (S.IN_PROGRESS, A.DELETE_ATTACHMENT, R.INVITEE, None),
]


@pytest.mark.parametrize(
    ("status", "action", "actor", "to"), SPEC, ids=lambda v: getattr(v, "value", str(v))
)
def test_the_table_says_what_the_guide_says(status, action, actor, to):
    rule = TRANSITIONS.get((status, action, actor))
    reached = None if rule is None else status if rule.to is Target.KEEP else rule.to
    assert reached == to


@pytest.mark.parametrize(
    "action",
    [A.REQUEST_INFORMATION, A.REFUSE_CLOSURE, A.REFUSE, A.REOPEN, A.COMMENT, A.DELETE_ATTACHMENT],
)
def test_actions_that_must_say_why_refuse_an_empty_message(session, world, make_ticket, action):
    status, user, inputs = {
        A.REQUEST_INFORMATION: (S.IN_PROGRESS, "tm", {}),
        A.REFUSE_CLOSURE: (S.CLOSED, "owner", {}),
        A.REFUSE: (S.IN_PROGRESS, "tm", {}),
        A.REOPEN: (S.APPROVED, "owner", {}),
        A.COMMENT: (S.IN_PROGRESS, "owner", {}),
        A.DELETE_ATTACHMENT: (S.IN_PROGRESS, "owner", {}),
    }[action]
    ticket = make_ticket(status)
    if action is A.DELETE_ATTACHMENT:
        inputs = {"attachment": ticket.attachments[0]}
    events = len(ticket.events)
    for message in ("", "   \n\t  "):
        with pytest.raises(MessageRequired) as error:
            act(session, ticket.id, action, user=getattr(world, user), message=message, **inputs)
        assert error.value.field == "message"
    session.refresh(ticket)
    assert (ticket.status, len(ticket.events)) == (status, events)


def test_a_service_manager_cannot_take_a_ticket_they_already_handle(session, world, make_ticket):
    ticket = make_ticket(S.IN_PROGRESS)
    assert A.TAKE not in available_actions(ticket, world.tm)
    assert A.TAKE in available_actions(ticket, world.dm)
    with pytest.raises(NotAllowed):
        act(session, ticket.id, A.TAKE, user=world.tm)


def test_assigning_needs_another_available_manager(session, world, make_ticket):
    ticket = make_ticket(S.FREE)
    assert A.ASSIGN in available_actions(ticket, world.dm)
    for manager in world.service.managers:
        manager.is_available = False
    session.commit()
    assert A.ASSIGN not in available_actions(ticket, world.dm)
    with pytest.raises(NotAllowed):
        act(session, ticket.id, A.ASSIGN, user=world.dm, assignee=world.colleague)


def test_assigning_checks_who_is_assigned(session, world, make_ticket):
    ticket = make_ticket(S.FREE)
    with pytest.raises(InvalidValue) as error:
        act(session, ticket.id, A.ASSIGN, user=world.dm, assignee=world.owner)
    assert error.value.field == "assignee"
    world.service.manager_of(world.colleague).is_available = False
    session.commit()
    with pytest.raises(InvalidValue):
        act(session, ticket.id, A.ASSIGN, user=world.dm, assignee=world.colleague)
    event = act(session, ticket.id, A.ASSIGN, user=world.dm, assignee=world.tm)
    assert (event.manager_id_before, event.manager_id_after) == (None, world.tm.id)
    assert ticket.manager == world.tm and ticket.status is S.IN_PROGRESS


def test_the_recall_and_expiry_conditions_hold_the_application_back(session, world, make_ticket):
    recent = utcnow() - timedelta(hours=2)
    postponed = make_ticket(S.POSTPONED, start=recent)  # recall date tomorrow
    closed = make_ticket(S.CLOSED, start=recent)  # closed an hour ago
    assert TRANSITIONS[S.POSTPONED, A.CANCEL_POSTPONEMENT, R.APPLICATION].guard is Guard.RECALL_DUE
    with pytest.raises(NotAllowed):
        act(session, postponed.id, A.CANCEL_POSTPONEMENT, user=None)
    with pytest.raises(NotAllowed):
        act(session, closed.id, A.EXPIRE, user=None)
    later = utcnow() + timedelta(days=15)
    assert (
        act(session, postponed.id, A.CANCEL_POSTPONEMENT, user=None, now=later).status_after
        is S.IN_PROGRESS
    )
    assert act(session, closed.id, A.EXPIRE, user=None, now=later).status_after is S.EXPIRED


def test_a_refused_closure_goes_back_to_the_manager_who_closed(session, world, make_ticket):
    ticket = make_ticket(S.CLOSED)
    event = act(
        session,
        ticket.id,
        A.REFUSE_CLOSURE,
        user=world.owner,
        message="L'imprimante ne fonctionne toujours pas.",
    )
    assert (event.status_after, ticket.manager) == (S.IN_PROGRESS, world.tm)
    assert ticket.resolution_seconds is None


def test_a_ticket_whose_manager_left_the_service_returns_to_the_pool(session, world, make_ticket):
    ticket = make_ticket(S.APPROVED)
    session.delete(world.service.manager_of(world.tm))
    session.commit()
    act(session, ticket.id, A.REOPEN, user=world.owner, message="Le problème est revenu.")
    reopen, release = ticket.events[-2:]
    assert (reopen.kind, reopen.status_after) == (A.REOPEN, S.IN_PROGRESS)
    assert (release.kind, release.actor, release.author_id) == (A.FREE, R.APPLICATION, None)
    assert (release.manager_id_before, ticket.manager_id, ticket.status) == (
        world.tm.id,
        None,
        S.FREE,
    )


def test_moving_to_another_service_releases_and_reassigns(session, world, make_ticket):
    ticket = make_ticket(S.IN_PROGRESS)
    newcomer_manager = add_manager(session, world.other_service, world.newcomer)
    world.other_category.assignment_algorithm = AssignmentAlgorithm.FIRST_AVAILABLE
    session.commit()
    act(session, ticket.id, A.CHANGE_DEPARTMENT, user=world.tm, category=world.other_category)
    move, release, assign = ticket.events[-3:]
    assert (move.department_id_before, move.department_id_after) == (
        world.service.id,
        world.other_service.id,
    )
    assert (move.category_id_before, move.category_id_after) == (
        world.category.id,
        world.other_category.id,
    )
    assert (release.kind, release.status_after) == (A.FREE, S.FREE)
    assert (assign.kind, assign.actor, assign.manager_id_after) == (
        A.ASSIGN,
        R.APPLICATION,
        newcomer_manager.user_id,
    )
    assert (ticket.department, ticket.category, ticket.status) == (
        world.other_service,
        world.other_category,
        S.IN_PROGRESS,
    )


def test_moving_to_another_service_needs_the_right_or_to_manage_it(session, world, make_ticket):
    ticket = make_ticket(S.FREE)
    membership = world.service.manager_of(world.colleague)
    membership.can_move_department = False
    session.commit()
    with pytest.raises(NotAllowed):
        act(
            session,
            ticket.id,
            A.CHANGE_DEPARTMENT,
            user=world.colleague,
            category=world.other_category,
        )
    add_manager(session, world.other_service, world.colleague)
    session.commit()
    act(
        session, ticket.id, A.CHANGE_DEPARTMENT, user=world.colleague, category=world.other_category
    )
    assert ticket.department == world.other_service


@pytest.mark.parametrize(
    ("inputs", "field"),
    [
        ({"category": "sibling_in_other_service"}, "category"),
        ({"category": "same"}, "category"),
    ],
)
def test_moving_within_the_service_checks_the_category(session, world, make_ticket, inputs, field):
    ticket = make_ticket(S.IN_PROGRESS)
    category = (
        world.other_category if inputs["category"] == "sibling_in_other_service" else world.category
    )
    with pytest.raises(InvalidValue) as error:
        act(session, ticket.id, A.CHANGE_CATEGORY, user=world.tm, category=category)
    assert error.value.field == field


def test_closing_asks_for_the_time_spent_when_the_service_requires_it(session, world, make_ticket):
    world.service.spent_time_required = True
    session.commit()
    ticket = make_ticket(S.IN_PROGRESS)
    with pytest.raises(InvalidValue) as error:
        act(session, ticket.id, A.CLOSE, user=world.tm)
    assert error.value.field == "spent_minutes"
    for bad in (-5, "une heure", 10**9):
        with pytest.raises(InvalidValue):
            act(session, ticket.id, A.CLOSE, user=world.tm, spent_minutes=bad)
    event = act(session, ticket.id, A.CLOSE, user=world.tm, spent_minutes=45)
    assert (event.spent_minutes_before, event.spent_minutes_after, event.status_after) == (
        0,
        45,
        S.CLOSED,
    )


def test_changes_of_properties_keep_their_before_and_after(session, world, make_ticket):
    ticket = make_ticket(S.IN_PROGRESS)
    steps = [
        (
            A.CHANGE_SUBJECT,
            {"subject": "  Wi-Fi   absent\n salle 101 "},
            "subject",
            "Wi-Fi absent salle 101",
        ),
        (A.CHANGE_PRIORITY, {"priority": "5"}, "priority", 5),
        (A.CHANGE_SCOPE, {"ticket_scope": "intranet"}, "scope", "intranet"),
        (A.CHANGE_ORIGIN, {"origin": "phone"}, "origin", "phone"),
        (A.CHANGE_SPENT_TIME, {"spent_minutes": 90}, "spent_minutes", 90),
        (A.CHANGE_OWNER, {"owner": world.newcomer}, "owner_id", world.newcomer.id),
    ]
    for action, inputs, field, after in steps:
        before = getattr(ticket, field)
        event = act(session, ticket.id, action, user=world.tm, **inputs)
        assert (getattr(event, f"{field}_before"), getattr(event, f"{field}_after")) == (
            before,
            after,
        )
        assert getattr(ticket, field) == after
        with pytest.raises(InvalidValue, match="already"):
            act(session, ticket.id, action, user=world.tm, **inputs)


@pytest.mark.parametrize(
    ("action", "inputs", "field"),
    [
        (A.CHANGE_SUBJECT, {"subject": ""}, "subject"),
        (A.CHANGE_SUBJECT, {"subject": "x" * 10_000}, "subject"),
        (A.CHANGE_PRIORITY, {"priority": 9}, "priority"),
        (A.CHANGE_PRIORITY, {"priority": "haute"}, "priority"),
        (A.CHANGE_SCOPE, {"ticket_scope": "everyone"}, "ticket_scope"),
        (A.CHANGE_ORIGIN, {"origin": "pigeon"}, "origin"),
        (A.POSTPONE, {"recall_at": "demain"}, "recall_at"),
        (A.POSTPONE, {"recall_at": utcnow() - timedelta(days=1)}, "recall_at"),
        (A.COMMENT, {"message": "x" * 20_001}, "message"),
        (A.COMMENT, {"message": "ok", "scope": "nobody"}, "scope"),
    ],
)
def test_bad_input_is_refused_beside_its_field_and_changes_nothing(
    session, world, make_ticket, action, inputs, field
):
    ticket = make_ticket(S.IN_PROGRESS)
    version, events = ticket.version, len(ticket.events)
    with pytest.raises(InvalidValue) as error:
        act(session, ticket.id, action, user=world.tm, **inputs)
    assert error.value.field == field
    assert str(error.value.message)
    session.refresh(ticket)
    assert (ticket.version, len(ticket.events)) == (version, events)


def test_the_owner_may_not_hide_a_comment_from_themselves_as_managers_do(
    session, world, make_ticket
):
    ticket = make_ticket(S.IN_PROGRESS)
    with pytest.raises(InvalidValue):
        act(session, ticket.id, A.COMMENT, user=world.owner, message="secret", scope="manager")
    note = act(
        session, ticket.id, A.COMMENT, user=world.tm, message="Note interne", scope="manager"
    )
    assert note.scope.value == "manager"


def test_take_and_close_is_one_transaction(session, world, make_ticket):
    ticket = make_ticket(S.FREE)
    take, close = act_many(
        session, ticket.id, [(A.TAKE, {}), (A.CLOSE, {"message": "Fait."})], user=world.dm
    )
    assert (take.status_after, close.status_after, ticket.manager) == (
        S.IN_PROGRESS,
        S.CLOSED,
        world.dm,
    )

    other = make_ticket(S.FREE)
    events = len(other.events)
    with pytest.raises(MessageRequired):  # the second step fails: the first is undone
        act_many(
            session,
            other.id,
            [(A.TAKE, {}), (A.REQUEST_INFORMATION, {"message": ""})],
            user=world.dm,
        )
    session.refresh(other)
    assert (other.status, other.manager_id, len(other.events)) == (S.FREE, None, events)


def test_the_clocks_measure_reaction_and_resolution(session, world, make_ticket):
    start = utcnow() - timedelta(days=3)
    ticket = make_ticket(S.FREE, start=start)
    assert ticket.reaction_seconds is None
    act(
        session,
        ticket.id,
        A.COMMENT,
        user=world.owner,
        message="Toujours rien.",
        now=start + timedelta(hours=1),
    )
    assert ticket.reaction_seconds is None  # the owner's own comment is no reaction
    act(session, ticket.id, A.TAKE, user=world.dm, now=start + timedelta(hours=2))
    assert ticket.reaction_seconds == 2 * 3600
    act(session, ticket.id, A.CLOSE, user=world.dm, now=start + timedelta(hours=5))
    assert ticket.resolution_seconds == 5 * 3600
    act(session, ticket.id, A.APPROVE_CLOSURE, user=world.owner, now=start + timedelta(hours=6))
    assert (ticket.reaction_seconds, ticket.resolution_seconds) == (2 * 3600, 5 * 3600)
    assert ticket.last_action_at == start + timedelta(hours=6)


def test_rights_can_be_read_and_set_as_a_set(session, world):
    membership = world.service.manager_of(world.colleague)
    membership.set_rights({Right.TAKE_FREE})
    assert membership.rights == {Right.TAKE_FREE}
    assert not membership.has_right(Right.REFUSE)
