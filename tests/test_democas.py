"""The demo CAS server and its test helpers, end to end on 127.0.0.1 (no application)."""

from __future__ import annotations

import threading
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
import requests
from cas import CASClientV3

from tests.cas_server import (
    CAS_NS,
    PgtReceiver,
    cas_login,
    cas_logout,
    proxy_ticket,
    start_cas,
    ticket_of,
    validate_for_pgt,
)

# The application's service URLs (nothing listens on port 9: CAS only redirects there).
SERVICE = "http://127.0.0.1:9/login?next=%2Ftickets"


class SloSink:
    """A service that records the ``logoutRequest`` fields CAS POSTs to it."""

    def __init__(self):
        self.requests: list[str] = []
        self._arrived = threading.Condition()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                with sink._arrived:
                    sink.requests += parse_qs(body).get("logoutRequest", [])
                    sink._arrived.notify_all()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def session_indexes(self, count: int, timeout: float = 5) -> list[str]:
        with self._arrived:
            self._arrived.wait_for(lambda: len(self.requests) >= count, timeout=timeout)
            return [
                ET.fromstring(xml).findtext("{urn:oasis:names:tc:SAML:2.0:protocol}SessionIndex")
                for xml in self.requests
            ]

    def close(self):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


@pytest.fixture(scope="module")
def slo_sink():
    sink = SloSink()
    yield sink
    sink.close()


@pytest.fixture(scope="module")
def portal():
    with PgtReceiver() as receiver:
        yield receiver


@pytest.fixture(scope="module")
def cas(tmp_path_factory, slo_sink, portal):
    app = rf"^http://127\.0\.0\.1:(9|{slo_sink.port})/.*$"
    portal_urls = rf"^http://127\.0\.0\.1:{portal.port}/.*$"
    with start_cas(tmp_path_factory.mktemp("democas"), app, [portal_urls]) as server:
        yield server


def client(cas, service=SERVICE):
    return CASClientV3(service_url=service, server_url=cas.url)


def test_a_demo_person_gets_a_service_ticket_with_her_attributes(cas):
    location = cas_login(cas.url, SERVICE, "etudiant")

    assert location.startswith(SERVICE + "&ticket=ST-")
    user, attributes, _ = client(cas).verify_ticket(ticket_of(location))
    assert user == "etudiant"
    assert attributes["eduPersonAffiliation"] == ["student", "member"]
    assert attributes["displayName"] == "Camille MARTIN"
    assert attributes["supannEntiteAffectation"] == "UFR-SCI"


def test_a_service_ticket_validates_once(cas):
    ticket = ticket_of(cas_login(cas.url, SERVICE, "gestionnaire"))

    assert client(cas).verify_ticket(ticket)[0] == "gestionnaire"
    assert client(cas).verify_ticket(ticket)[0] is None


@pytest.mark.parametrize(("username", "password"), [("etudiant", "wrong"), ("nobody", "demo")])
def test_wrong_credentials_are_refused(cas, username, password):
    with pytest.raises(AssertionError, match="CAS refused"):
        cas_login(cas.url, SERVICE, username, password)


def test_the_sso_session_gives_tickets_without_the_form(cas):
    with requests.Session() as browser:
        cas_login(cas.url, SERVICE, "personnel", session=browser)
        location = cas_login(cas.url, SERVICE, "personnel", password="", session=browser)

    assert client(cas).verify_ticket(ticket_of(location))[0] == "personnel"


def test_a_portal_reaches_the_service_with_a_proxy_ticket(cas, portal):
    portal_service = portal.url + "portal"
    portal_ticket = ticket_of(cas_login(cas.url, portal_service, "esup9992"))
    user, iou = validate_for_pgt(cas.url, portal_service, portal_ticket, portal.url)
    assert user == "esup9992"

    ticket = proxy_ticket(cas.url, portal.pgt_for(iou), SERVICE)

    assert ticket.startswith("PT-")
    assert client(cas).verify_ticket(ticket)[0] is None  # serviceValidate refuses PTs
    ticket = proxy_ticket(cas.url, portal.pgt_for(iou), SERVICE)
    answer = requests.get(
        cas.url + "p3/proxyValidate", params={"service": SERVICE, "ticket": ticket}, timeout=10
    )
    success = ET.fromstring(answer.text).find("cas:authenticationSuccess", CAS_NS)
    assert success.findtext("cas:user", namespaces=CAS_NS) == "esup9992"
    assert success.findtext("cas:attributes/cas:displayName", namespaces=CAS_NS) == "Test ESUP"
    proxies = [p.text for p in success.findall("cas:proxies/cas:proxy", CAS_NS)]
    assert proxies == [portal.url]


def test_logging_out_of_cas_posts_a_logout_request_to_the_service(cas, slo_sink):
    service = f"http://127.0.0.1:{slo_sink.port}/login"
    with requests.Session() as browser:
        ticket = ticket_of(cas_login(cas.url, service, "securite", session=browser))
        assert client(cas, service).verify_ticket(ticket)[0] == "securite"

        cas_logout(cas.url, browser)

    assert slo_sink.session_indexes(1) == [ticket]
