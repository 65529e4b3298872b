"""Being embedded safely: the ``/portlet`` fragment rendering, framing rules and
cookie settings for the portal's iframe."""

from __future__ import annotations

from flask import Blueprint, request


def portlet_blueprint(pages) -> Blueprint:
    """The fragment rendering: each page blueprint again, under ``/portlet``."""
    portlet = Blueprint("portlet", __name__, url_prefix="/portlet")
    for page in pages:
        portlet.register_blueprint(page)
    return portlet


def content_security_policy(frame_ancestors: list[str]) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors " + (" ".join(frame_ancestors) or "'none'"),
        ]
    )


def init_app(app) -> None:
    policy = content_security_policy(list(app.config["FRAME_ANCESTORS"]))

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.endpoint == "static":
            # Public files: a portal page loads the widget as a module script (a CORS fetch).
            response.headers.setdefault("Access-Control-Allow-Origin", "*")
        elif request.blueprint and request.blueprint != "api":
            # Personal pages: never kept by shared caches, nor by the browser's back cache.
            response.headers.setdefault("Cache-Control", "no-store")
        return response
