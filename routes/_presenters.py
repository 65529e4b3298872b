"""What the templates show, prepared here so that templates decide nothing:
the tab's navigation, and a ticket's history and files as this user may see them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, g, request
from flask_babel import lazy_gettext as _l

from models import Category, Department, Ticket, TicketEvent, User, db
from models.enums import PRIORITY_LABELS
from models.history import TRACKED_FIELDS
from models.permissions import can_view_entry

from ._urls import view_url

# The tab's entries, in the guide's order: « Accueil Tableau de bord Recherche
# Signets/Historique + »; an entry appears once its view exists.
NAVIGATION = [
    ("home.index", _l("Home"), None, False),
    ("dashboard.index", _l("Dashboard"), None, True),
    ("search.index", _l("Search"), None, True),
    ("bookmarks.index", _l("Bookmarks/History"), None, True),
    ("tickets.new", _l("Add a ticket"), "+", False),
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
    here = (request.endpoint or "").removeprefix("portlet.")
    return [
        NavItem(label, view_url(endpoint), endpoint == here, short, shortcut)
        for endpoint, label, short, shortcut in NAVIGATION
        if endpoint in current_app.view_functions
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


def ticket_history(ticket: Ticket) -> list[HistoryEntry]:
    """Newest first, only what this user may read, with what each action changed."""
    entries = []
    for event in reversed(ticket.events):
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
