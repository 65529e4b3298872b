"""The web application on each test database, and people to sign in as.

Signing in here writes the login session a CAS login would have written;
tests/portlet/test_sso.py goes through a real CAS server instead.
"""

from __future__ import annotations

import re
import secrets

import pytest

from models import db
from models.logins import sign_in
from portlet.app import create_app
from tests.conftest import empty_tables
from tests.factories import build_world

PUBLIC_URL = "http://assistance.test"
CAS_URL = "http://cas.test/cas/"


@pytest.fixture
def app(database_url, engine, tmp_path):
    """The application requests go to. The test reads and writes the same database
    through a twin application, so that each request has its own context, session
    and ``g``, as in production."""
    config = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "DATA_DIR": str(tmp_path),
        "PUBLIC_URL": PUBLIC_URL,
        "CAS_SERVER_URL": CAS_URL,
        "TESTING": True,
        # The outbox stays as the requests leave it: tests/mail delivers it for real.
        "MAIL_DELIVERY": "off",
    }
    yield from twin_apps(config, engine)


def twin_apps(config: dict, engine):
    """Yield the app requests go to, inside its twin's context; then clean up both and
    empty the tables."""
    app, twin = create_app(config), create_app(config)
    with twin.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    with app.app_context():
        db.engine.dispose()
    empty_tables(engine)


@pytest.fixture
def world(app):
    world = build_world(db.session)
    db.session.commit()
    return world


def form_values(markup: str) -> dict[str, str]:
    """What a browser would send of the inputs in ``markup``, submit buttons aside."""
    values = {}
    for tag in re.findall(r"<input[^>]*>", markup):
        name, value = re.search(r'name="(hd-[\w-]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name and 'type="submit"' not in tag:
            values[name.group(1)] = value.group(1) if value else ""
    for name, selected in re.findall(
        r'<select[^>]*name="(hd-[\w-]+)".*?<option[^>]*selected[^>]*value="([^"]*)"', markup, re.S
    ):
        values[name] = selected
    return values


class Browser:
    """A test client that signs in, follows the French labels and keeps CSRF tokens."""

    def __init__(self, app, user=None):
        self.client = app.test_client()
        if user is not None:
            self.sign_in(user)

    def sign_in(self, user):
        login = sign_in(
            db.session,
            user.uid,
            {"displayName": user.display_name},
            ticket=f"ST-test-{user.uid}-{secrets.token_hex(8)}",  # never reused
        )
        with self.client.session_transaction() as session:
            session["login"] = login.id

    # Our absolute URLs (redirects) name the public host; the test client serves them.
    # The test's own transaction ends first: the request sees what the test wrote,
    # and the test then reads what the request wrote.
    def get(self, url, **kwargs):
        db.session.commit()
        return self.client.get(url.removeprefix(PUBLIC_URL), **kwargs)

    def post(self, url, data=None, **kwargs):
        db.session.commit()
        return self.client.post(url.removeprefix(PUBLIC_URL), data=data or {}, **kwargs)

    def form(self, url):
        """GET a form page: its fields' current values, with the CSRF token."""
        page = self.get(url)
        assert page.status_code == 200, page.status_code
        return page, form_values(page.text)

    def submit(self, url, action_url=None, **values):
        """Fill and send the form at ``url``: fields by their short names."""
        _, data = self.form(url)
        data.update({f"hd-{name}": value for name, value in values.items()})
        return self.post(action_url or url, data=data)


@pytest.fixture
def browser(app):
    return lambda user=None: Browser(app, user)
