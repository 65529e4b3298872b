"""« Recherche »: full-text search over what this user may read, with filters: tickets
and FAQ entries (the first few FAQ entries above the tickets, or the FAQ alone)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, current_app, g, request
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from models import Department, Ticket, db
from models.permissions import can_view, is_manager
from models.search.faq import looks_in_faq, search_faq
from models.search.query import PAGE_SIZE, SearchKind, search
from models.search.syntax import parse
from models.tracking import unread_ticket_ids
from models.validation import parse_id

from ._render import render_view
from .forms.search import SearchForm

bp = Blueprint("search", __name__)
# FAQ entries shown above the tickets when looking through everything.
FAQ_FIRST = 3


def _numbered_ticket(text: str | None) -> Ticket | None:
    """« 42 » or « #42 » typed in the box: that ticket, when the user may open it."""
    number = parse_id((text or "").strip().removeprefix("#").removeprefix("n°").strip())
    ticket = db.session.get(Ticket, number) if number is not None else None
    return ticket if ticket is not None and can_view(g.user, ticket) else None


@bp.get("/search")
def index():
    form = SearchForm(request.args)
    departments = db.session.scalars(
        sa.select(Department)
        .order_by(Department.position, Department.label)
        # one query for every category (their parents are among them), not one per service
        .options(selectinload(Department.categories))
    ).all()
    manager = is_manager(db.session, g.user)
    form.fill(departments, manager=manager)
    results, faq_results, numbered = None, None, None
    asked = any(name in request.args for name in form.data)
    if asked and form.check(db.session):
        query = parse(form.q.data)
        filters = form.filters(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))
        numbered = _numbered_ticket(form.q.data)
        if (query.is_empty or query.only_excludes) and not filters.narrow:
            if numbered is None:
                form.q.errors = [_words_needed(form.q.data, query)]
        else:
            page = parse_id(request.args.get("page")) or 1
            faq_only = filters.kind is SearchKind.FAQ
            if not faq_only:
                results = search(db.session, g.user, query, filters, page=page)
            if looks_in_faq(filters):
                faq_results = search_faq(
                    db.session,
                    g.user,
                    query,
                    filters,
                    page=page if faq_only else 1,
                    size=PAGE_SIZE if faq_only else FAQ_FIRST,
                )
    ids = [hit.ticket.id for hit in results.items] if results else []
    return render_view(
        "search/index.html",
        form=form,
        manager=manager,
        results=results,
        faq_results=faq_results,
        faq_only=form.kind.data == SearchKind.FAQ.value,
        numbered=numbered,
        unread=unread_ticket_ids(db.session, g.user, ids) if ids else set(),
        paging_args=_paging_args(form),
    )


def _paging_args(form: SearchForm) -> dict[str, str]:
    """The search as asked, for the links to the other pages."""
    kept = set(form.data) - {"submit"}
    return {name: value for name, value in request.args.items() if name in kept and value}


def _words_needed(text: str | None, query) -> str:
    if query.only_excludes:
        return _l("Say what to find, not only what to leave out, or choose a filter.")
    if (text or "").strip():
        return _l("These words are too common to search for: add a more specific one.")
    return _l("Type the words to find, or choose a filter.")
