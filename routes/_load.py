"""Loading what a URL names, or answering 404: one place for « not found »."""

from __future__ import annotations

from flask import abort, g

from models import Ticket, db
from models.permissions import can_view
from models.validation import parse_id


def visible_ticket_or_404(ticket_id) -> Ticket:
    """The ticket if this user may open it; a ticket they may not see does not exist."""
    key = parse_id(ticket_id)
    ticket = db.session.get(Ticket, key) if key is not None else None
    if ticket is None or not can_view(g.user, ticket):
        abort(404)
    return ticket
