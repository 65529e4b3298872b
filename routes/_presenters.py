"""What the templates show, prepared here so that templates decide nothing:
the tab's navigation, and a ticket as this user may see it and act on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app, g, request
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from models import Category, Department, Ticket, TicketEvent, User, db
from models.enums import PRIORITY_LABELS, Action, Actor, Status
from models.history import TRACKED_FIELDS
from models.history_names import load_named_in_history
from models.notifications import watchers
from models.operations import last_move
from models.outbox import Reason
from models.permissions import (
    actors_of,
    can_view_entry,
    can_view_event,
    is_manager,
    visible_tickets_clause,
)
from models.tracking import is_bookmarked, is_monitored
from models.workflow import available_actions

from ._urls import view_url

# The tab's entries, in the guide's order: « Accueil Tableau de bord Recherche (FAQ)
# Signets/Historique + »; an entry appears once its view exists.
EVERYONE, MANAGERS = "everyone", "managers"
NAVIGATION = [
    ("home.index", _l("Home"), None, False, EVERYONE),
    ("dashboard.index", _l("Dashboard"), None, True, EVERYONE),
    ("search.index", _l("Search"), None, True, EVERYONE),
    ("faq.index", _l("FAQ"), None, True, EVERYONE),
    ("bookmarks.index", _l("Bookmarks/History"), None, True, EVERYONE),
    ("dashboard.log", _l("Journal"), None, True, MANAGERS),
    ("responses.index", _l("Saved responses"), None, True, MANAGERS),
    ("admin.departments", _l("Services"), None, True, MANAGERS),
    ("statistics.index", _l("Statistics"), None, True, MANAGERS),
    ("preferences.index", _l("Preferences"), None, True, EVERYONE),
    ("tickets.new", _l("Add a ticket"), "+", False, EVERYONE),
]

FIELD_LABELS = {
    "status": _l("Status"),
    "manager_id": _l("Manager"),
    "owner_id": _l("Owner"),
    "subject": _l("Subject"),
    "priority": _l("Priority"),
    "scope": _l("Visibility"),
    "origin": _l("Origin"),
    "department_id": _l("Service"),
    "category_id": _l("Category"),
    "spent_minutes": _l("Time spent (minutes)"),
}


@dataclass
class NavItem:
    label: Any
    url: str
    current: bool
    short: str | None
    shortcut: bool


def navigation() -> list[NavItem]:
    """The tab's entries for this user; managers get their own (Journal, Services…)."""
    here = (request.endpoint or "").removeprefix("portlet.")
    if "is_manager" not in g:
        g.is_manager = is_manager(db.session, g.get("user"))
    return [
        NavItem(label, view_url(endpoint), endpoint == here, short, shortcut)
        for endpoint, label, short, shortcut, audience in NAVIGATION
        if endpoint in current_app.view_functions and (audience == EVERYONE or g.is_manager)
    ]


@dataclass
class HistoryEntry:
    event: TicketEvent
    author: str
    changes: list[tuple[str, str, str]]


def _value(field: str, value) -> str:
    if value is None:
        return ""
    if field in ("manager_id", "owner_id"):
        user = db.session.get(User, value)
        return user.label if user else ""
    if field == "department_id":
        return db.session.get(Department, value).label
    if field == "category_id":
        return db.session.get(Category, value).full_label
    if field == "priority":
        return str(PRIORITY_LABELS.get(value, value))
    return str(getattr(value, "label", value))


def latest_message(ticket: Ticket) -> TicketEvent | None:
    """The last message this user may read: what an action's page answers (the
    manager's question, the closure's explanation), shown above its form."""
    events = db.session.scalars(
        sa.select(TicketEvent)
        .where(TicketEvent.ticket_id == ticket.id, sa.func.length(TicketEvent.message) > 0)
        .options(selectinload(TicketEvent.author))
        .order_by(TicketEvent.id.desc())
        .limit(20)
    )
    return next((event for event in events if can_view_event(g.user, event)), None)


def ticket_history(ticket: Ticket) -> list[HistoryEntry]:
    """Newest first, only what this user may read, with what each action changed.

    Everything the entries name is loaded up front: a fixed number of queries,
    however long the history.
    """
    events = list(
        db.session.scalars(
            sa.select(TicketEvent)
            .where(TicketEvent.ticket_id == ticket.id)
            .options(selectinload(TicketEvent.author), selectinload(TicketEvent.attachment))
            .order_by(TicketEvent.id)
        )
    )
    load_named_in_history(db.session, events)
    entries = []
    for event in reversed(events):
        if not can_view_entry(g.user, ticket, event.scope, event.author_id):
            continue
        changes = []
        if event.kind.value != "create":
            for field in TRACKED_FIELDS:
                before, after = getattr(event, f"{field}_before"), getattr(event, f"{field}_after")
                if before != after and (after is not None or before is not None):
                    changes.append(
                        (FIELD_LABELS[field], _value(field, before), _value(field, after))
                    )
        author = event.author.label if event.author else str(_l("the application"))
        entries.append(HistoryEntry(event, author, changes))
    return entries


def visible_attachments(ticket: Ticket):
    return [a for a in ticket.attachments if can_view_entry(g.user, ticket, a.scope, a.author_id)]


# « Accès direct »: what moves the ticket on, in this order. Property changes sit by
# their property, invitations by the invitees, files by the files.
DIRECT_ACTIONS = (
    Action.COMMENT,
    Action.TAKE,
    Action.ASSIGN,
    Action.REQUEST_INFORMATION,
    Action.POSTPONE,
    Action.CANCEL_POSTPONEMENT,
    Action.FREE,
    Action.CANCEL,  # « Accès direct : … Ajouter commentaire Annuler Clore », as in the guide
    Action.CLOSE,
    Action.CLOSE_BY_OWNER,
    Action.APPROVE_CLOSURE,
    Action.REFUSE_CLOSURE,
    Action.REFUSE,
    Action.REOPEN,
)
PROPERTY_ACTIONS = {
    "subject": Action.CHANGE_SUBJECT,
    "owner": Action.CHANGE_OWNER,
    "priority": Action.CHANGE_PRIORITY,
    "scope": Action.CHANGE_SCOPE,
    "origin": Action.CHANGE_ORIGIN,
    "spent_minutes": Action.CHANGE_SPENT_TIME,
    "category": Action.CHANGE_CATEGORY,
    "department": Action.CHANGE_DEPARTMENT,
}


@dataclass
class TicketPage:
    ticket: Ticket
    actions: list[Action]
    direct: list[Action]
    edits: dict[str, Action]
    history: list[HistoryEntry]
    files: list
    bookmarked: bool
    monitored: bool
    question: TicketEvent | None  # the manager's pending request for information
    take_and: list[Action]  # « Prendre en charge et … » this user may do
    may_return: bool  # « Retourner à l'envoyeur »
    requester: Requester | None  # shown to the service's people only
    watchers: list[Watcher] | None  # « Personnes prévenues », for the service's people only

    def can(self, action: Action) -> bool:
        return action in self.actions


@dataclass
class Requester:
    """Who asks, for the service: what CAS says of them, and their other tickets."""

    user: User
    affiliations: list[str]
    entities: list[str]
    other_tickets: list[Ticket]


# Why each one in « Personnes prévenues » is told, said of them.
WATCHER_ROLES = {
    Reason.OWNER: _l("owner"),
    Reason.PREVIOUS_OWNER: _l("previous owner"),
    Reason.MANAGER: _l("ticket manager"),
    Reason.PREVIOUS_MANAGER: _l("previous manager"),
    Reason.NEW_INVITEE: _l("invitee"),
    Reason.INVITEE: _l("invitee"),
    Reason.MONITOR: _l("monitors the ticket"),
    Reason.BOOKMARK: _l("bookmarked the ticket"),
    Reason.CATEGORY_MEMBER: _l("member of the category"),
    Reason.DEPARTMENT_MANAGER: _l("service manager"),
    Reason.CATEGORY_ADDRESS: _l("the category's extra address"),
}


@dataclass
class Watcher:
    """One of « Personnes prévenues »: a user's label or a bare address, and why."""

    name: str
    role: Any


def _watchers(ticket: Ticket) -> list[Watcher]:
    return [
        Watcher(who.label if isinstance(who, User) else who, WATCHER_ROLES[reason])
        for who, reason in watchers(ticket)
    ]


def _requester(ticket: Ticket) -> Requester:
    owner = ticket.owner
    attributes = owner.attributes or {}
    others = db.session.scalars(
        sa.select(Ticket)
        .where(Ticket.owner_id == owner.id, Ticket.id != ticket.id, visible_tickets_clause(g.user))
        .order_by(Ticket.last_action_at.desc())
        .limit(5)
    ).all()
    return Requester(
        owner,
        attributes.get("eduPersonAffiliation", []),
        attributes.get("supannEntiteAffectation", []),
        list(others),
    )


def ticket_page(ticket: Ticket) -> TicketPage:
    actions = available_actions(ticket, g.user)
    service_person = bool(
        {Actor.TICKET_MANAGER, Actor.DEPARTMENT_MANAGER, Actor.ADMIN}
        & set(actors_of(g.user, ticket))
    )
    history = ticket_history(ticket)
    question = None
    if ticket.status is Status.INCOMPLETE and Action.COMMENT in actions:
        question = next(
            (e.event for e in history if e.event.kind is Action.REQUEST_INFORMATION), None
        )
    return TicketPage(
        ticket=ticket,
        actions=actions,
        direct=[action for action in DIRECT_ACTIONS if action in actions],
        edits={name: action for name, action in PROPERTY_ACTIONS.items() if action in actions},
        history=history,
        files=visible_attachments(ticket),
        bookmarked=is_bookmarked(db.session, g.user, ticket),
        monitored=is_monitored(db.session, g.user, ticket),
        question=question,
        take_and=([Action.CLOSE, Action.REQUEST_INFORMATION] if Action.TAKE in actions else []),
        may_return=service_person
        and last_move(ticket) is not None
        and bool({Action.CHANGE_CATEGORY, Action.CHANGE_DEPARTMENT} & set(actions)),
        requester=_requester(ticket) if service_person else None,
        watchers=_watchers(ticket) if service_person else None,
    )
