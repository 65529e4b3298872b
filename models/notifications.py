"""Who is told of an action: one outbox row per recipient, in the action's transaction.

The rules are the table ``RULES`` below, most specific reason first. Each row says
whom it concerns and what lets them silence it: a monitoring level of their
« Surveillance » (their DepartmentManager row in the service), a preference, or
kinds of action it never applies to. Someone concerned by several rows is told
once, with the first reason that admits them: a ticket's owner who turned off
« de mes propres tickets » but bookmarked it is told as a bookmark.

Then, for everyone:

- the author of the action is never told, nor anybody without an e-mail address;
- they are told only of what they may read (an internal note never reaches the
  owner). People the action took the ticket away from (the previous owner, the
  previous manager, the previous service and category after a move) are told of
  it as long as they could have read it in the role they just lost;
- an expiry is told only to those who want expiry warnings.

A category's extra address (a team's list, ``Category.monitoring_email``) is not a
user: nobody signs in behind it, and whoever reads that list may hold no role on
the ticket. It is told, when its level says so, as a reader with no role: only of
entries of the default scope (« Same as the ticket »), never of what is kept for
the owner, the invitees or the managers. The ticket's own visibility does not stop
it: the service chose to send its category's tickets there. After a move, the
previous category's address is told too (by its level); an address that is the
author's, or one a user recipient already gets, is not told twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, object_session

from .delivery import GROUP_SECONDS
from .enums import (
    DEFAULT_MONITORING,
    Action,
    ActionScope,
    Actor,
    AddressLevel,
    MonitoringLevel,
    Status,
)
from .history import TicketEvent
from .involvement import Bookmark, Monitor
from .outbox import OutboxMessage, Reason
from .permissions import SCOPE_READERS, can_view, can_view_event
from .services import Category, Department, DepartmentManager
from .tickets import Ticket
from .users import User

# Actions that bring a ticket to a service's attention, as a creation does.
CREATION_LIKE = frozenset(
    {
        Action.CREATE,
        Action.REOPEN,
        Action.CHANGE_DEPARTMENT,
        Action.CHANGE_CATEGORY,
        Action.CANCEL_POSTPONEMENT,
    }
)

# A recipient: a user, or a category's bare address; and why they are told.
Recipient = tuple[User | str, Reason]


@dataclass(frozen=True)
class Situation:
    """What the rules look at: the ticket as the action left it, the kind of action,
    and what the action took away (set only when it changed)."""

    ticket: Ticket
    kind: Action
    scope: ActionScope
    status_before: Status | None
    status_after: Status
    owner_before: User | None = None
    manager_before: User | None = None
    department_before: Department | None = None
    category_before: Category | None = None
    invitee: User | None = None

    @property
    def creation_like(self) -> bool:
        return self.kind in CREATION_LIKE

    @property
    def while_free(self) -> bool:
        """The ticket was free when the action came, or is free after it."""
        return Status.FREE in (self.status_before, self.status_after)

    @classmethod
    def of(cls, event: TicketEvent) -> Situation:
        session = object_session(event.ticket)

        def before(model, key):
            return session.get(model, key) if key is not None else None

        return cls(
            ticket=event.ticket,
            kind=event.kind,
            scope=event.scope,
            status_before=event.status_before,
            status_after=event.status_after,
            owner_before=before(User, event.owner_id_before),
            manager_before=before(User, event.manager_id_before),
            department_before=before(Department, event.department_id_before),
            category_before=before(Category, event.category_id_before),
            invitee=event.invitee if event.kind is Action.INVITE else None,
        )

    @classmethod
    def next_step(cls, ticket: Ticket) -> Situation:
        """An ordinary next action that everyone who may open the ticket may read."""
        return cls(
            ticket=ticket,
            kind=Action.COMMENT,
            scope=ActionScope.DEFAULT,
            status_before=ticket.status,
            status_after=ticket.status,
        )


# --- Who each rule concerns ---------------------------------------------------------

# (a user, their « Surveillance » in the service when the rule reads it)
Concerned = Iterable[tuple[User, DepartmentManager | None]]


def _row(user: User, *departments: Department | None) -> DepartmentManager | None:
    """The user's DepartmentManager row in the first of these services that has one."""
    for department in departments:
        if department is not None and (row := department.manager_of(user)) is not None:
            return row
    return None


def _owner(s: Situation) -> Concerned:
    yield s.ticket.owner, None


def _owner_before(s: Situation) -> Concerned:
    if s.owner_before is not None:
        yield s.owner_before, None


def _manager(s: Situation) -> Concerned:
    """The ticket's manager, with their « Surveillance » in its service (or the one it
    just left, while the application has not released it yet)."""
    if s.ticket.manager is not None:
        yield s.ticket.manager, _row(s.ticket.manager, s.ticket.department, s.department_before)


def _manager_before(s: Situation) -> Concerned:
    if s.manager_before is not None:
        yield s.manager_before, _row(s.manager_before, s.department_before, s.ticket.department)


def _new_invitee(s: Situation) -> Concerned:
    if s.invitee is not None:
        yield s.invitee, None


def _invitees(s: Situation) -> Concerned:
    for invitation in s.ticket.invitations:
        yield invitation.user, None


def _linked(model) -> Callable[[Situation], Concerned]:
    """Users who keep a ``model`` row (bookmark, monitor) on the ticket."""

    def concerned(s: Situation) -> Concerned:
        if s.ticket.id is None:  # being created: nobody can have linked it yet
            return
        session = object_session(s.ticket)
        query = (
            sa.select(User)
            .join(model, model.user_id == User.id)
            .where(model.ticket_id == s.ticket.id)
            .order_by(User.id)
        )
        for user in session.scalars(query):
            yield user, None

    return concerned


_monitors, _bookmarks = _linked(Monitor), _linked(Bookmark)


def _members(s: Situation) -> Concerned:
    """The category's effective members (its own, a parent's, or the whole service)."""
    for row in s.ticket.category.effective_members():
        yield row.user, row


def _members_before(s: Situation) -> Concerned:
    if s.category_before is not None:
        for row in s.category_before.effective_members():
            yield row.user, row


def _managers(s: Situation) -> Concerned:
    for row in s.ticket.department.managers:
        yield row.user, row


def _managers_before(s: Situation) -> Concerned:
    if s.department_before is not None:
        for row in s.department_before.managers:
            yield row.user, row


# --- The table ------------------------------------------------------------------------

# The preferences that silence a rule (models/users.py DEFAULT_PREFERENCES).
OWN, INVITED = "notify_own_tickets", "notify_invited_tickets"
BOOKMARKED = "notify_bookmarked_tickets"
AS_MANAGER = "notify_as_manager"  # managers' alerts at all: « Alertes de gestionnaire »
# A role an action takes from someone (owning, handling, being in the ticket's service):
# they are told of that action if the role they lost could read it.
OWNING, HANDLING, IN_SERVICE = Actor.OWNER, Actor.TICKET_MANAGER, Actor.DEPARTMENT_MANAGER

# Which situations a monitoring level tells of.
LEVEL_TELLS: dict[MonitoringLevel, Callable[[Situation], bool]] = {
    MonitoringLevel.NEVER: lambda s: False,
    MonitoringLevel.CREATION: lambda s: s.creation_like,
    MonitoringLevel.ALWAYS: lambda s: True,
}

# Which situations a category's extra address is told of.
ADDRESS_TELLS: dict[AddressLevel, Callable[[Situation], bool]] = {
    AddressLevel.NEVER: lambda s: False,
    AddressLevel.CREATION: lambda s: s.creation_like,
    AddressLevel.CREATION_OR_RELEASE: lambda s: s.creation_like or s.kind is Action.FREE,
    AddressLevel.CREATION_OR_FREE: lambda s: s.creation_like or s.while_free,
    AddressLevel.ALWAYS: lambda s: True,
}

# DepartmentManager columns, in the order of MONITORING_PRESETS' levels: any ticket of
# the service, tickets of the categories one is a member of, tickets one handles.
MONITORING_COLUMNS = ("monitor_any", "monitor_category", "monitor_managed")
ANY, CATEGORY, MANAGED = MONITORING_COLUMNS


@dataclass(frozen=True)
class Rule:
    reason: Reason
    who: Callable[[Situation], Concerned]
    level: str | None = None  # the DepartmentManager column that gates it
    preference: str | None = None  # the user preference that gates it
    former: Actor | None = None  # the role the action took away, for what they may read
    never_for: frozenset[Action] = frozenset()


# Most specific first: the first rule that admits someone names why they are told.
# fmt: off
RULES: tuple[Rule, ...] = (
    # reason                      who               level     preference  former role
    Rule(Reason.OWNER,              _owner,           None,     OWN),
    Rule(Reason.MANAGER,            _manager,         MANAGED,  AS_MANAGER),
    Rule(Reason.NEW_INVITEE,        _new_invitee),
    Rule(Reason.PREVIOUS_OWNER,     _owner_before,    None,     OWN,        OWNING),
    Rule(Reason.PREVIOUS_MANAGER,   _manager_before,  MANAGED,  AS_MANAGER, HANDLING),
    Rule(Reason.INVITEE,            _invitees,        None,     INVITED),
    Rule(Reason.MONITOR,            _monitors,        never_for=frozenset({Action.ASSIGN})),
    Rule(Reason.BOOKMARK,           _bookmarks,       None,     BOOKMARKED),
    Rule(Reason.CATEGORY_MEMBER,    _members,         CATEGORY, AS_MANAGER),
    Rule(Reason.DEPARTMENT_MANAGER, _managers,        ANY,      AS_MANAGER),
    Rule(Reason.CATEGORY_MEMBER,    _members_before,  CATEGORY, AS_MANAGER, IN_SERVICE),
    Rule(Reason.DEPARTMENT_MANAGER, _managers_before, ANY,      AS_MANAGER, IN_SERVICE),
)
# fmt: on


def level_of(row: DepartmentManager | None, column: str) -> MonitoringLevel:
    """A manager's level; someone who holds no row (any more) gets the default."""
    if row is None:
        return DEFAULT_MONITORING[MONITORING_COLUMNS.index(column)]
    return getattr(row, column)


def admits(rule: Rule, user: User, row: DepartmentManager | None, s: Situation) -> bool:
    """Does this rule tell ``user`` of this situation, by its levels and preferences?"""
    if s.kind in rule.never_for:
        return False
    if rule.level is not None and not LEVEL_TELLS[level_of(row, rule.level)](s):
        return False
    return rule.preference is None or bool(user.preference(rule.preference))


def _admitted(s: Situation, may_read: Callable[[User, Rule], bool]) -> dict[int, Recipient]:
    """Each admitted user once, with the first rule's reason that admits them."""
    found: dict[int, Recipient] = {}
    for rule in RULES:
        for user, row in rule.who(s):
            if user is None or user.id in found:
                continue
            if admits(rule, user, row, s) and may_read(user, rule):
                found[user.id] = (user, rule.reason)
    return found


def _addresses(s: Situation) -> list[str]:
    """The extra addresses of the ticket's category (and the previous one) told of this."""
    found: list[str] = []
    for category in (s.ticket.category, s.category_before):
        if category is None or not category.monitoring_email:
            continue
        if ADDRESS_TELLS[category.monitoring_email_level](s):
            found.append(category.monitoring_email)
    return found


def address_may_read(scope: ActionScope) -> bool:
    """May a bare address read an entry (or a file) of this scope? Only the default:
    what its mail shows of the ticket's history and files must follow this too."""
    return scope is ActionScope.DEFAULT


def _with_addresses(
    s: Situation, users: list[tuple[User, Reason]], excluded: Iterable[str | None] = ()
) -> list[Recipient]:
    """The users, then each address to tell that no user here already reads."""
    recipients: list[Recipient] = [(user, reason) for user, reason in users]
    taken = {address.casefold() for address in excluded if address}
    taken |= {user.email.casefold() for user, _ in users if user.email}
    if address_may_read(s.scope):
        for address in _addresses(s):
            if address.casefold() not in taken:
                taken.add(address.casefold())
                recipients.append((address, Reason.CATEGORY_ADDRESS))
    return recipients


def recipients(event: TicketEvent) -> list[Recipient]:
    """Everyone to tell of ``event``, each once, with the most specific reason."""
    s = Situation.of(event)

    def may_read(user: User, rule: Rule) -> bool:
        return can_view_event(user, event) or _role_reads(rule.former, event.scope)

    users = [
        (user, reason)
        for user, reason in _admitted(s, may_read).values()
        if user.id != event.author_id
        and user.email
        and (event.kind is not Action.EXPIRE or user.preference("notify_expiry"))
    ]
    author = event.author.email if event.author is not None else None
    return _with_addresses(s, users, excluded=[author])


def _role_reads(role: Actor | None, scope: ActionScope) -> bool:
    return role is not None and (scope is ActionScope.DEFAULT or role in SCOPE_READERS[scope])


def reads_as_former(user: User, event: TicketEvent) -> bool:
    """Is ``user`` told of ``event`` through a role the event itself took from them (the
    previous owner, manager, service or category), that could read it? They may no
    longer open the ticket: their mail tells of this action alone."""
    s = Situation.of(event)
    return any(
        _role_reads(rule.former, event.scope) and any(u.id == user.id for u, _ in rule.who(s))
        for rule in RULES
    )


def watchers(ticket: Ticket) -> list[Recipient]:
    """« Personnes prévenues »: who is told of the ticket's next ordinary step (an
    action everyone who may open it may read), by the same rules as ``enqueue``;
    its author will not be, whoever they are. Reads only; writes nothing."""
    s = Situation.next_step(ticket)
    users = [
        (user, reason)
        for user, reason in _admitted(s, lambda user, rule: can_view(user, ticket)).values()
        if user.email
    ]
    return _with_addresses(s, users)


def enqueue(event: TicketEvent) -> list[OutboxMessage]:
    """Write the outbox rows for ``event`` into its session."""
    due = event.created_at + timedelta(seconds=GROUP_SECONDS)
    messages = [
        OutboxMessage(
            event=event,
            ticket=event.ticket,
            recipient=who if isinstance(who, User) else None,
            recipient_email=who if isinstance(who, str) else None,
            reason=reason,
            created_at=event.created_at,
            next_attempt_at=due,
        )
        for who, reason in recipients(event)
    ]
    session: Session = object_session(event.ticket)
    session.add_all(messages)
    return messages
