"""What templates may call: URL helpers, the enums, dates in the user's zone."""

from __future__ import annotations

from flask import g, url_for
from flask_babel import format_datetime, get_locale
from jinja2 import ChoiceLoader, FileSystemLoader

from models.enums import PRIORITY_LABELS, Action, ActionScope, Status, TicketScope
from models.permissions import can_view_entry
from routes._presenters import navigation, ticket_history, visible_attachments
from routes._urls import external_url, external_url_for, view_url


def short_datetime(value) -> str:
    """« 11/02/10 15:30 », as the ESUP history shows dates."""
    return format_datetime(value, "dd/MM/yy HH:mm") if value else ""


def file_size(size: int) -> str:
    for unit, factor in (("Mo", 1 << 20), ("ko", 1 << 10)):
        if size >= factor:
            return f"{size / factor:.1f} {unit}".replace(".", ",")
    return f"{size} o"


def init_app(app) -> None:
    overrides = app.config.get("TEMPLATE_OVERRIDES")
    if overrides:
        # A university restyles or rewrites a template without forking.
        app.jinja_loader = ChoiceLoader([FileSystemLoader(overrides), app.jinja_loader])
    app.jinja_env.globals.update(
        view_url=view_url,
        external_url_for=external_url_for,
        static_url=lambda filename: external_url(url_for("static", filename=filename)),
        navigation=navigation,
        ticket_history=ticket_history,
        visible_attachments=visible_attachments,
        Action=Action,
        Status=Status,
        TicketScope=TicketScope,
        ActionScope=ActionScope,
        PRIORITY_LABELS=PRIORITY_LABELS,
        can_view_entry=can_view_entry,
        current_locale=lambda: str(get_locale() or "fr"),
    )
    app.jinja_env.filters.update(short_datetime=short_datetime, file_size=file_size)

    @app.context_processor
    def _user():
        return {"user": g.get("user")}
