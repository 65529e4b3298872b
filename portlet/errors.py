"""Errors as pages a user can act on, in both renderings; never a bare 500."""

from __future__ import annotations

import logging

from flask import request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from models import db
from models.errors import Busy, DomainError, NotAllowed, NotFound
from routes._render import render_view

from .cas import CasError

log = logging.getLogger(__name__)

MESSAGES = {
    400: _l("This request could not be understood."),
    403: _l("You are not allowed to do this."),
    404: _l("This page does not exist, or you cannot see it."),
    405: _l("This page cannot be used this way."),
    413: _l("What you sent is too large."),
    500: _l("Something went wrong on our side; nothing you did caused it. Please try again."),
}


def init_app(app) -> None:
    @app.errorhandler(CasError)
    def _cas_error(error: CasError):
        log.warning("sign-in refused for %s: %s", request.remote_addr, error.detail)
        return render_view(
            "errors/sign_in.html", message=error.message, title=_l("Sign-in"), status=error.status
        )

    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError):
        """A domain error no view caught: said plainly, with the status it deserves."""
        db.session.rollback()
        status = {Busy: 503, NotFound: 404, NotAllowed: 403}.get(type(error), 422)
        return render_view(
            "errors/error.html",
            code=status,
            message=error.message,
            title=_l("Error"),
            status=status,
        )

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        if request.blueprint == "api":
            return {"error": error.name}, error.code
        message = MESSAGES.get(error.code, error.description)
        return render_view(
            "errors/error.html",
            code=error.code,
            message=message,
            title=error.name,
            status=error.code,
        )

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        db.session.rollback()
        log.exception("unexpected error on %s %s", request.method, request.path)
        return render_view(
            "errors/error.html", code=500, message=MESSAGES[500], title=_l("Error"), status=500
        )
