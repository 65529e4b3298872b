"""« Recherche »: my tickets and those I may read, by words and status."""

from __future__ import annotations

from flask import Blueprint, g, request

from models import db
from models.queries import StatusFilter, parse_choice, search_tickets, search_words
from models.tracking import unread_ticket_ids
from models.validation import parse_id

from ._render import render_view
from .forms.filters import SearchForm

bp = Blueprint("search", __name__)


@bp.get("/search")
def index():
    form = SearchForm(request.args)
    status = parse_choice(StatusFilter, form.status.data, StatusFilter.ANY)
    form.status.data = status.value
    words = search_words(form.q.data)
    page = None
    if words:
        page = search_tickets(
            db.session,
            g.user,
            form.q.data,
            status=status,
            page=parse_id(request.args.get("page")) or 1,
        )
    return render_view(
        "search/index.html",
        form=form,
        page=page,
        unread=unread_ticket_ids(db.session, g.user, [t.id for t in page.items]) if page else set(),
        paging_args={"q": form.q.data or "", "status": status.value},
    )
