"""« Courriels »: the mails of the outbox as admins watch them. Counts per state,
the rows that failed or still wait (with the server's last answer), and « Renvoyer »
to send failed ones again once the cause is fixed. Admins only; others get a 404.
"""

from __future__ import annotations

from flask import Blueprint, flash, request
from flask_babel import lazy_gettext as _l

from models import db
from models.delivery import failed_alongside, outbox_counts, retry_failed, undelivered
from models.outbox import DeliveryState
from models.validation import parse_id

from ._render import render_view
from ._urls import external_url_for, in_fragment, redirect_303
from .admin import admin_or_404
from .forms.base import HdForm

bp = Blueprint("outbox", __name__)


def _render(status: int = 200):
    counts = outbox_counts(db.session)
    return render_view(
        "outbox/index.html",
        counts=counts,
        failed_count=counts[DeliveryState.FAILED],
        rows=undelivered(db.session),
        states=list(DeliveryState),
        token=HdForm(),
        title=_l("Mails"),
        status=status,
    )


@bp.get("/services/mail")
def index():
    admin_or_404()
    return _render()


@bp.post("/services/mail/retry")
def retry():
    admin_or_404()
    form = HdForm(request.form)
    if not form.validate():
        flash(
            form.csrf_token.errors[0] if form.csrf_token.errors else _l("Please try again."),
            "error",
        )
        return _render(status=422)
    row_id = request.form.get("hd-row")
    ids = None
    if row_id is not None:
        ids = failed_alongside(db.session, parse_id(row_id) or 0)
        if not ids:
            flash(_l("This mail is not waiting to be sent again."), "info")
            return redirect_303(_back())
    count = retry_failed(db.session, ids)
    if count:
        flash(_l("Mails to send again: %(count)s.", count=count), "success")
    else:
        flash(_l("No failed mail to send again."), "info")
    return redirect_303(_back())


def _back() -> str:
    return external_url_for("portlet.outbox.index" if in_fragment() else "outbox.index")
