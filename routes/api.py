"""``/api/v1``: the user's ticket summary, for the ``<assistance-widget>`` in any
portal page.

The widget sends the portal's signed userinfo token (uPortal's
``/api/v5-1/userinfo``) as a bearer token, so no cookie crosses sites; a signed-in
browser on our own origin may use its session instead. Allowed portal origins
get CORS headers.
"""

from __future__ import annotations

import base64
import binascii
import logging

import jwt
import sqlalchemy as sa
from flask import Blueprint, current_app, g, request
from flask_babel import gettext as _

from models import DepartmentManager, Ticket, db
from models.enums import OPEN_STATUSES, Status
from models.logins import identify
from models.transactions import retrying

from ._urls import external_url_for

log = logging.getLogger(__name__)

bp = Blueprint("api", __name__, url_prefix="/api/v1")
LATEST = 5


class Unauthenticated(Exception):
    pass


def _portal_user():
    """The user named by a valid portal token in ``Authorization``, or None."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    config = current_app.config
    try:
        key = base64.b64decode(config["PORTAL_JWT_KEY"] or "", validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if not key:
        raise Unauthenticated("no portal key is configured")
    try:
        claims = jwt.decode(
            header.removeprefix("Bearer ").strip(),
            key,
            algorithms=["HS512", "HS384", "HS256"],
            issuer=config["PORTAL_JWT_ISSUER"] or None,
            options={"require": ["exp", "sub"], "verify_aud": False},
        )
    except jwt.PyJWTError as error:
        raise Unauthenticated(f"refused portal token: {error}") from error
    attributes = {
        "displayName": claims.get("name"),
        "mail": claims.get("email"),
        **{
            name: claims[name]
            for name in ("eduPersonAffiliation", "supannEntiteAffectation")
            if name in claims
        },
    }
    return retrying(db.session, lambda: identify(db.session, str(claims["sub"]), attributes))


@bp.after_request
def _cors(response):
    origin = request.headers.get("Origin")
    if origin and origin in current_app.config["WIDGET_ORIGINS"]:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Headers"] = "Authorization"
        response.headers["Access-Control-Allow-Methods"] = "GET"
        response.headers["Access-Control-Max-Age"] = "600"
    response.headers.add("Vary", "Origin")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/summary")
def summary():
    try:
        user = _portal_user() or g.user
    except Unauthenticated as error:
        log.warning("widget API: %s (origin %s)", error, request.headers.get("Origin"))
        user = None
    if user is None:
        return {
            "error": _("Sign in to see your requests."),
            "login_url": external_url_for("sso.login"),
        }, 401

    owned = sa.select(Ticket).where(Ticket.owner_id == user.id)
    counts = dict(
        db.session.execute(
            sa.select(Ticket.status, sa.func.count())
            .where(Ticket.owner_id == user.id)
            .group_by(Ticket.status)
        ).all()
    )
    latest = db.session.scalars(owned.order_by(Ticket.last_action_at.desc()).limit(LATEST))
    managed_services = sa.select(DepartmentManager.department_id).where(
        DepartmentManager.user_id == user.id
    )
    free_in_services = db.session.scalar(
        sa.select(sa.func.count(Ticket.id)).where(
            Ticket.status == Status.FREE, Ticket.department_id.in_(managed_services)
        )
    )
    return {
        "user": {"uid": user.uid, "name": user.display_name},
        "counts": {
            "open": sum(counts.get(status, 0) for status in OPEN_STATUSES),
            "awaiting_your_answer": counts.get(Status.INCOMPLETE, 0),
            "awaiting_your_approval": counts.get(Status.CLOSED, 0),
            "free_in_your_services": free_in_services,
        },
        "labels": {
            "title": _("Online help desk"),
            "open": _("Open requests"),
            "awaiting_your_answer": _("Awaiting your answer"),
            "awaiting_your_approval": _("Awaiting your approval"),
            "free_in_your_services": _("Free tickets in your services"),
            "latest": _("Your latest requests"),
            "none": _("You have no request yet."),
            "add": _("Add a ticket"),
            "all": _("See all my requests"),
        },
        "tickets": [
            {
                "number": ticket.number,
                "subject": ticket.subject,
                "status": ticket.status.value,
                "status_label": str(ticket.status.label),
                "url": external_url_for("tickets.view", ticket_id=ticket.id),
            }
            for ticket in latest
        ],
        "links": {
            "add": external_url_for("tickets.new"),
            "all": external_url_for("dashboard.index"),
        },
    }
