"""« Préférences »: the language, which tickets one is told of, and for managers
their alerts, their « Surveillance » in each service and the daily digest."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, g, request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from models import db
from models.errors import DomainError, InvalidValue
from models.permissions import is_manager
from models.preferences import chosen_levels, levels_of, manager_rows, save_preferences
from models.transactions import retrying

from ._render import render_view
from ._urls import external_url, external_url_for, in_fragment, local_path, redirect_303
from .forms.preferences import LanguageForm, preferences_form

bp = Blueprint("preferences", __name__)


def _render(form, manager: bool, status: int = 200):
    rows = form.rows if manager else []
    return render_view(
        "preferences/index.html",
        form=form,
        manager=manager,
        services=[(row.department, *form.monitoring(row)) for row in rows],
        title=_l("Preferences"),
        status=status,
    )


def _monitoring(form) -> dict[int, tuple]:
    """Each service's levels as the manager chose them; a refusal beside its preset."""
    wanted = {}
    for row in form.rows:
        preset, levels = form.monitoring(row)
        try:
            wanted[row.id] = chosen_levels(preset.data, [f.data for f in levels], levels_of(row))
        except InvalidValue as error:
            preset.errors = [*preset.errors, error.message]
    return wanted


@bp.route("/preferences", methods=["GET", "POST"])
def index():
    manager = is_manager(db.session, g.user)
    rows = manager_rows(db.session, g.user) if manager else []
    if request.method == "GET":
        return _render(preferences_form(g.user, rows, manager), manager)
    form = preferences_form(g.user, rows, manager, formdata=request.form)
    if not form.validate():
        return _render(form, manager, status=422)
    monitoring = _monitoring(form) if manager else {}
    if any(field.errors for field in form):
        return _render(form, manager, status=422)
    try:
        save_preferences(db.session, g.user, monitoring=monitoring, **form.values())
    except DomainError as error:
        if not form.place(error):
            flash(error.message, "error")
        return _render(form, manager, status=422)
    with force_locale(g.user.language):
        flash(str(_l("Your preferences are saved.")), "success")
    endpoint = "portlet.preferences.index" if in_fragment() else "preferences.index"
    return redirect_303(external_url_for(endpoint))


@bp.post("/preferences/language")
def language():
    form = LanguageForm(request.form)
    if form.validate() and form.language.data in current_app.config["LANGUAGES"]:
        language = form.language.data
        retrying(db.session, lambda: setattr(g.user, "language", language))
        with force_locale(g.user.language):
            flash(str(_l("Your language is saved.")), "success")
    else:
        flash(_l("Please try again."), "error")
    return redirect_303(external_url(local_path(form.next.data, default="/")))
