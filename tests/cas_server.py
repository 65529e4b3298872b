"""Helpers to drive the demo CAS server (``python -m portlet.democas``) from the tests.

Plain functions and classes, no fixtures: conftest decides their scope. Everything runs on
127.0.0.1; the login form is driven with ``requests``, without a browser.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests

from portlet.demo_people import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parent.parent
CAS_NS = {"cas": "http://www.yale.edu/tp/cas"}
TIMEOUT = 10  # seconds, for every HTTP call to the CAS server
START_TIMEOUT = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class CasServer:
    process: subprocess.Popen
    port: int
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/cas/"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> CasServer:
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()


def start_cas(
    data_dir: Path,
    service_pattern: str,
    proxy_patterns: Sequence[str] = (),
    ticket_validity: int | None = None,
) -> CasServer:
    """Start the demo CAS on a free port and return once its login page answers."""
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    command = [sys.executable, "-m", "portlet.democas", "--port", str(port)]
    command += ["--data-dir", str(data_dir), "--service-pattern", service_pattern]
    for pattern in proxy_patterns:
        command += ["--proxy-pattern", pattern]
    log_path = data_dir / "democas.log"
    with log_path.open("ab") as log_file:
        env = dict(os.environ)
        if ticket_validity is not None:
            env["DEMOCAS_TICKET_VALIDITY"] = str(ticket_validity)
        process = subprocess.Popen(
            command, cwd=ROOT, stdout=log_file, stderr=subprocess.STDOUT, env=env
        )
    server = CasServer(process, port, log_path)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the demo CAS exited ({process.returncode}):\n{server.log()}")
        try:
            if requests.get(server.url + "login", timeout=1).status_code == 200:
                return server
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    server.stop()
    raise AssertionError(f"the demo CAS did not answer in {START_TIMEOUT} s:\n{server.log()}")


class _FormParser(HTMLParser):
    """Collects the hidden inputs of the login form and the error messages shown."""

    def __init__(self):
        super().__init__()
        self.hidden: dict[str, str] = {}
        self.errors: list[str] = []
        self._error_tag = None  # the tag of the error box being read

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type") == "hidden" and attrs.get("name"):
            self.hidden[attrs["name"]] = attrs.get("value") or ""
        classes = set((attrs.get("class") or "").split())
        if self._error_tag is None and classes & {"alert-danger", "help-block"}:
            self._error_tag = tag

    def handle_endtag(self, tag):
        if tag == self._error_tag:
            self._error_tag = None

    def handle_data(self, data):
        if self._error_tag and data.strip() not in ("", "×"):
            self.errors.append(data.strip())


def _ticket_location(response: requests.Response, service: str) -> str:
    location = response.headers.get("Location", "")
    if not (location.startswith(service) and "ticket=" in location):
        raise AssertionError(f"CAS redirected to {location!r}, not to {service!r} with a ticket")
    return location


def cas_login(
    cas_url: str,
    service: str,
    username: str,
    password: str = DEMO_PASSWORD,
    session: requests.Session | None = None,
) -> str:
    """Log in through the CAS form and return the redirect to ``service`` with its ticket.

    With a ``session`` already holding the CAS SSO cookie, no form is posted.
    """
    own_session = session is None
    session = session or requests.Session()
    try:
        page = session.get(
            cas_url + "login", params={"service": service}, allow_redirects=False, timeout=TIMEOUT
        )
        if page.status_code == 302:
            return _ticket_location(page, service)
        assert page.status_code == 200, f"CAS login page answered {page.status_code}"
        form = _FormParser()
        form.feed(page.text)
        assert "lt" in form.hidden, f"no login ticket in the CAS page:\n{page.text}"
        # No action on the form: the browser posts to the page's own URL.
        answer = session.post(
            page.url,
            data={**form.hidden, "username": username, "password": password},
            allow_redirects=False,
            timeout=TIMEOUT,
        )
        if answer.status_code != 302:
            refused = _FormParser()
            refused.feed(answer.text)
            raise AssertionError(
                f"CAS refused {username!r} ({answer.status_code}): {' '.join(refused.errors)}"
            )
        return _ticket_location(answer, service)
    finally:
        if own_session:
            session.close()


def ticket_of(location: str) -> str:
    """The ``ticket`` parameter of a service URL CAS redirected to."""
    return parse_qs(urlsplit(location).query)["ticket"][0]


def cas_logout(cas_url: str, session: requests.Session) -> None:
    """End the SSO session of ``session``; CAS posts the SLO requests before answering."""
    response = session.get(cas_url + "logout", timeout=TIMEOUT)
    assert response.status_code == 200, f"CAS logout answered {response.status_code}"


def _cas_xml(response: requests.Response) -> ET.Element:
    assert response.status_code == 200, f"CAS answered {response.status_code}: {response.text}"
    return ET.fromstring(response.text)


def proxy_ticket(cas_url: str, pgt: str, target_service: str) -> str:
    """Ask CAS for a proxy ticket for ``target_service`` with a proxy-granting ticket."""
    response = requests.get(
        cas_url + "proxy", params={"pgt": pgt, "targetService": target_service}, timeout=TIMEOUT
    )
    ticket = _cas_xml(response).find("cas:proxySuccess/cas:proxyTicket", CAS_NS)
    if ticket is None:
        raise AssertionError(f"CAS refused a proxy ticket for {target_service}:\n{response.text}")
    return ticket.text


def validate_for_pgt(cas_url: str, service: str, ticket: str, pgt_url: str) -> tuple[str, str]:
    """Validate a service ticket with a ``pgtUrl``; return the user and the PGT IOU."""
    response = requests.get(
        cas_url + "p3/serviceValidate",
        params={"service": service, "ticket": ticket, "pgtUrl": pgt_url},
        timeout=TIMEOUT,
    )
    success = _cas_xml(response).find("cas:authenticationSuccess", CAS_NS)
    iou = None if success is None else success.find("cas:proxyGrantingTicket", CAS_NS)
    if iou is None:
        raise AssertionError(f"CAS gave no proxy-granting ticket:\n{response.text}")
    return success.find("cas:user", CAS_NS).text, iou.text


class PgtReceiver:
    """The ``pgtUrl`` of a test portal: records the IOU -> PGT pairs CAS sends it."""

    def __init__(self):
        self.pgts: dict[str, str] = {}
        self._arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                query = parse_qs(urlsplit(self.path).query)
                if "pgtIou" in query and "pgtId" in query:
                    with receiver._arrived:
                        receiver.pgts[query["pgtIou"][0]] = query["pgtId"][0]
                        receiver._arrived.notify_all()
                self._ok()

            def do_POST(self):  # SLO, should the portal's pattern ask for it
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self._ok()

            def _ok(self):
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def pgt_for(self, iou: str, timeout: float = 5) -> str:
        with self._arrived:
            if not self._arrived.wait_for(lambda: iou in self.pgts, timeout=timeout):
                raise AssertionError(f"CAS never sent the PGT of {iou}")
            return self.pgts[iou]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def __enter__(self) -> PgtReceiver:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
