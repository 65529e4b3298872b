"""« Statistiques »: for the managers of a service (and administrators), the tickets
created over a period, where they come from, how long they wait and who handles them;
each figure as a chart with its table, and as CSV. Others get a 404.
"""

from __future__ import annotations

import csv
import io

from flask import Blueprint, abort, current_app, g, request
from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l

from models import db
from models.db import utcnow
from models.statistics import local_today, viewable_departments

from ._charts import svg
from ._render import render_view
from ._statistics import TABLES, Figures, csv_rows, span_label
from ._urls import external_url_for
from .forms.statistics import KEYS, StatisticsForm

bp = Blueprint("statistics", __name__)


def _viewable_or_404():
    departments = viewable_departments(db.session, g.get("user"))
    if not departments:
        abort(404)
    return departments


def _asked():
    """The form as filled in, and the scope it asks for (None when it is wrong)."""
    viewable = _viewable_or_404()
    zone = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    form = StatisticsForm(request.args)
    form.fill(viewable, admin=g.user.is_admin)
    scope = form.check(db.session, viewable, local_today(zone, utcnow()), zone)
    figures = None
    if scope is not None:
        figures = Figures(db.session, scope, several_services=len(scope.department_ids) > 1)
    return form, figures


def _page(form, figures):
    if figures is None:
        return render_view(
            "statistics/index.html", form=form, title=_l("Statistics"), tables=None, status=422
        )
    tables = [build(figures) for build in TABLES.values()]
    args = {key: request.args[key] for key in KEYS if request.args.get(key)}
    first, last = span_label(figures.scope.span)
    return render_view(
        "statistics/index.html",
        form=form,
        title=_l("Statistics"),
        tables=tables,
        charts={table.slug: svg(table) for table in tables},
        csv_urls={
            table.slug: external_url_for("statistics.download", chart=table.slug, **args)
            for table in tables
        },
        total=format_decimal(figures.total),
        first=first,
        last=last,
    )


@bp.get("/statistics")
def index():
    return _page(*_asked())


@bp.get("/statistics/<chart>.csv")
def download(chart: str):
    form, figures = _asked()
    if chart not in TABLES:
        abort(404)
    if figures is None:
        return _page(form, figures)
    table = TABLES[chart](figures)
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(csv_rows(table))
    span = figures.scope.span
    # A byte order mark: spreadsheets then read the accents as UTF-8.
    response = current_app.response_class("\ufeff" + text.getvalue(), mimetype="text/csv")
    response.headers.set(
        "Content-Disposition",
        "attachment",
        filename=f"statistics-{chart}-{span.first.isoformat()}-{span.last.isoformat()}.csv",
    )
    return response
