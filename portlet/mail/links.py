"""Absolute links for mails, built without a request: from PUBLIC_URL, or through
the portal when PORTAL_URL_TEMPLATE is set, exactly as routes/_urls.deep_link
builds them inside a request (a test checks that both agree).
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from flask import Flask


class MailUrls:
    def __init__(self, app: Flask):
        self.base = app.config["PUBLIC_URL"].rstrip("/")
        self.portal = app.config.get("PORTAL_URL_TEMPLATE")
        # Paths only: the host and scheme come from PUBLIC_URL, never from a request.
        self.adapter = app.url_map.bind(urlsplit(self.base).netloc or "localhost")

    def path(self, endpoint: str, **values) -> str:
        return self.adapter.build(endpoint, values)

    def page(self, endpoint: str, **values) -> str:
        """The full page, which signs in through CAS at top level."""
        return self.base + self.path(endpoint, **values)

    def deep(self, endpoint: str, **values) -> str:
        """Through the portal's tab when there is one, else the full page."""
        if self.portal:
            return self.portal.format(
                path=quote(self.path("portlet." + endpoint, **values), safe="")
            )
        return self.page(endpoint, **values)

    def preferences(self) -> str:
        return self.deep("preferences.index")
