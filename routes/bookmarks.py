"""« Signets/Historique »: the tickets I bookmarked and the ones I opened lately."""

from __future__ import annotations

from flask import Blueprint, flash, g, request
from flask_babel import lazy_gettext as _l

from models import db
from models.tracking import (
    bookmarked_tickets,
    clear_recent_views,
    recent_tickets,
    unread_ticket_ids,
)
from models.transactions import retrying

from ._render import render_view
from ._urls import external_url_for, in_fragment, redirect_303
from .forms.base import HdForm

bp = Blueprint("bookmarks", __name__)


@bp.get("/bookmarks")
def index():
    bookmarks, recent = bookmarked_tickets(db.session, g.user), recent_tickets(db.session, g.user)
    ids = [t.id for t in bookmarks + recent]
    return render_view(
        "bookmarks/index.html",
        bookmarks=bookmarks,
        recent=recent,
        unread=unread_ticket_ids(db.session, g.user, ids),
        form=HdForm(),
    )


@bp.post("/bookmarks/clear-history")
def clear_history():
    form = HdForm(request.form)
    if form.validate():
        retrying(db.session, lambda: clear_recent_views(db.session, g.user))
        flash(_l("Your history is cleared."), "success")
    else:
        flash(form.csrf_token.errors[0], "error")
    endpoint = "portlet.bookmarks.index" if in_fragment() else "bookmarks.index"
    return redirect_303(external_url_for(endpoint))
