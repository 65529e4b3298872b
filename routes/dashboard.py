"""« Tableau de bord »: my tickets, filtered by status and involvement, paged."""

from __future__ import annotations

from flask import Blueprint, g, request

from models import db
from models.queries import Involvement, StatusFilter, my_tickets, parse_choice
from models.tracking import unread_ticket_ids
from models.validation import parse_id

from ._render import render_view
from .forms.filters import DashboardFilters

bp = Blueprint("dashboard", __name__)


@bp.get("/dashboard")
def index():
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
        unread=unread_ticket_ids(db.session, g.user, [t.id for t in page.items]),
        paging_args={"status": status.value, "involvement": involvement.value},
    )
