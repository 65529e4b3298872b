"""« Tableau de bord »: a requester's own tickets, and for managers the queue of
their services; « Journal »: the latest actions in those services."""

from __future__ import annotations

from flask import Blueprint, abort, g, request
from werkzeug.datastructures import MultiDict

from models import db
from models.preferences import merge_preferences
from models.queries import (
    Involvement,
    StatusFilter,
    journal,
    managed_departments,
    my_tickets,
    parse_choice,
    queue,
    queue_counts,
)
from models.tracking import bookmarked_ticket_ids, unread_ticket_ids
from models.transactions import retrying
from models.validation import parse_id
from models.workflow import available_actions

from ._render import render_view
from .forms.base import HdForm
from .forms.filters import QUEUE_KEYS, DashboardFilters, QueueFilters

bp = Blueprint("dashboard", __name__)


@bp.get("/dashboard")
def index():
    departments = managed_departments(db.session, g.user)
    view = request.args.get("view") or ("services" if departments else "mine")
    if view == "services" and departments:
        return _queue(departments)
    return _mine(bool(departments))


def _mine(is_manager: bool):
    filters = DashboardFilters(request.args)
    status = parse_choice(StatusFilter, filters.status.data, StatusFilter.OPEN)
    involvement = parse_choice(Involvement, filters.involvement.data, Involvement.MINE)
    filters.status.data, filters.involvement.data = status.value, involvement.value
    page = my_tickets(
        db.session,
        g.user,
        status=status,
        involvement=involvement,
        page=parse_id(request.args.get("page")) or 1,
    )
    return render_view(
        "dashboard/index.html",
        filters=filters,
        page=page,
        is_manager=is_manager,
        unread=unread_ticket_ids(db.session, g.user, [t.id for t in page.items]),
        paging_args={"view": "mine", "status": status.value, "involvement": involvement.value},
    )


def _remembered_filters() -> MultiDict:
    """The filters of this request, or, with none given, the ones last used."""
    given = {key: request.args.getlist(key) for key in QUEUE_KEYS if key in request.args}
    if given:
        saved = {key: values[0] for key, values in given.items()}
        if (g.user.preferences or {}).get("queue") != saved:
            retrying(db.session, lambda: _save_queue_filters(saved))
        return MultiDict(given)
    return MultiDict((g.user.preferences or {}).get("queue", {}))


def _save_queue_filters(saved: dict) -> None:
    # Merged under a row lock: a preferences form saved meanwhile keeps its choices.
    merge_preferences(db.session, g.user, {"queue": saved})


def _queue(departments):
    form = QueueFilters(_remembered_filters())
    filters = form.filters()
    counts = queue_counts(db.session, g.user, filters)
    form.fill(departments, counts)
    form.involvement.data = filters.involvement.value
    form.status.data, form.sort.data = filters.status.value, filters.sort
    form.order.data = "desc" if filters.descending else "asc"
    page = queue(db.session, g.user, filters, page=parse_id(request.args.get("page")) or 1)
    return render_view(
        "dashboard/queue.html",
        form=form,
        page=page,
        counts=counts,
        unread=unread_ticket_ids(db.session, g.user, [t.id for t in page.items]),
        row_actions={t.id: available_actions(t, g.user) for t in page.items},
        bookmarked=bookmarked_ticket_ids(db.session, g.user, [t.id for t in page.items]),
        action_token=HdForm(),
        paging_args={key: form[key].data for key in QUEUE_KEYS if form[key].data}
        | {"view": "services"},
    )


@bp.get("/journal")
def log():
    departments = managed_departments(db.session, g.user)
    if not departments:
        abort(403)
    department_id = parse_id(request.args.get("department"))
    events, number, pages = journal(
        db.session,
        g.user,
        department_id=department_id,
        page=parse_id(request.args.get("page")) or 1,
    )
    return render_view(
        "dashboard/journal.html",
        departments=departments,
        department_id=department_id,
        events=events,
        number=number,
        pages=pages,
    )
