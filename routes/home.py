"""« Accueil »: the Assistance tab's first view."""

from __future__ import annotations

from flask import Blueprint, g, request

from ._render import render_view
from ._urls import external_url, in_fragment, local_path, redirect_303
from .forms.preferences import LanguageForm

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    # A portal deep link (?goto=/portlet/tickets/42) opens that view inside the tab.
    goto = request.args.get("goto")
    if goto:
        target = local_path(goto)
        prefix = "/portlet/" if in_fragment() else "/"
        if target.startswith(prefix) and target.rstrip("/") != request.path.rstrip("/"):
            return redirect_303(external_url(target))
    language = LanguageForm(language=g.user.language)
    return render_view("home/index.html", language=language)
