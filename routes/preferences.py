"""The user's language: French by default, English on request."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, g, request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from models import db
from models.transactions import retrying

from ._urls import external_url, local_path, redirect_303
from .forms.preferences import LanguageForm

bp = Blueprint("preferences", __name__)


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
