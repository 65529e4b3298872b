"""Talking to the CAS server (protocol 3) through python-cas, with what it lacks:
timeouts, proxy-ticket validation, the proxy chain, and clear failures.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

import defusedxml.ElementTree as SafeXML
import requests
from cas import CASClientV3
from flask_babel import lazy_gettext as _l

log = logging.getLogger(__name__)

CAS_NS = "{http://www.yale.edu/tp/cas}"
SAML_PROTOCOL_NS = "{urn:oasis:names:tc:SAML:2.0:protocol}"
# CAS 3 §3.7: tickets are made of [A-Za-z0-9-]; we tolerate what real servers add.
TICKET_PATTERN = re.compile(r"(ST|PT)-[A-Za-z0-9._-]{1,252}")


class CasError(Exception):
    """Nobody is signed in; ``message`` says why, in the user's words."""

    status = 403

    def __init__(self, message, detail: str = ""):
        self.message = message
        self.detail = detail
        super().__init__(detail or str(message))


class CasUnavailable(CasError):
    status = 503


@dataclass
class Validation:
    uid: str
    attributes: dict[str, object]
    proxies: list[str] = field(default_factory=list)


class _TimeoutSession(requests.Session):
    """python-cas calls requests without a timeout; a slow CAS must not hang a worker."""

    def __init__(self, timeout: float):
        super().__init__()
        self.timeout = timeout

    def request(self, *args, **kwargs):
        kwargs.setdefault("timeout", self.timeout)
        return super().request(*args, **kwargs)


class _ProxyTicketClient(CASClientV3):
    """/p3/serviceValidate refuses proxy tickets; /p3/proxyValidate takes both."""

    url_suffix = "p3/proxyValidate"


class CasServer:
    def __init__(
        self,
        server_url: str,
        *,
        timeout: float = 5.0,
        allowed_proxies: list[str] | tuple[str, ...] = (),
    ):
        # urljoin(server_url, "login") drops the last path segment without this slash.
        self.server_url = server_url if server_url.endswith("/") else server_url + "/"
        self.timeout = timeout
        self.allowed_proxies = [re.compile(pattern) for pattern in allowed_proxies]

    def _client(self, service: str, proxy: bool = False) -> CASClientV3:
        client_class = _ProxyTicketClient if proxy else CASClientV3
        return client_class(
            service_url=service, server_url=self.server_url, session=_TimeoutSession(self.timeout)
        )

    def login_url(self, service: str, *, gateway: bool = False) -> str:
        url = self._client(service).get_login_url()
        return url + "&" + urlencode({"gateway": "true"}) if gateway else url

    def logout_url(self, service: str) -> str:
        return self._client(service).get_logout_url(service)

    def proxy_allowed(self, proxy: str) -> bool:
        return any(pattern.fullmatch(proxy) for pattern in self.allowed_proxies)

    def validate(self, ticket: str, service: str) -> Validation:
        """Ask CAS who this ticket belongs to; raise CasError unless all is right."""
        if not TICKET_PATTERN.fullmatch(ticket or ""):
            raise CasError(
                _l("This sign-in link is not valid."), f"malformed ticket {ticket[:40]!r}"
            )
        is_proxy_ticket = ticket.startswith("PT-")
        client = self._client(service, proxy=is_proxy_ticket)
        try:
            raw = client.get_verification_response(ticket)
        except requests.RequestException as error:
            raise CasUnavailable(
                _l("The sign-in service does not answer. Please try again in a few minutes."),
                f"CAS unreachable: {error}",
            ) from error
        uid, attributes, proxies, failure = _parse(raw)
        if failure is not None:
            raise CasError(
                _l("Your sign-in has expired or was already used. Please sign in again."),
                f"CAS refused the ticket: {failure}",
            )
        if is_proxy_ticket:
            if not proxies or not self.proxy_allowed(proxies[0]):
                raise CasError(
                    _l("This portal is not allowed to show Assistance."),
                    f"proxy chain not allowed: {proxies}",
                )
        elif proxies:
            raise CasError(
                _l("This sign-in link is not valid."), f"service ticket with proxies {proxies}"
            )
        return Validation(uid, attributes, proxies)


def _parse(raw: bytes) -> tuple[str, dict, list[str], str | None]:
    """(uid, attributes, proxy chain, failure) from a CAS 3 validation response."""
    try:
        root = SafeXML.fromstring(raw)
        result = root[0]
    except Exception as error:  # noqa: BLE001 - any unreadable answer is a refusal
        return "", {}, [], f"unreadable response ({type(error).__name__}): {raw[:200]!r}"
    if result.tag != CAS_NS + "authenticationSuccess":
        return "", {}, [], f"{result.get('code', 'no code')}: {(result.text or '').strip()[:200]}"
    uid = (result.findtext(CAS_NS + "user") or "").strip()
    if not uid:
        return "", {}, [], "success without a user"
    attributes_element = result.find(CAS_NS + "attributes")
    attributes = (
        CASClientV3.parse_attributes_xml_element(attributes_element)
        if attributes_element is not None
        else {}
    )
    proxies = [(p.text or "").strip() for p in result.iterfind(f"{CAS_NS}proxies/{CAS_NS}proxy")]
    return uid, attributes, proxies, None


def logout_request_ticket(body: str) -> str | None:
    """The ticket a CAS single-logout request names, or None if it is not one."""
    try:
        root = SafeXML.fromstring(body.encode("utf-8"))
    except Exception:  # noqa: BLE001 - anyone can post anything here
        return None
    if root.tag != SAML_PROTOCOL_NS + "LogoutRequest":
        return None
    ticket = (root.findtext(SAML_PROTOCOL_NS + "SessionIndex") or "").strip()
    return ticket if TICKET_PATTERN.fullmatch(ticket) else None
