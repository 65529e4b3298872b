"""The widget's API: the portal's signed token in, the user's summary out."""

from __future__ import annotations

import base64
import time

import jwt
import pytest

from models import db
from models.enums import Status
from tests.factories import ticket_in

KEY = base64.b64encode(b"portal-signature-key-for-tests-" * 3).decode()
PORTAL = "https://ent.univ-x.test"


def token(uid="esup9992", key=KEY, expires_in=300, **claims):
    payload = {
        "sub": uid,
        "iss": PORTAL + "/uPortal",
        "exp": int(time.time()) + expires_in,
        "name": "Test ESUP",
        "email": "esup9992@univ.example",
        **claims,
    }
    return jwt.encode(payload, base64.b64decode(key), algorithm="HS512")


@pytest.fixture
def api(app):
    app.config.update(
        PORTAL_JWT_KEY=KEY, PORTAL_JWT_ISSUER=PORTAL + "/uPortal", WIDGET_ORIGINS=[PORTAL]
    )
    return app.test_client()


def test_the_widget_gets_the_users_summary_with_the_portal_token(world, api):
    ticket_in(db.session, world, Status.INCOMPLETE)
    ticket_in(db.session, world, Status.CLOSED)
    ticket_in(db.session, world, Status.FREE)
    answer = api.get(
        "/api/v1/summary",
        headers={"Authorization": f"Bearer {token()}", "Origin": PORTAL, "Accept-Language": "fr"},
    )
    assert answer.status_code == 200
    data = answer.json
    assert data["user"] == {"uid": "esup9992", "name": "Test ESUP"}
    assert data["counts"] == {
        "open": 2,
        "awaiting_your_answer": 1,
        "awaiting_your_approval": 1,
        "free_in_your_services": 0,
    }
    assert data["labels"]["add"] == "Ajouter un ticket"
    assert [t["status_label"] for t in data["tickets"]] == [
        "Clos",
        "Incomplet",
        "Libre",
    ]  # latest first
    assert data["tickets"][0]["url"].startswith("http://assistance.test/tickets/")
    assert answer.headers["Access-Control-Allow-Origin"] == PORTAL
    assert "Origin" in answer.headers["Vary"]


def test_a_manager_sees_the_free_tickets_of_their_services(world, api):
    ticket_in(db.session, world, Status.FREE)
    data = api.get("/api/v1/summary", headers={"Authorization": f"Bearer {token('lbernard')}"}).json
    assert data["counts"]["free_in_your_services"] == 1


@pytest.mark.parametrize(
    "bad",
    [
        token(expires_in=-10),
        token(key=base64.b64encode(b"another-key-entirely-another-key" * 2).decode()),
        token(iss="https://evil.example"),
        jwt.encode({"sub": "esup9992"}, base64.b64decode(KEY), algorithm="HS512"),  # no expiry
        "not.a.token",
        "",
    ],
)
def test_a_bad_token_signs_nobody_in(world, api, bad):
    answer = api.get("/api/v1/summary", headers={"Authorization": f"Bearer {bad}"})
    assert answer.status_code == 401
    assert answer.json["login_url"] == "http://assistance.test/login"


def test_unknown_origins_get_no_cors_and_preflights_need_no_token(world, api):
    answer = api.get("/api/v1/summary", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in answer.headers
    preflight = api.options(
        "/api/v1/summary",
        headers={
            "Origin": PORTAL,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "Authorization",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Headers"] == "Authorization"


def test_without_a_configured_key_tokens_are_refused(tmp_path, database_url, world, app):
    app.config.update(PORTAL_JWT_KEY=None)
    answer = app.test_client().get(
        "/api/v1/summary", headers={"Authorization": f"Bearer {token()}"}
    )
    assert answer.status_code == 401


def test_a_signed_in_browser_uses_its_session(world, browser):
    answer = browser(world.owner).get("/api/v1/summary")
    assert answer.status_code == 200 and answer.json["user"]["uid"] == "esup9992"


def test_the_widget_script_is_served(world, api):
    with api.get("/static/js/assistance-widget.js") as script:
        assert script.status_code == 200
        assert b'customElements.define("assistance-widget"' in script.data
