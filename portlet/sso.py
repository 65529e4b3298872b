"""CAS single sign-on for every view: who is this request from?

- A ``ticket`` in the query string (from the CAS login redirect, or a proxy
  ticket added by the portal's Web Proxy Portlet to each fetch) is validated
  against the URL it was issued for, and opens a login session.
- The session cookie holds only that login session's id; the CAS server's
  single-logout POST revokes it by ticket.
- Views that need someone signed in call ``require_user``: a full page goes to
  the CAS login; an embedded view (portal fragment or iframe) first tries a
  silent ``gateway`` round trip, then offers a link that signs in at top level.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from urllib.parse import urlencode

from flask import Blueprint, current_app, g, redirect, request, session
from flask_babel import lazy_gettext as _l

from models import db
from models.db import utcnow
from models.logins import LoginSession, revoke, revoke_ticket, sign_in, ticket_was_used
from routes._render import render_view
from routes._urls import external_url, is_embedded, local_path, redirect_303

from .cas import CasError, CasServer, logout_request_ticket

log = logging.getLogger(__name__)

bp = Blueprint("sso", __name__)

GATEWAY_PARAM = "gw"
# Views anyone may reach: sign-in itself, health checks, the token-authenticated API.
OPEN_BLUEPRINTS = frozenset({"sso", "health", "api"})


def anonymous_allowed() -> bool:
    """Is this view open without signing in (a view marked ``anonymous_allowed``, such as
    the FAQ's reading views, which show such a visitor only what everyone may read)?"""
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "anonymous_allowed", False))


def cas_server() -> CasServer:
    config = current_app.config
    if not config.get("CAS_SERVER_URL"):
        raise CasError(_l("Sign-in is not configured on this server."), "CAS_SERVER_URL is not set")
    return CasServer(
        config["CAS_SERVER_URL"],
        timeout=float(config["CAS_TIMEOUT"]),
        allowed_proxies=config["CAS_ALLOWED_PROXIES"],
    )


def service_url(*, drop: tuple[str, ...] = ("ticket",), add: dict | None = None) -> str:
    """This request's public URL, byte for byte, minus the CAS parameters.

    CAS compares the service string exactly, so the query string is kept as
    received rather than decoded and re-encoded.
    """
    parts = [
        part
        for part in request.query_string.decode("latin-1").split("&")
        if part and part.split("=", 1)[0] not in drop
    ]
    if add:
        parts.append(urlencode(add))
    base = current_app.config["PUBLIC_URL"].rstrip("/") + request.path
    return base + ("?" + "&".join(parts) if parts else "")


def _lifetime() -> timedelta:
    return current_app.permanent_session_lifetime


def load_user() -> None:
    """Before each request: the signed-in user, if the login session is still valid."""
    g.user, g.login = None, None
    login_id = session.get("login")
    if not login_id:
        return
    login = db.session.get(LoginSession, login_id)
    if login is None or not login.is_valid(utcnow(), _lifetime()):
        session.pop("login", None)
        return
    g.user, g.login = login.user, login


def single_logout():
    """The CAS server says a login ended: revoke its session. It posts to a service URL."""
    if request.method != "POST" or "logoutRequest" not in request.form:
        return None
    ticket = logout_request_ticket(request.form["logoutRequest"])
    if ticket is None:
        log.warning("refused a malformed CAS logout request from %s", request.remote_addr)
        return "Malformed logout request", 400, {"Content-Type": "text/plain; charset=utf-8"}
    login = revoke_ticket(db.session, ticket)
    if login is None:
        log.info("CAS logout request for an unknown session (ticket %s…)", ticket[:12])
        return "Unknown session", 404, {"Content-Type": "text/plain; charset=utf-8"}
    log.info("single logout of %s", login.user.uid)
    return "Logged out", 200, {"Content-Type": "text/plain; charset=utf-8"}


def accept_ticket():
    """A CAS ticket in the URL: validate it, unless this client is signed in already."""
    ticket = request.args.get("ticket")
    if request.method != "GET" or not ticket:
        return None
    embedded_fragment = "portlet" in request.blueprints
    if g.user is None:
        if ticket_was_used(db.session, ticket):
            raise CasError(
                _l("Your sign-in has expired or was already used. Please sign in again."),
                "replayed ticket",
            )
        validation = cas_server().validate(ticket, service_url())
        login = sign_in(
            db.session,
            validation.uid,
            validation.attributes,
            ticket=ticket,
            proxy=validation.proxies[0] if validation.proxies else None,
        )
        session.clear()
        session["login"] = login.id
        session.permanent = True
        g.user, g.login = login.user, login
        log.info(
            "signed in %s%s",
            validation.uid,
            f" through {validation.proxies[0]}" if validation.proxies else "",
        )
    if embedded_fragment:
        return None  # the portal's proxy fetched this page: answer it, no redirect
    return redirect_303(service_url(drop=("ticket", GATEWAY_PARAM)))


def require_user():
    """Send whoever is not signed in to CAS, the way their context allows."""
    if g.user is not None:
        return None
    cas = cas_server()
    if not is_embedded():
        return redirect(cas.login_url(service_url()))
    if GATEWAY_PARAM not in request.args:
        # Ask CAS silently: back with a ticket if the user is signed in to the ENT.
        return redirect(cas.login_url(service_url(add={GATEWAY_PARAM: "1"}), gateway=True))
    next_path = local_path(service_url(drop=("ticket", GATEWAY_PARAM)))
    return render_view("sso/sign_in.html", next_path=next_path, title=_l("Sign in"))


@bp.get("/login")
def login():
    """« Se connecter » at top level: the CAS login page, then back to ``next``."""
    next_path = local_path(request.args.get("next", "/"))
    if g.user is not None:
        return redirect_303(external_url(next_path))
    return redirect(
        cas_server().login_url(current_app.config["PUBLIC_URL"].rstrip("/") + next_path)
    )


@bp.get("/logout")
def logout():
    if g.login is not None:
        revoke(db.session, g.login.id)
    session.clear()
    try:
        return redirect(cas_server().logout_url(external_url("/")))
    except CasError:
        return redirect_303(external_url("/"))


def init_app(app) -> None:
    app.register_blueprint(bp)

    @app.before_request
    def _identify():
        # CAS posts single-logout requests to any service URL, whatever its methods.
        answer = single_logout()
        if answer is not None or request.endpoint in (None, "static"):
            return answer
        load_user()
        answer = accept_ticket()
        if answer is None and request.blueprint not in OPEN_BLUEPRINTS and not anonymous_allowed():
            answer = require_user()
        return answer
