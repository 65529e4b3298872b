"""Who someone is to a ticket, and what they may read of it.

What they may *do* is the workflow table's business (models/workflow.py); this
module only answers « in which roles does this user stand » and « may they see ».
"""

from __future__ import annotations

import sqlalchemy as sa

from .enums import ActionScope, Actor, Right, TicketScope
from .history import TicketEvent
from .involvement import Invitation
from .services import Department, DepartmentManager
from .tickets import Ticket
from .users import User

# When one person holds several roles, the first one with a rule acts.
ACTOR_PRECEDENCE = (
    Actor.OWNER,
    Actor.TICKET_MANAGER,
    Actor.DEPARTMENT_MANAGER,
    Actor.INVITEE,
    Actor.ADMIN,
)

# Which roles may read an entry of each scope (the author and admins always may).
SCOPE_READERS: dict[ActionScope, frozenset[Actor]] = {
    ActionScope.OWNER: frozenset({Actor.OWNER, Actor.TICKET_MANAGER, Actor.DEPARTMENT_MANAGER}),
    ActionScope.INVITED: frozenset(
        {Actor.OWNER, Actor.TICKET_MANAGER, Actor.DEPARTMENT_MANAGER, Actor.INVITEE}
    ),
    ActionScope.INVITED_MANAGER: frozenset(
        {Actor.TICKET_MANAGER, Actor.DEPARTMENT_MANAGER, Actor.INVITEE}
    ),
    ActionScope.MANAGER: frozenset({Actor.TICKET_MANAGER, Actor.DEPARTMENT_MANAGER}),
}

# Which scopes each role may give its own comments and files.
SCOPES_FOR: dict[Actor, tuple[ActionScope, ...]] = {
    Actor.OWNER: (ActionScope.DEFAULT, ActionScope.OWNER, ActionScope.INVITED),
    Actor.INVITEE: (ActionScope.DEFAULT, ActionScope.INVITED, ActionScope.INVITED_MANAGER),
    Actor.TICKET_MANAGER: tuple(ActionScope),
    Actor.DEPARTMENT_MANAGER: tuple(ActionScope),
    Actor.ADMIN: tuple(ActionScope),
    Actor.APPLICATION: tuple(ActionScope),
}

MANAGER_ROLES = frozenset({Actor.TICKET_MANAGER, Actor.DEPARTMENT_MANAGER})


def actors_of(user: User | None, ticket: Ticket) -> list[Actor]:
    """The roles in which ``user`` stands towards ``ticket``, by precedence."""
    if user is None:
        return [Actor.APPLICATION]
    held = {
        Actor.OWNER: ticket.owner_id == user.id,
        Actor.TICKET_MANAGER: ticket.manager_id is not None and ticket.manager_id == user.id,
        Actor.DEPARTMENT_MANAGER: ticket.department.manager_of(user) is not None,
        Actor.INVITEE: ticket.is_invited(user),
        Actor.ADMIN: user.is_admin,
    }
    return [actor for actor in ACTOR_PRECEDENCE if held[actor]]


def is_manager(session, user: User | None) -> bool:
    """Is this user one of some service's people (or an administrator)?"""
    if user is None:
        return False
    query = sa.select(DepartmentManager.id).where(DepartmentManager.user_id == user.id).limit(1)
    return user.is_admin or session.scalar(query) is not None


def has_right(user: User | None, department: Department, right: Right) -> bool:
    membership = department.manager_of(user)
    return membership is not None and membership.has_right(right)


def scopes_for(user: User | None, ticket: Ticket) -> tuple[ActionScope, ...]:
    """The scopes this user may give a comment or file on this ticket."""
    allowed: list[ActionScope] = []
    for actor in actors_of(user, ticket):
        allowed += [scope for scope in SCOPES_FOR[actor] if scope not in allowed]
    return tuple(scope for scope in ActionScope if scope in allowed)


def can_view(user: User | None, ticket: Ticket) -> bool:
    """May this user open the ticket (its messages, files and history)?"""
    if ticket.scope is TicketScope.PUBLIC:
        return True
    if user is None:
        return False
    if ticket.scope is TicketScope.INTRANET:
        return True
    return bool(actors_of(user, ticket))


def can_see_subject(user: User | None, ticket: Ticket) -> bool:
    """« Sujet seulement » tickets show their subject in lists, nothing more."""
    return can_view(user, ticket) or (user is not None and ticket.scope is TicketScope.SUBJECT_ONLY)


def can_view_entry(
    user: User | None, ticket: Ticket, scope: ActionScope, author_id: int | None
) -> bool:
    """May this user read one history entry or file of the ticket?"""
    if not can_view(user, ticket):
        return False
    if user is not None and (user.is_admin or author_id == user.id):
        return True
    if scope is ActionScope.DEFAULT:
        return True
    return bool(SCOPE_READERS[scope].intersection(actors_of(user, ticket)))


def can_view_event(user: User | None, event: TicketEvent) -> bool:
    return can_view_entry(user, event.ticket, event.scope, event.author_id)


def visible_tickets_clause(user: User | None) -> sa.ColumnElement[bool]:
    """A WHERE clause selecting the tickets ``can_view`` lets this user open."""
    if user is None:
        return Ticket.scope == TicketScope.PUBLIC
    if user.is_admin:
        return sa.true()
    return sa.or_(*_visible_parts(user))


def visible_ticket_sets(user: User | None) -> list[sa.Select] | None:
    """The tickets ``visible_tickets_clause`` selects, as sets of ids whose union they
    are: each set is read from its own index, so a requester's few tickets are found
    without reading everyone's. None for an admin (every ticket)."""
    if user is not None and user.is_admin:
        return None
    if user is None:
        return [sa.select(Ticket.id).where(visible_tickets_clause(None))]
    return [sa.select(Ticket.id).where(part) for part in _visible_parts(user)]


def _visible_parts(user: User) -> list[sa.ColumnElement[bool]]:
    managed = sa.select(DepartmentManager.department_id).where(DepartmentManager.user_id == user.id)
    invited = sa.select(Invitation.ticket_id).where(Invitation.user_id == user.id)
    return [
        Ticket.scope.in_([TicketScope.PUBLIC, TicketScope.INTRANET]),
        Ticket.owner_id == user.id,
        Ticket.manager_id == user.id,
        Ticket.department_id.in_(managed),
        Ticket.id.in_(invited),
    ]


def visible_events_clause(user: User | None) -> sa.ColumnElement[bool]:
    """A WHERE clause on TicketEvent (joined to its Ticket) for ``can_view_entry``.

    To be combined with ``visible_tickets_clause``: it only says which entries of
    a ticket the user may read.
    """
    if user is not None and user.is_admin:
        return sa.true()
    default = TicketEvent.scope == ActionScope.DEFAULT
    if user is None:
        return default
    managed = sa.select(DepartmentManager.department_id).where(DepartmentManager.user_id == user.id)
    invited = sa.select(Invitation.ticket_id).where(Invitation.user_id == user.id)
    is_manager = sa.or_(Ticket.manager_id == user.id, Ticket.department_id.in_(managed))
    is_owner = Ticket.owner_id == user.id
    is_invitee = Ticket.id.in_(invited)
    return sa.or_(
        default,
        TicketEvent.author_id == user.id,
        sa.and_(TicketEvent.scope == ActionScope.OWNER, sa.or_(is_owner, is_manager)),
        sa.and_(TicketEvent.scope == ActionScope.INVITED, sa.or_(is_owner, is_manager, is_invitee)),
        sa.and_(TicketEvent.scope == ActionScope.INVITED_MANAGER, sa.or_(is_manager, is_invitee)),
        sa.and_(TicketEvent.scope == ActionScope.MANAGER, is_manager),
    )
