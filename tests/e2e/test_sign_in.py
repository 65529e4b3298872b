"""Signing in and out through the real CAS server, in a real browser."""

from __future__ import annotations

import re

import requests
import sqlalchemy as sa

from models import Ticket, User, db
from models.enums import Action, Status
from tests.e2e.conftest import sign_in_on_cas_page


def test_a_student_signs_in_through_cas_and_sees_the_assistance_tab(assistance, cas, page):
    _, url = assistance
    page.goto(url + "/")
    assert page.url.startswith(cas.url + "login")
    sign_in_on_cas_page(page, "etudiant")

    page.wait_for_url(url + "/")
    assert page.locator("h1").inner_text() == "Assistance en ligne"
    assert page.locator(".hd-banner__user").inner_text().startswith("Camille MARTIN (etudiant)")
    current = page.locator('.hd-tabs [aria-current="page"]')
    assert current.inner_text() == "Accueil"
    assert page.get_by_role("link", name="Ajouter un ticket").first.is_visible()

    app, _ = assistance
    with app.app_context():
        student = db.session.scalar(sa.select(User).where(User.uid == "etudiant"))
        assert student.email == "camille.martin@univ.example"
        assert student.attributes["eduPersonAffiliation"] == ["student", "member"]


def test_signing_out_ends_the_session_here_and_at_cas(assistance, cas, page):
    _, url = assistance
    page.goto(url + "/")
    sign_in_on_cas_page(page, "etudiant")
    page.wait_for_url(url + "/")

    page.get_by_role("link", name="Se déconnecter").click()
    # CAS ends its session, then sends the browser back to us: we ask for a new login.
    page.wait_for_url(re.compile(re.escape(cas.url) + "login.*"))
    page.goto(url + "/")
    assert page.url.startswith(cas.url + "login")  # neither we nor CAS remember the user
    assert page.locator("#id_username").is_visible()


def test_single_logout_from_the_ent_ends_our_session(assistance, cas, page):
    _, url = assistance
    page.goto(url + "/tickets/new")
    sign_in_on_cas_page(page, "personnel")
    page.wait_for_url(url + "/tickets/new")

    page.goto(cas.url + "logout")  # signing out of the ENT elsewhere: CAS tells every service
    page.goto(url + "/tickets/new")
    assert page.url.startswith(cas.url + "login")


def test_a_deep_link_from_an_email_works_through_cas(assistance, cas, page):
    """Guide §III: the closure e-mail's link opens the ticket, ready to approve."""
    app, url = assistance
    with app.app_context():
        ticket = db.session.scalar(sa.select(Ticket).where(Ticket.status == Status.CLOSED))
        ticket_id, owner_uid = ticket.id, ticket.owner.uid

    page.goto(f"{url}/tickets/{ticket_id}/approve_closure")
    assert page.url.startswith(cas.url + "login")
    sign_in_on_cas_page(page, owner_uid)
    page.wait_for_url(f"{url}/tickets/{ticket_id}/approve_closure")
    page.get_by_role("button", name="Approuver").click()

    page.wait_for_url(f"{url}/tickets/{ticket_id}")
    assert "Clos/approuvé" in page.locator(".hd-properties").inner_text()
    assert page.get_by_role("status").inner_text().startswith("C'est fait")


def test_cas_refuses_a_stolen_ticket_and_nobody_is_signed_in(assistance, cas):
    """A ticket issued for another service is refused by CAS; we say so and open nothing."""
    from tests.cas_server import cas_login, ticket_of

    _, url = assistance
    location = cas_login(cas.url, f"{url}/tickets/new", "etudiant")
    stolen = ticket_of(location)
    browserless = requests.Session()
    answer = browserless.get(f"{url}/?ticket={stolen}", allow_redirects=False, timeout=10)
    assert answer.status_code == 403
    assert "Votre connexion a expiré ou a déjà été utilisée" in answer.text
    assert browserless.get(f"{url}/", allow_redirects=False, timeout=10).status_code == 302


def test_a_request_for_information_then_an_answer_in_the_browser(assistance, cas, page):
    """Guide §II: the owner answers with « Ajouter commentaire » from the e-mailed link."""
    app, url = assistance
    with app.app_context():
        ticket = db.session.scalar(sa.select(Ticket).where(Ticket.status == Status.INCOMPLETE))
        ticket_id, owner_uid = ticket.id, ticket.owner.uid

    page.goto(f"{url}/tickets/{ticket_id}")
    sign_in_on_cas_page(page, owner_uid)
    page.wait_for_url(f"{url}/tickets/{ticket_id}")
    page.get_by_role("link", name="Ajouter commentaire").click()
    page.get_by_label("Message").fill("Le numéro d'inventaire est INV-2044.")
    page.get_by_role("button", name="Ajouter commentaire").click()

    page.wait_for_url(f"{url}/tickets/{ticket_id}")
    assert "En cours" in page.locator(".hd-properties").inner_text()
    assert "INV-2044" in page.locator(".hd-history").inner_text()
    with app.app_context():
        assert db.session.get(Ticket, ticket_id).events[-1].kind is Action.COMMENT


def test_an_expired_ticket_signs_nobody_in(database_url, tmp_path):
    """A service ticket used after its validity (here one second) is refused by CAS."""
    import time

    from portlet.app import create_app
    from tests.cas_server import cas_login, free_port, start_cas

    port = free_port()
    with start_cas(tmp_path / "cas", r"^http://127\.0\.0\.1:\d+/.*$", ticket_validity=1) as cas:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": database_url,
                "DATA_DIR": str(tmp_path),
                "PUBLIC_URL": f"http://127.0.0.1:{port}",
                "CAS_SERVER_URL": cas.url,
            }
        )
        location = cas_login(cas.url, f"http://127.0.0.1:{port}/", "etudiant")
        time.sleep(2)
        answer = app.test_client().get(location.removeprefix(f"http://127.0.0.1:{port}"))
        assert answer.status_code == 403
        with app.app_context():
            assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0
            db.session.remove()  # give its connection back before closing the pool
            db.engine.dispose()
