"""URLs as the outside world sees them: absolute from the configured public base,
and the same view in whichever rendering (portal fragment or full page) is current.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from flask import current_app, redirect, request, url_for


def public_base() -> str:
    return current_app.config["PUBLIC_URL"].rstrip("/")


def external_url(path: str) -> str:
    """An absolute URL for one of our paths; never trusts the request's Host."""
    return public_base() + path


def external_url_for(endpoint: str, **values) -> str:
    return external_url(url_for(endpoint, **values))


def in_fragment() -> bool:
    """Is this request for the portal's fragment rendering (``/portlet/…``)?

    A path that matched no view (a 404) is judged by its prefix.
    """
    if request.blueprint is None:
        return request.path.startswith("/portlet/")
    return "portlet" in request.blueprints


def is_embedded() -> bool:
    """Inside the portal: a fragment fetched by its proxy, or a page in its iframe."""
    return (
        in_fragment()
        or request.headers.get("Sec-Fetch-Dest") == "iframe"
        or request.args.get("embed") == "iframe"
    )


def view_url(endpoint: str, **values) -> str:
    """The URL of ``endpoint`` in the current rendering: fragment stays fragment."""
    if in_fragment() and not endpoint.startswith("portlet."):
        endpoint = "portlet." + endpoint
    return url_for(endpoint, **values)


def local_path(target: str | None, default: str = "/") -> str:
    """A path of ours to go to after sign-in, or ``default``: never another site."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        base = urlsplit(public_base())
        if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
            return default
    path = parts.path or "/"
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return default
    return path + ("?" + parts.query if parts.query else "")


def redirect_303(url: str):
    """After a POST, or through the portal's proxy: 303 to an absolute URL."""
    return redirect(url, 303)


def deep_link(endpoint: str, **values) -> str:
    """A link to a view for someone outside the app (an e-mail): through the portal
    when ``PORTAL_URL_TEMPLATE`` is set (the portal opens the fragment in its tab),
    else to the full page, which signs in through CAS at top level.
    """
    template = current_app.config.get("PORTAL_URL_TEMPLATE")
    if template:
        return template.format(path=quote(url_for("portlet." + endpoint, **values), safe=""))
    return external_url_for(endpoint, **values)
