"""End-to-end: our service, the demo CAS server and a test portal on loopback,
driven through Debian's Chromium by Playwright. Never a downloaded browser.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from models import db
from portlet import demo
from portlet.app import create_app
from tests.cas_server import PgtReceiver, free_port, start_cas
from tests.conftest import empty_tables

CHROMIUM = Path("/usr/bin/chromium")
# The flags a root, offline, screenless machine needs (see the machine's notes).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
LOOPBACK_SERVICES = r"^http://127\.0\.0\.1:\d+/.*$"
PORTAL_JWT_KEY = (
    "cG9ydGFsLXNpZ25hdHVyZS1rZXktZm9yLWVuZC10by1lbmQtdGVzdHMtb2YtYXNzaXN0YW5jZS1pbi10aGUtZW50IQ=="
)


def pytest_collection_modifyitems(items):
    for item in items:
        if "/tests/e2e/" in str(item.path):
            # Werkzeug's development server leaves the file of a download the browser
            # abandoned (a module script fetched twice) to the garbage collector.
            item.add_marker(
                pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
            )


class Served:
    """A WSGI application served on 127.0.0.1 by a thread, for as long as the test lasts."""

    def __init__(self, app, port: int):
        self.server = make_server("127.0.0.1", port, app, threaded=True)
        self.url = f"http://127.0.0.1:{port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture(scope="session")
def cas(tmp_path_factory):
    # One pattern for every loopback URL: Assistance, the test portal and its proxy callback.
    server = start_cas(tmp_path_factory.mktemp("cas"), LOOPBACK_SERVICES)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def chromium():
    assert CHROMIUM.exists(), "Debian's chromium is missing: `make test` installs it"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    """A fresh browser profile: no cookie, no CAS session."""
    context = chromium.new_context(locale="fr-FR")
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def portal_receiver():
    """The test portal's proxy callback: the proxy Assistance trusts."""
    with PgtReceiver() as receiver:
        yield receiver


@pytest.fixture
def assistance(database_url, engine, cas, portal_receiver, tmp_path):
    """Assistance with the demo data, on a free port, trusting the test portal."""
    port, portal_port = free_port(), free_port()
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "DATA_DIR": str(tmp_path),
            "PUBLIC_URL": f"http://127.0.0.1:{port}",
            "CAS_SERVER_URL": cas.url,
            "CAS_ALLOWED_PROXIES": [portal_receiver.url.replace(".", r"\.")],
            "FRAME_ANCESTORS": ["'self'", f"http://127.0.0.1:{portal_port}"],
            "WIDGET_ORIGINS": [f"http://127.0.0.1:{portal_port}"],
            "PORTAL_JWT_KEY": PORTAL_JWT_KEY,
        }
    )
    app.config["TEST_PORTAL_PORT"] = portal_port
    with serving_demo(app, engine, port) as url:
        yield app, url


@contextmanager
def serving_demo(app, engine, port: int):
    """``app`` with the demo data, served on ``port``; its tables emptied afterwards."""
    with app.app_context():
        demo.load(db.session)
        db.session.remove()
    served = Served(app, port)
    try:
        yield served.url
    finally:
        served.stop()
        with app.app_context():
            db.engine.dispose()
        empty_tables(engine)


@pytest.fixture
def portal(assistance, cas, portal_receiver):
    """The stand-in ENT portal (tests/e2e/portal.py), trusted by Assistance."""
    from tests.e2e.portal import portal_app

    app, url = assistance
    served = Served(
        portal_app(cas.url, url, portal_receiver, PORTAL_JWT_KEY), app.config["TEST_PORTAL_PORT"]
    )
    yield served.url
    served.stop()


def sign_in_on_cas_page(page, uid: str, password: str = "demo") -> None:
    """Fill the CAS login page the browser is on, as the user would."""
    page.locator("#id_username").fill(uid)
    page.locator("#id_password").fill(password)
    page.locator("button[type=submit]").click()


def tab_to(page, target, presses: int = 80) -> None:
    """Press Tab until ``target`` (a locator) has the focus, as a keyboard user would."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {target}")
