"""The ticket workflow: one table, and the one function that applies it.

``TRANSITIONS`` maps (status, action, role) to a ``Rule``: the status the ticket
goes to, the service right the role needs, and a named condition on the ticket.
A cell that is not in the table is forbidden. Routes, buttons, e-mail quick
links, batches, ``docs/workflow.md`` and the tests all read this table; nothing
else assigns ``Ticket.status``.

``perform`` applies one action inside the caller's transaction and never
commits; ``models.operations`` wraps it in transactions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from flask_babel import lazy_gettext as _l

from . import notifications
from .assignment import pick_assignee
from .attachments import Attachment
from .db import utcnow
from .enums import (
    FINAL_STATUSES,
    MANAGED_STATUSES,
    OPEN_STATUSES,
    Action,
    ActionScope,
    Actor,
    LabelledEnum,
    Origin,
    Right,
    Status,
    TicketScope,
)
from .errors import CategoryTakesNoTickets, DepartmentDisabled, InvalidValue, NotAllowed
from .faq.access import may_read as may_read_faq
from .faq.entries import FaqEntry
from .history import TRACKED_FIELDS, TicketEvent
from .involvement import Invitation
from .permissions import MANAGER_ROLES, actors_of, has_right, scopes_for
from .services import Category
from .tickets import Ticket
from .users import User
from .validation import (
    clean_choice,
    clean_future_date,
    clean_message,
    clean_minutes,
    clean_priority,
    clean_subject,
)

NEW = None  # the « status » of a ticket being created


class Target(LabelledEnum):
    """Where a rule sends the ticket when that is not one fixed status."""

    KEEP = "keep", _l("unchanged")
    REOPENED = "reopened", _l("Free if nobody handles it, else In progress")


class Guard(LabelledEnum):
    """A condition on the ticket that a rule adds to the role and the right."""

    NOT_ALREADY_MANAGER = "not_already_manager", _l("the actor does not handle it already")
    OTHER_MANAGER_AVAILABLE = (
        "other_manager_available",
        _l("another manager of the service is available"),
    )
    RECALL_DUE = "recall_due", _l("its recall date has passed")
    EXPIRY_DUE = "expiry_due", _l("it has awaited approval longer than its category's expiry delay")


@dataclass(frozen=True)
class Rule:
    to: Status | Target
    right: Right | None = None
    guard: Guard | None = None


S, A, R, KEEP = Status, Action, Actor, Target.KEEP
ANY = tuple(Status)
OPEN = tuple(s for s in Status if s in OPEN_STATUSES)
MANAGED = tuple(s for s in Status if s in MANAGED_STATUSES)
NOT_OPEN = tuple(s for s in Status if s not in OPEN_STATUSES)
FINAL = tuple(s for s in Status if s in FINAL_STATUSES)
HOLDERS = (R.OWNER, R.TICKET_MANAGER, R.DEPARTMENT_MANAGER, R.ADMIN)  # may invite, delete files
READERS = HOLDERS + (R.INVITEE,)  # may comment and attach, whatever the status

TRANSITIONS: dict[tuple[Status | None, Action, Actor], Rule] = {}


def _allow(
    statuses: Iterable[Status | None],
    action: Action,
    actors: Iterable[Actor],
    to: Status | Target,
    right: Right | None = None,
    guard: Guard | None = None,
) -> None:
    for status in statuses:
        for actor in actors:
            if status is S.FREE and actor is R.TICKET_MANAGER:
                continue  # nobody manages a free ticket: the cell cannot happen
            assert (status, action, actor) not in TRANSITIONS, (status, action, actor)
            TRANSITIONS[status, action, actor] = Rule(to, right, guard)


# fmt: off
# The owner files for themselves; a service manager may file on someone's behalf.
_allow([NEW], A.CREATE, [R.OWNER, R.DEPARTMENT_MANAGER], S.FREE)
# Taking and assigning.
_allow([S.FREE], A.TAKE, [R.DEPARTMENT_MANAGER], S.IN_PROGRESS, Right.TAKE_FREE)
_allow(MANAGED, A.TAKE, [R.DEPARTMENT_MANAGER], KEEP, Right.TAKE_ASSIGNED, Guard.NOT_ALREADY_MANAGER)  # noqa: E501
_allow([S.FREE], A.ASSIGN, [R.DEPARTMENT_MANAGER], S.IN_PROGRESS, Right.ASSIGN, Guard.OTHER_MANAGER_AVAILABLE)  # noqa: E501
_allow(MANAGED, A.ASSIGN, [R.DEPARTMENT_MANAGER], KEEP, Right.ASSIGN, Guard.OTHER_MANAGER_AVAILABLE)
_allow([S.FREE], A.ASSIGN, [R.APPLICATION], S.IN_PROGRESS)
_allow(MANAGED, A.FREE, [R.TICKET_MANAGER, R.APPLICATION], S.FREE)
_allow(NOT_OPEN, A.FREE, [R.APPLICATION], KEEP)  # a manager who left the service
# Asking the owner, who answers with a comment.
_allow(MANAGED, A.REQUEST_INFORMATION, [R.TICKET_MANAGER], S.INCOMPLETE)
_allow([s for s in ANY if s is not S.INCOMPLETE], A.COMMENT, READERS, KEEP)
_allow([S.INCOMPLETE], A.COMMENT, [R.OWNER, R.TICKET_MANAGER], S.IN_PROGRESS)
_allow([S.INCOMPLETE], A.COMMENT, [R.DEPARTMENT_MANAGER, R.INVITEE, R.ADMIN], KEEP)
# Postponing, and recalling by hand or when the recall date has come.
_allow([S.IN_PROGRESS, S.INCOMPLETE], A.POSTPONE, [R.TICKET_MANAGER], S.POSTPONED)
_allow([S.POSTPONED], A.CANCEL_POSTPONEMENT, [R.TICKET_MANAGER], S.IN_PROGRESS)
_allow([S.POSTPONED], A.CANCEL_POSTPONEMENT, [R.APPLICATION], S.IN_PROGRESS, guard=Guard.RECALL_DUE)
# Closing: the manager asks, the owner approves or refuses; silence expires it.
_allow(MANAGED, A.CLOSE, [R.TICKET_MANAGER], S.CLOSED)
_allow(OPEN, A.CLOSE_BY_OWNER, [R.OWNER], S.APPROVED)
_allow([S.CLOSED], A.APPROVE_CLOSURE, [R.OWNER], S.APPROVED)
_allow([S.CLOSED], A.REFUSE_CLOSURE, [R.OWNER], Target.REOPENED)
_allow([S.CLOSED], A.EXPIRE, [R.APPLICATION], S.EXPIRED, guard=Guard.EXPIRY_DUE)
# Ending otherwise, and starting again.
_allow(OPEN, A.CANCEL, [R.OWNER], S.CANCELLED)
_allow(MANAGED, A.REFUSE, [R.TICKET_MANAGER], S.REFUSED, Right.REFUSE)
_allow([S.FREE], A.REFUSE, [R.DEPARTMENT_MANAGER], S.REFUSED, Right.REFUSE)
_allow(FINAL, A.REOPEN, [R.OWNER], Target.REOPENED)
_allow(NOT_OPEN, A.REOPEN, [R.TICKET_MANAGER], Target.REOPENED)
_allow(NOT_OPEN, A.REOPEN, [R.DEPARTMENT_MANAGER], Target.REOPENED, Right.REOPEN)
# Who follows the ticket, and its files.
_allow(ANY, A.INVITE, HOLDERS, KEEP)
_allow(ANY, A.REMOVE_INVITATION, HOLDERS, KEEP)
_allow(ANY, A.UPLOAD, READERS, KEEP)
_allow(ANY, A.DELETE_ATTACHMENT, HOLDERS, KEEP)
# Properties.
_allow(ANY, A.CHANGE_SUBJECT, [R.OWNER, R.TICKET_MANAGER], KEEP)
_allow(MANAGED, A.CHANGE_OWNER, [R.TICKET_MANAGER], KEEP)
_allow(ANY, A.CHANGE_PRIORITY, [R.TICKET_MANAGER], KEEP)
_allow(OPEN, A.CHANGE_PRIORITY, [R.OWNER], KEEP)
_allow(ANY, A.CHANGE_SCOPE, [R.TICKET_MANAGER], KEEP)
_allow(OPEN, A.CHANGE_SCOPE, [R.OWNER], KEEP)
_allow(ANY, A.CHANGE_ORIGIN, [R.TICKET_MANAGER], KEEP)
_allow(ANY, A.CHANGE_SPENT_TIME, [R.TICKET_MANAGER], KEEP)
_allow(ANY, A.CHANGE_CATEGORY, [R.TICKET_MANAGER], KEEP)
_allow(OPEN, A.CHANGE_CATEGORY, [R.DEPARTMENT_MANAGER], KEEP)
_allow(ANY, A.CHANGE_DEPARTMENT, [R.TICKET_MANAGER], KEEP)
_allow(OPEN, A.CHANGE_DEPARTMENT, [R.DEPARTMENT_MANAGER], KEEP)
# fmt: on

# Who may choose « ne pas prévenir »: the service's people, never the owner or a guest.
SILENT_ACTORS = frozenset({R.TICKET_MANAGER, R.DEPARTMENT_MANAGER, R.ADMIN, R.APPLICATION})

# Reaction time starts at creation and ends at a manager's first action; resolution
# time ends when the ticket stops being open, and starts over when it opens again.
RESOLVING = frozenset({A.CLOSE, A.CLOSE_BY_OWNER, A.REFUSE, A.CANCEL})
UNRESOLVING = frozenset({A.REFUSE_CLOSURE, A.REOPEN})


# --- What each action does besides moving the status ---------------------------------


@dataclass
class Step:
    """One action being applied: its inputs, and what it adds to its history entry."""

    ticket: Ticket
    action: Action
    user: User | None
    actor: Actor
    now: datetime
    params: dict[str, Any]
    event_fields: dict[str, Any] = field(default_factory=dict)

    def param(self, name: str) -> Any:
        value = self.params.get(name)
        if value is None or value == "":
            raise InvalidValue(_l("Please fill in this field."), field=name)
        return value


Effect = Callable[[Step], None]
FollowUp = Callable[[Ticket], list[tuple[Action, dict[str, Any]]]]


@dataclass(frozen=True)
class ActionSpec:
    effect: Effect | None = None
    params: tuple[str, ...] = ()
    message_required: bool = False
    # True when replaying it on a ticket changed meanwhile loses nothing (a comment).
    commutes: bool = False
    # Actions the application performs right after, in the same transaction.
    follow_ups: tuple[FollowUp, ...] = ()
    # Conditions on the values, for docs/workflow.md.
    note: Any = None


def _link(ticket: Ticket, relation: str, target: Any) -> None:
    """Set a relationship and its foreign key together, so both read true before a flush."""
    setattr(ticket, relation, target)
    setattr(ticket, f"{relation}_id", target.id if target is not None else None)


def _unchanged(name: str) -> InvalidValue:
    return InvalidValue(_l("This is already the current value."), field=name)


def _take(step: Step) -> None:
    _link(step.ticket, "manager", step.user)


def _assign(step: Step) -> None:
    assignee = step.param("assignee")
    membership = step.ticket.department.manager_of(assignee)
    if membership is None:
        raise InvalidValue(_l("This person is not a manager of this service."), field="assignee")
    if not membership.is_available:
        raise InvalidValue(_l("This manager is not available."), field="assignee")
    if step.ticket.manager_id == assignee.id:
        raise _unchanged("assignee")
    _link(step.ticket, "manager", assignee)


def _release(step: Step) -> None:
    _link(step.ticket, "manager", None)


def _postpone(step: Step) -> None:
    recall_at = step.params.get("recall_at")
    if recall_at is not None:
        recall_at = clean_future_date(recall_at, step.now, "recall_at")
    step.ticket.recall_at = recall_at
    step.event_fields["recall_at"] = recall_at


def _record_spent_time(step: Step) -> None:
    """Closing or refusing: the time spent, which some services insist on."""
    if step.params.get("spent_minutes") is not None:
        step.ticket.spent_minutes = clean_minutes(step.params["spent_minutes"])
    if step.ticket.department.spent_time_required and not step.ticket.spent_minutes:
        raise InvalidValue(
            _l("This service asks for the time spent on the ticket."), field="spent_minutes"
        )


def _close(step: Step) -> None:
    """Closing: the time spent, and the FAQ entry that answers, if any (one the owner
    may read: the closure's message links it)."""
    _record_spent_time(step)
    entry = step.params.get("faq_entry")
    if entry is None:
        return
    if not isinstance(entry, FaqEntry) or not may_read_faq(step.ticket.owner, entry):
        raise InvalidValue(
            _l("Please choose a FAQ entry that the owner of the ticket may read."),
            field="faq_entry",
        )
    step.event_fields["faq_entry"] = entry


def _invite(step: Step) -> None:
    invitee: User = step.param("invitee")
    if invitee.id == step.ticket.owner_id:
        raise InvalidValue(_l("The owner already follows this ticket."), field="invitee")
    if step.ticket.is_invited(invitee):
        raise InvalidValue(_l("This person is already invited."), field="invitee")
    step.ticket.invitations.append(
        Invitation(user=invitee, user_id=invitee.id, invited_by_id=_id(step.user))
    )
    step.event_fields["invitee_id"] = invitee.id


def _remove_invitation(step: Step) -> None:
    invitee: User = step.param("invitee")
    invitation = next((i for i in step.ticket.invitations if i.user_id == invitee.id), None)
    if invitation is None:
        raise InvalidValue(_l("This person is not invited."), field="invitee")
    step.ticket.invitations.remove(invitation)
    step.event_fields["invitee_id"] = invitee.id


def _upload(step: Step) -> None:
    attachment: Attachment = step.param("attachment")
    if attachment.id is not None:
        raise InvalidValue(_l("This file is already attached."), field="attachment")
    attachment.author_id = _id(step.user)
    attachment.scope = step.event_fields["scope"]
    step.ticket.attachments.append(attachment)
    step.event_fields["attachment"] = attachment


def _delete_attachment(step: Step) -> None:
    attachment: Attachment = step.param("attachment")
    if attachment.ticket_id != step.ticket.id or attachment.is_deleted:
        raise InvalidValue(_l("This file is not attached to this ticket."), field="attachment")
    attachment.deleted_at = step.now
    step.event_fields["attachment"] = attachment


def _change(field: str, param: str, clean: Callable[[Any], Any]) -> Effect:
    """An effect that sets one property from one input, refusing a non-change."""

    def effect(step: Step) -> None:
        value = clean(step.param(param))
        if value == getattr(step.ticket, field):
            raise _unchanged(param)
        setattr(step.ticket, field, value)

    return effect


def _change_owner(step: Step) -> None:
    owner: User = step.param("owner")
    if owner.id == step.ticket.owner_id:
        raise _unchanged("owner")
    _link(step.ticket, "owner", owner)


def check_category_takes_tickets(category: Category) -> None:
    if not category.department.is_enabled:
        raise DepartmentDisabled()
    if not category.takes_tickets:
        raise CategoryTakesNoTickets()


def _move(step: Step, *, other_department: bool) -> None:
    category: Category = step.param("category")
    if category.id == step.ticket.category_id:
        raise _unchanged("category")
    if (category.department_id != step.ticket.department_id) != other_department:
        raise InvalidValue(
            _l("Choose a category of another service.")
            if other_department
            else _l("Choose a category of the same service."),
            field="category",
        )
    check_category_takes_tickets(category)
    if other_department and not (
        has_right(step.user, step.ticket.department, Right.MOVE_DEPARTMENT)
        or category.department.manager_of(step.user) is not None
    ):
        raise NotAllowed(_l("You may not move tickets to this service."))
    _link(step.ticket, "category", category)
    _link(step.ticket, "department", category.department)


def _release_if_manager_left(ticket: Ticket) -> list[tuple[Action, dict[str, Any]]]:
    """The application releases it if its manager does not manage its service (any more)."""
    if ticket.manager is not None and ticket.department.manager_of(ticket.manager) is None:
        return [(A.FREE, {})]
    return []


def _assign_if_free(ticket: Ticket) -> list[tuple[Action, dict[str, Any]]]:
    """The application assigns it by its category's algorithm if it is free."""
    if ticket.status is S.FREE:
        assignee = pick_assignee(ticket.category)
        if assignee is not None:
            return [(A.ASSIGN, {"assignee": assignee})]
    return []


def _id(user: User | None) -> int | None:
    return user.id if user is not None else None


ACTIONS: dict[Action, ActionSpec] = {
    A.CREATE: ActionSpec(message_required=True),
    A.TAKE: ActionSpec(_take),
    A.ASSIGN: ActionSpec(
        _assign, ("assignee",), note=_l("the assignee is an available manager of the service")
    ),
    A.FREE: ActionSpec(_release),
    A.REQUEST_INFORMATION: ActionSpec(message_required=True),
    A.COMMENT: ActionSpec(message_required=True, commutes=True),
    A.POSTPONE: ActionSpec(
        _postpone, ("recall_at",), note=_l("the recall date, if any, is in the future")
    ),
    A.CANCEL_POSTPONEMENT: ActionSpec(),
    A.CLOSE: ActionSpec(
        _close,
        ("spent_minutes", "faq_entry"),
        note=_l(
            "the time spent is given when the service requires it; the FAQ entry, if any, "
            "is one the owner may read"
        ),
    ),
    A.CLOSE_BY_OWNER: ActionSpec(),
    A.APPROVE_CLOSURE: ActionSpec(),
    A.REFUSE_CLOSURE: ActionSpec(message_required=True, follow_ups=(_release_if_manager_left,)),
    A.EXPIRE: ActionSpec(),
    A.CANCEL: ActionSpec(),
    A.REFUSE: ActionSpec(
        _record_spent_time,
        ("spent_minutes",),
        message_required=True,
        note=_l("the time spent is given when the service requires it"),
    ),
    A.REOPEN: ActionSpec(message_required=True, follow_ups=(_release_if_manager_left,)),
    A.INVITE: ActionSpec(
        _invite,
        ("invitee",),
        commutes=True,
        note=_l("the invitee is neither the owner nor invited already"),
    ),
    A.REMOVE_INVITATION: ActionSpec(_remove_invitation, ("invitee",), commutes=True),
    A.UPLOAD: ActionSpec(_upload, ("attachment",), commutes=True),
    A.DELETE_ATTACHMENT: ActionSpec(_delete_attachment, ("attachment",), message_required=True),
    A.CHANGE_SUBJECT: ActionSpec(_change("subject", "subject", clean_subject), ("subject",)),
    A.CHANGE_OWNER: ActionSpec(_change_owner, ("owner",)),
    A.CHANGE_PRIORITY: ActionSpec(_change("priority", "priority", clean_priority), ("priority",)),
    A.CHANGE_SCOPE: ActionSpec(
        _change("scope", "ticket_scope", partial(clean_choice, TicketScope, field="ticket_scope")),
        ("ticket_scope",),
    ),
    A.CHANGE_ORIGIN: ActionSpec(
        _change("origin", "origin", partial(clean_choice, Origin, field="origin")), ("origin",)
    ),
    A.CHANGE_SPENT_TIME: ActionSpec(
        _change("spent_minutes", "spent_minutes", clean_minutes), ("spent_minutes",)
    ),
    A.CHANGE_CATEGORY: ActionSpec(
        lambda step: _move(step, other_department=False),
        ("category",),
        follow_ups=(_assign_if_free,),
        note=_l("the category belongs to the same service and takes tickets"),
    ),
    A.CHANGE_DEPARTMENT: ActionSpec(
        lambda step: _move(step, other_department=True),
        ("category",),
        follow_ups=(_release_if_manager_left, _assign_if_free),
        note=_l(
            "the category takes tickets, in an enabled service that the actor manages "
            "or may move tickets to"
        ),
    ),
}
assert set(ACTIONS) == set(Action)


# --- Guards -------------------------------------------------------------------------


def _expiry_due(ticket: Ticket, user: User | None, now: datetime) -> bool:
    days = ticket.category.effective("expiry_days")
    return days > 0 and ticket.last_action_at <= now - timedelta(days=days)


GUARDS: dict[Guard, Callable[[Ticket, User | None, datetime], bool]] = {
    Guard.NOT_ALREADY_MANAGER: lambda ticket, user, now: ticket.manager_id != _id(user),
    Guard.OTHER_MANAGER_AVAILABLE: lambda ticket, user, now: any(
        m.is_available and m.user_id != ticket.manager_id for m in ticket.department.managers
    ),
    Guard.RECALL_DUE: lambda ticket, user, now: (
        ticket.recall_at is not None and ticket.recall_at <= now
    ),
    Guard.EXPIRY_DUE: _expiry_due,
}


# --- Resolving and applying ---------------------------------------------------------


def _passes(rule: Rule, ticket: Ticket, user: User | None, actor: Actor, now: datetime) -> bool:
    if rule.right is not None and not has_right(user, ticket.department, rule.right):
        return False
    return rule.guard is None or GUARDS[rule.guard](ticket, user, now)


def resolve(
    ticket: Ticket,
    action: Action,
    user: User | None,
    now: datetime | None = None,
    *,
    actors: list[Actor] | None = None,
) -> tuple[Actor, Rule] | None:
    """The role in which ``user`` may do ``action`` now, with its rule; None if forbidden.
    ``actors``: ``actors_of(user, ticket)``, when the caller already has them."""
    now = now or utcnow()
    for actor in actors_of(user, ticket) if actors is None else actors:
        rule = TRANSITIONS.get((ticket.status, action, actor))
        if rule is not None and _passes(rule, ticket, user, actor, now):
            return actor, rule
    return None


def available_actions(
    ticket: Ticket, user: User | None, now: datetime | None = None
) -> list[Action]:
    """What ``user`` may do on ``ticket`` now, in the table's order: buttons and quick links."""
    now = now or utcnow()
    actors = actors_of(user, ticket)  # once, not once per action: a queue asks 20 tickets
    return [
        action for action in Action if resolve(ticket, action, user, now, actors=actors) is not None
    ]


def target_status(rule: Rule, ticket: Ticket) -> Status:
    if rule.to is Target.KEEP:
        return ticket.status
    if rule.to is Target.REOPENED:
        return S.FREE if ticket.manager_id is None else S.IN_PROGRESS
    return rule.to


def _snapshot(ticket: Ticket) -> dict[str, Any]:
    return {name: getattr(ticket, name) for name in TRACKED_FIELDS}


def perform(
    ticket: Ticket,
    action: Action,
    *,
    user: User | None,
    message: str = "",
    scope: ActionScope = ActionScope.DEFAULT,
    now: datetime | None = None,
    alert: bool = True,
    **params: Any,
) -> TicketEvent:
    """Apply one action to a ticket, as ``user`` (None: the application).

    Checks the table, the inputs, writes the history entry and the alerts (unless
    a manager chose « ne pas prévenir »: ``alert=False``), then runs the
    follow-ups. Raises a DomainError before changing anything when the action is
    not allowed or an input is bad. Never commits.
    """
    spec = ACTIONS[action]
    unknown = set(params) - set(spec.params)
    if action is A.CREATE or unknown:
        raise TypeError(f"perform({action}) takes no {sorted(unknown) or 'CREATE'}")
    now = now or utcnow()
    resolved = resolve(ticket, action, user, now)
    if resolved is None:
        raise NotAllowed()
    actor, rule = resolved
    message = clean_message(message, required=spec.message_required)
    scope = clean_choice(ActionScope, scope, "scope")
    if scope not in scopes_for(user, ticket):
        raise InvalidValue(_l("This choice is not available."), field="scope")
    if not alert and actor not in SILENT_ACTORS:
        raise NotAllowed(_l("Only managers may act without alerting anyone."))

    step = Step(ticket, action, user, actor, now, params, {"scope": scope, "alerted": alert})
    before = _snapshot(ticket)
    if spec.effect is not None:
        spec.effect(step)
    ticket.status = target_status(rule, ticket)
    _keep_the_clocks(ticket, step, before["status"])
    event = _record(step, before, message)
    for follow_up in spec.follow_ups:
        for next_action, next_params in follow_up(ticket):
            perform(ticket, next_action, user=None, now=now, alert=alert, **next_params)
    return event


def _keep_the_clocks(ticket: Ticket, step: Step, status_before: Status | None) -> None:
    if ticket.status is not S.POSTPONED:
        ticket.recall_at = None
    elapsed = int((step.now - ticket.created_at).total_seconds())
    if ticket.reaction_seconds is None and step.actor in MANAGER_ROLES:
        ticket.reaction_seconds = elapsed
    if step.action in RESOLVING:
        ticket.resolution_seconds = elapsed
    elif step.action in UNRESOLVING:
        ticket.resolution_seconds = None
    ticket.last_action_at = step.now


def _record(step: Step, before: dict[str, Any], message: str) -> TicketEvent:
    after = _snapshot(step.ticket)
    changes: dict[str, Any] = {"status_before": before["status"], "status_after": after["status"]}
    for name in TRACKED_FIELDS:
        if name != "status" and before[name] != after[name]:
            changes[f"{name}_before"], changes[f"{name}_after"] = before[name], after[name]
    event = TicketEvent(
        kind=step.action,
        author=step.user,
        author_id=_id(step.user),
        actor=step.actor,
        message=message,
        created_at=step.now,
        **changes,
        **step.event_fields,
    )
    step.ticket.events.append(event)
    if event.alerted is not False:
        notifications.enqueue(event)
    return event


def create_ticket(
    session,
    *,
    creator: User,
    category: Category,
    subject: str,
    message: str,
    owner: User | None = None,
    priority: int | None = None,
    scope: TicketScope | str | None = None,
    origin: Origin | str = Origin.WEB,
    now: datetime | None = None,
) -> Ticket:
    """File a ticket in ``category``: the CREATE row, then the category's assignment.

    The creator files for themselves, or, as a manager of the category's service,
    for ``owner``. Adds the ticket to ``session``; never commits.
    """
    now = now or utcnow()
    owner = owner or creator
    check_category_takes_tickets(category)
    actors = [R.OWNER] if owner.id == creator.id else []
    if category.department.manager_of(creator) is not None:
        actors.append(R.DEPARTMENT_MANAGER)
    rule_actor = next((a for a in actors if (NEW, A.CREATE, a) in TRANSITIONS), None)
    if rule_actor is None:
        raise NotAllowed(_l("Only a manager of this service may file a ticket for someone else."))
    origin = clean_choice(Origin, origin, "origin")
    if origin is not Origin.WEB and rule_actor is not R.DEPARTMENT_MANAGER:
        raise InvalidValue(_l("This choice is not available."), field="origin")
    ticket = Ticket(
        subject=clean_subject(subject),
        status=TRANSITIONS[NEW, A.CREATE, rule_actor].to,
        priority=clean_priority(
            priority if priority is not None else category.effective("default_priority")
        ),
        scope=clean_choice(TicketScope, scope or category.effective("default_scope"), "scope"),
        origin=origin,
        spent_minutes=0,
        created_at=now,
        last_action_at=now,
    )
    message = clean_message(message, required=ACTIONS[A.CREATE].message_required)
    for relation, value in (
        ("owner", owner),
        ("creator", creator),
        ("category", category),
        ("department", category.department),
    ):
        _link(ticket, relation, value)
    session.add(ticket)
    step = Step(ticket, A.CREATE, creator, rule_actor, now, {}, {"scope": ActionScope.DEFAULT})
    before = dict.fromkeys(TRACKED_FIELDS)
    _record(step, before, message)
    for next_action, next_params in _assign_if_free(ticket):
        perform(ticket, next_action, user=None, now=now, **next_params)
    return ticket
