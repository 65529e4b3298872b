"""What templates may call: URL helpers, the enums, dates in the user's zone."""

from __future__ import annotations

import re

from flask import current_app, g, url_for
from flask_babel import format_datetime, get_locale
from jinja2 import ChoiceLoader, FileSystemLoader
from markupsafe import Markup, escape

from models.enums import PRIORITY_LABELS, Action, ActionScope, Status, TicketScope
from models.faq import may_read as may_read_faq
from models.permissions import can_view_entry
from routes._presenters import navigation, ticket_history, visible_attachments
from routes._urls import external_url, external_url_for, view_url

from .mail.links import MailUrls


def short_datetime(value) -> str:
    """« 11/02/10 15:30 », as the ESUP history shows dates."""
    return format_datetime(value, "dd/MM/yy HH:mm") if value else ""


# Web addresses in a message become links; everything else stays text.
URL = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
TRAILING = ".,;:!?)]}»"


def linkify(text: str) -> Markup:
    """Escape user text, making its http(s) addresses clickable (and nothing else)."""
    pieces, last = [], 0
    for match in URL.finditer(text or ""):
        url = match.group(0).rstrip(TRAILING)
        pieces.append(escape(text[last : match.start()]))
        pieces.append(
            Markup(
                '<a href="{0}" rel="noopener noreferrer nofollow" target="_blank">{0}</a>'
            ).format(url)
        )
        last = match.start() + len(url)
    pieces.append(escape((text or "")[last:]))
    return Markup("").join(pieces)


def attachment_named(ticket, attachment_id):
    """The file of this ticket a quick link names, if it is one of its files."""
    return next((a for a in ticket.attachments if str(a.id) == str(attachment_id)), None)


def readable_faq(entry) -> bool:
    """May the signed-in user read this FAQ entry (a closure's link, in the history)?"""
    return entry is not None and may_read_faq(g.get("user"), entry)


def mail_faq_url(entry) -> str:
    """A FAQ entry's address in a mail, built as the mails' other links are."""
    return MailUrls(current_app).deep("faq.entry", entry_id=entry.id)


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
        attachment_named=attachment_named,
        readable_faq=readable_faq,
        mail_faq_url=mail_faq_url,
        current_locale=lambda: str(get_locale() or "fr"),
    )
    app.jinja_env.filters.update(
        short_datetime=short_datetime, file_size=file_size, linkify=linkify
    )

    @app.context_processor
    def _user():
        return {
            "user": g.get("user"),
            "max_files": current_app.config["MAX_FILES_PER_FORM"],
            "max_mb": current_app.config["MAX_ATTACHMENT_MB"],
        }
