"""One-click links from mails (« Approuver la clôture »): a single-use token bound to
its recipient. Signing in comes first, as for every page; then the token is checked
and the action done in one transaction, or the page says why not and offers the
usual way, through the ticket.
"""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, flash, g
from flask_babel import lazy_gettext as _l

from models import Ticket, db
from models.errors import NotAllowed, TicketChanged
from models.mail_tokens import TokenRefused, read_token, redeem_token
from models.operations import transact
from models.permissions import can_view
from models.workflow import perform

from ._render import render_view
from ._urls import external_url_for, redirect_303

bp = Blueprint("mail_links", __name__)
log = logging.getLogger(__name__)

# Which answer each refusal gets: a link that is gone, or one not meant for this user.
REFUSAL_STATUS = {"tampered": 404, "expired": 410, "used": 410, "other_user": 403}


@bp.get("/mail/act/<token>")
def act(token: str):
    secret = current_app.config["SECRET_KEY"]
    ticket = None
    try:
        row = read_token(db.session, token, secret=secret)
        ticket, action = row.ticket, row.action

        def work(fresh: Ticket):
            redeem_token(db.session, token, user=g.user, secret=secret)
            return [perform(fresh, action, user=g.user)]

        transact(db.session, row.ticket_id, work)
    except TokenRefused as refusal:
        log.warning("mail link refused (%s) for %s", refusal.reason, g.user.uid)
        return _refused(refusal.message, ticket, REFUSAL_STATUS[refusal.reason])
    except (NotAllowed, TicketChanged):
        # Approved meanwhile from the ticket, or no longer awaiting approval.
        return _refused(
            _l("The ticket is no longer waiting for this: here is where it stands."), ticket, 409
        )
    flash(_l("Done: %(action)s.", action=action.label), "success")
    return redirect_303(external_url_for("tickets.view", ticket_id=row.ticket_id))


def _refused(message, ticket: Ticket | None, status: int):
    db.session.rollback()
    if ticket is not None and not can_view(g.user, ticket):
        ticket = None  # another person's ticket: not even its number
    return render_view(
        "mail_links/refused.html",
        message=message,
        ticket=ticket,
        title=_l("This link cannot act"),
        status=status,
    )
