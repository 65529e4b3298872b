"""Sign-in edge cases that need no browser: bad tickets, single logout requests,
a CAS server that is down or never answers, and attributes that are missing.

The full CAS conversations run against the real server in tests/e2e/.
"""

from __future__ import annotations

import html
import socket
import threading
import time

import pytest
import sqlalchemy as sa

from models import LoginSession, User, db
from models.logins import identify, sign_in
from portlet.cas import _parse, logout_request_ticket
from tests.cas_server import free_port

LOGOUT = """<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"
 xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="LR-1" Version="2.0"
 IssueInstant="2026-11-28T10:00:00Z">
<saml:NameID>@NOT_USED@</saml:NameID><samlp:SessionIndex>{ticket}</samlp:SessionIndex></samlp:LogoutRequest>"""


@pytest.mark.parametrize("ticket", ["forged", "ST-", "ST-<script>", "PT-" + "x" * 300, "TGT-abc"])
def test_a_malformed_ticket_is_refused_without_asking_cas(app, ticket):
    answer = app.test_client().get(f"/tickets/new?ticket={ticket}")
    assert answer.status_code == 403
    assert "Ce lien de connexion n'est pas valide." in html.unescape(answer.text)
    assert db.session.scalar(sa.select(sa.func.count(LoginSession.id))) == 0


def test_a_ticket_already_used_here_is_refused_without_asking_cas(app, world):
    sign_in(db.session, world.owner.uid, {}, ticket="ST-already-used-1")
    answer = app.test_client().get("/?ticket=ST-already-used-1")
    assert answer.status_code == 403
    assert "Votre connexion a expiré ou a déjà été utilisée" in html.unescape(answer.text)


def test_cas_down_gives_a_clear_page(app):
    app.config["CAS_SERVER_URL"] = f"http://127.0.0.1:{free_port()}/cas/"  # nobody listens
    answer = app.test_client().get("/?ticket=ST-valid-looking-1")
    assert answer.status_code == 503
    assert "Le service d'authentification ne répond pas." in html.unescape(answer.text)


def test_a_cas_that_never_answers_is_given_up_after_the_timeout(app):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    held = []
    threading.Thread(target=lambda: held.append(listener.accept()), daemon=True).start()
    app.config.update(
        CAS_SERVER_URL=f"http://127.0.0.1:{listener.getsockname()[1]}/cas/", CAS_TIMEOUT=1
    )
    started = time.monotonic()
    answer = app.test_client().get("/?ticket=ST-valid-looking-2")
    assert answer.status_code == 503 and time.monotonic() - started < 5
    for connection, _ in held:
        connection.close()
    listener.close()


def test_single_logout_revokes_the_session_opened_with_the_ticket(app, world, browser):
    owner = browser(world.owner)
    assert owner.get("/").status_code == 200
    ticket = db.session.scalar(sa.select(LoginSession.ticket))
    answer = app.test_client().post(
        "/tickets/42", data={"logoutRequest": LOGOUT.format(ticket=ticket)}
    )
    assert answer.status_code == 200
    assert owner.get("/").status_code == 302  # back to CAS


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (LOGOUT.format(ticket="ST-nobody-knows-this-one"), 404),
        ("not xml at all", 400),
        ('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', 400),
        (LOGOUT.format(ticket="<b>ST-1</b>"), 400),
    ],
)
def test_a_bogus_logout_request_is_refused_and_ends_nobody(app, world, browser, body, code):
    owner = browser(world.owner)
    assert app.test_client().post("/", data={"logoutRequest": body}).status_code == code
    assert owner.get("/").status_code == 200


@pytest.mark.parametrize(
    ("raw", "failure"),
    [
        (b"", "unreadable"),
        (b"<html>CAS maintenance</html>", "unreadable"),
        (b"<html><body>CAS maintenance</body></html>", "no code"),
        (
            b'<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">'
            b'<cas:authenticationFailure code="INVALID_SERVICE">wrong service'
            b"</cas:authenticationFailure></cas:serviceResponse>",
            "INVALID_SERVICE",
        ),
        (
            b'<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationSuccess>'
            b"</cas:authenticationSuccess></cas:serviceResponse>",
            "without a user",
        ),
    ],
)
def test_a_malformed_cas_answer_signs_nobody_in(raw, failure):
    uid, _, _, reason = _parse(raw)
    assert uid == "" and failure in reason


def test_a_logout_request_names_its_ticket():
    assert logout_request_ticket(LOGOUT.format(ticket="ST-12-abc")) == "ST-12-abc"
    assert logout_request_ticket("<samlp:Other/>") is None


def test_missing_attributes_never_prevent_signing_in(app):
    user = identify(db.session, "inconnu", None)
    assert (user.display_name, user.email, user.attributes) == ("inconnu", None, {})
    user = identify(
        db.session,
        "inconnu",
        {
            "givenName": "Ada",
            "sn": "LOVELACE",
            "mail": ["a@u.fr", "b@u.fr"],
            "eduPersonAffiliation": "staff",
            "empty": "",
        },
    )
    assert (user.display_name, user.email) == ("Ada LOVELACE", "a@u.fr")
    assert user.attributes == {
        "givenName": ["Ada"],
        "sn": ["LOVELACE"],
        "mail": ["a@u.fr", "b@u.fr"],
        "eduPersonAffiliation": ["staff"],
    }
    user = identify(db.session, "inconnu", {"displayName": "Ada L."})  # a later, poorer login
    assert (user.display_name, user.email) == ("Ada L.", "a@u.fr")
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1
