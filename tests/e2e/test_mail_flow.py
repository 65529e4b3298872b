"""The seed flow told by e-mail, followed in Chromium from the mails themselves.

Camille (« etudiant ») files a ticket in INFORMATIQUE; Jean (« gestionnaire », who reads
Assistance in English) takes it from his mail and asks a question; Camille answers from
the « Ajouter un commentaire » link of hers, refuses the first closure from « Refuser la
clôture » (saying why), and approves the second one in one click from « Approuver la
clôture ». Every mail goes to a real SMTP server on loopback; after each step the test
delivers the outbox (time moved past the grouping delay, never waited for) and checks
exactly which mails arrived, to whom, in which language, threaded under the creation mail.
A forwarded or reused approval link acts for nobody.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from models import Ticket, TicketEvent, User, db
from models.db import utcnow
from models.delivery import GROUP_SECONDS
from models.enums import Status
from portlet.app import create_app
from portlet.demo_people import BY_UID
from portlet.mail.send import deliver_all_due
from tests.cas_server import free_port
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import serving_demo, sign_in_on_cas_page
from tests.mail.helpers import links_of, readable
from tests.smtp_server import SmtpServer

SUBJECT = "Plus de Wi-Fi en salle 204"
CATEGORY = "Réseau et Wi-Fi"  # no members of its own: the whole service hears of new tickets


@dataclass(frozen=True)
class Reader:
    """A demo person as their mail reaches them."""

    uid: str
    language: str

    @property
    def address(self) -> str:
        return BY_UID[self.uid]["attributes"]["mail"]


OWNER = Reader("etudiant", "fr")  # Camille MARTIN
MANAGER = Reader("gestionnaire", "en")  # Jean DUPONT, who chose English
COLLEAGUE = Reader("gestionnaire2", "fr")  # Léa BERNARD, the service's other manager


@pytest.fixture(scope="module")
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def assistance_by_mail(database_url, engine, cas, smtp, tmp_path):
    """Assistance with the demo data, its mail going to the loopback SMTP server when the
    test delivers it; the demo's own mails already delivered and forgotten."""
    port = free_port()
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "DATA_DIR": str(tmp_path),
            "PUBLIC_URL": f"http://127.0.0.1:{port}",
            "CAS_SERVER_URL": cas.url,
            "MAIL_SERVER": smtp.host,
            "MAIL_PORT": smtp.port,
            "MAIL_TIMEOUT": 5,
            "MAIL_SUPPRESS_SEND": False,
            "MAIL_DEFAULT_SENDER": "Assistance <assistance@univ.example>",
            "MAIL_DELIVERY": "off",  # the test delivers after each step
        }
    )
    with serving_demo(app, engine, port) as url:
        with app.app_context():
            user = db.session.scalar(sa.select(User).where(User.uid == MANAGER.uid))
            user.language = MANAGER.language
            db.session.commit()
            db.session.remove()
        Mailbox(app, smtp).deliver()  # the demo tickets' history
        smtp.reset()
        yield app, url


class Mailbox:
    """What the loopback server received, step after step."""

    def __init__(self, app, smtp: SmtpServer):
        self.app, self.smtp = app, smtp
        self.root: str | None = None  # the creation mail's Message-ID: the thread's root

    def deliver(self) -> list:
        """Deliver what is due once the grouping delay has passed; the mails that arrived."""
        before = len(self.smtp.mails)
        report = deliver_all_due(self.app, now=utcnow() + timedelta(seconds=GROUP_SECONDS + 1))
        assert (report.retrying, report.failed) == (0, 0), report.errors
        return self.smtp.mails[before:]

    def expect(self, *table: tuple[Reader, str]) -> dict[Reader, EmailMessage]:
        """Deliver, and check that exactly these mails arrived: one per (reader, subject),
        each in its reader's language, threaded under the ticket's creation mail."""
        arrived = self.deliver()
        assert sorted((m.recipients, m.message["Subject"]) for m in arrived) == sorted(
            ([reader.address], subject) for reader, subject in table
        )
        mails = {}
        for reader, _ in table:
            (message,) = [m.message for m in arrived if m.recipients == [reader.address]]
            assert message["Content-Language"] == reader.language
            assert ("Quick links" if reader.language == "en" else "Liens rapides") in readable(
                message
            )
            self._check_thread(message)
            mails[reader] = message
        return mails

    def _check_thread(self, message: EmailMessage) -> None:
        if self.root is None or message["Message-ID"] == self.root:  # the creation mail
            assert message["In-Reply-To"] is None
            self.root = message["Message-ID"]
        else:
            assert message["In-Reply-To"] == message["References"] == self.root


class Person:
    """A demo user's own browser profile, on full pages."""

    def __init__(self, chromium, url: str, uid: str):
        self.chromium, self.url, self.uid = chromium, url, uid
        self.open_browser()

    def open_browser(self) -> None:
        self.context = self.chromium.new_context(locale="fr-FR")
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.tab = self.page.locator("#hd-root")

    def close_browser(self) -> None:
        self.context.close()

    def sign_in(self, start: str | None = None) -> None:
        """Open ``start`` (the home page by default), signing in on the CAS page."""
        start = start or self.url + "/"
        self.page.goto(start)
        sign_in_on_cas_page(self.page, self.uid)
        self.page.wait_for_url(start)

    def follow(self, url: str, status: int = 200) -> None:
        """Open a link of a mail, as a click in the mail reader would."""
        response = self.page.goto(url)
        assert response.status == status, (url, response.status)

    def status(self):
        """The ticket's « Statut » (« Status » in English)."""
        return (
            self.tab.locator(".hd-properties__row")
            .filter(has_text=re.compile("Stat"))
            .locator("dd")
        )


@pytest.fixture
def people(assistance_by_mail, chromium):
    _, url = assistance_by_mail
    found = [Person(chromium, url, reader.uid) for reader in (OWNER, MANAGER)]
    yield found
    for person in found:
        person.close_browser()


def ticket_state(app, number: int) -> tuple[Status, int]:
    """The ticket's status and how many actions it has seen, as the database says."""
    with app.app_context():
        ticket = db.session.get(Ticket, number)
        events = db.session.scalar(
            sa.select(sa.func.count(TicketEvent.id)).where(TicketEvent.ticket_id == number)
        )
        state = ticket.status, events
        db.session.remove()
        return state


def test_the_seed_flow_is_told_by_mail_and_followed_from_the_mails(
    assistance_by_mail, smtp, people
):
    app, url = assistance_by_mail
    mailbox = Mailbox(app, smtp)
    camille, jean = people

    # Camille files the ticket: « Ajouter un ticket » → the category → « Créer le ticket ».
    camille.sign_in()
    camille.tab.get_by_role("link", name="Ajouter un ticket").first.click()
    camille.tab.get_by_role("link", name=CATEGORY).click()
    camille.tab.get_by_label("Sujet").fill(SUBJECT)
    camille.tab.get_by_label("Veuillez indiquer tous les renseignements").fill(
        "Aucun réseau Wi-Fi n'apparaît depuis ce matin."
    )
    camille.tab.get_by_role("button", name="Créer le ticket").click()
    expect(camille.tab).to_contain_text("Un nouveau ticket a été créé.")
    n = int(re.search(r"/tickets/(\d+)$", camille.page.url).group(1))
    camille.close_browser()  # she will come back from her mail

    # The service's managers hear of it, each in their language; Camille is not told.
    mails = mailbox.expect(
        # to        subject
        (MANAGER, f"[creation INFORMATIQUE #{n}] {SUBJECT}"),
        (COLLEAGUE, f"[création INFORMATIQUE n°{n}] {SUBJECT}"),
    )
    assert mails[MANAGER]["Message-ID"] == mails[COLLEAGUE]["Message-ID"] == mailbox.root
    assert links_of(mails[COLLEAGUE])["Prendre en charge"] == f"{url}/tickets/{n}/take"

    # Jean takes it from his mail (signing in on the way), then asks a question.
    jean.sign_in(links_of(mails[MANAGER])["Take"])
    assert_accessible(jean.page)
    jean.tab.get_by_role("button", name="Take", exact=True).click()
    expect(jean.status()).to_have_text("In progress")
    mailbox.expect(
        (OWNER, f"[prise en charge INFORMATIQUE n°{n}] {SUBJECT}"),
    )
    jean.tab.get_by_role("link", name="Request information").click()
    jean.tab.get_by_label("Your question").fill("Votre ordinateur voit-il le réseau eduroam ?")
    jean.tab.get_by_role("button", name="Request information").click()
    expect(jean.status()).to_have_text("Incomplete")
    mails = mailbox.expect(
        (OWNER, f"[demande INFORMATIQUE n°{n}] {SUBJECT}"),
    )

    # Camille answers from « Ajouter un commentaire » in that mail: CAS first, then the form.
    camille.open_browser()
    camille.sign_in(links_of(mails[OWNER])["Ajouter un commentaire"])
    expect(camille.tab.get_by_role("heading", level=1)).to_have_text("Ajouter commentaire")
    expect(camille.tab.locator(".hd-context")).to_contain_text(f"Ticket n°{n} : {SUBJECT}")
    assert_accessible(camille.page)
    camille.tab.get_by_label("Message").fill("Non, aucun réseau n'apparaît.")
    camille.tab.get_by_role("button", name="Ajouter commentaire").click()
    expect(camille.status()).to_have_text("En cours")
    mailbox.expect(
        (MANAGER, f"[information INFORMATIQUE #{n}] {SUBJECT}"),
    )

    # Jean closes; Camille refuses from « Refuser la clôture », and must say why.
    close(jean, "La borne de la salle 204 a été redémarrée.")
    mails = mailbox.expect(
        (OWNER, f"[clôture INFORMATIQUE n°{n}] {SUBJECT}"),
    )
    camille.follow(links_of(mails[OWNER])["Refuser la clôture"])
    assert_accessible(camille.page)
    reason = camille.tab.get_by_label("Pourquoi refusez-vous la clôture ?")
    camille.tab.get_by_role("button", name="Refuser clôture").click()
    expect(reason).to_have_attribute("aria-invalid", "true")
    error = f"{reason.get_attribute('id')}-error"  # the message beside it, read with it
    expect(reason).to_have_attribute("aria-describedby", re.compile(rf"\b{error}\b"))
    expect(camille.page.locator(f"#{error}")).to_be_visible()
    assert_accessible(camille.page)
    reason.fill("Toujours aucun réseau cet après-midi.")
    camille.tab.get_by_role("button", name="Refuser clôture").click()
    expect(camille.status()).to_have_text("En cours")
    mailbox.expect(
        (MANAGER, f"[closure refusal INFORMATIQUE #{n}] {SUBJECT}"),
    )

    # Closed again: the approval link of Camille's mail.
    close(jean, "La borne a été remplacée.")
    mails = mailbox.expect(
        (OWNER, f"[clôture INFORMATIQUE n°{n}] {SUBJECT}"),
    )
    approve = links_of(mails[OWNER])["Approuver la clôture"]
    assert approve.startswith(f"{url}/mail/act/")
    closed = ticket_state(app, n)
    assert closed[0] is Status.CLOSED

    # Forwarded to Jean, it cannot act for him: a clear page, the usual way to the ticket.
    jean.follow(approve, status=403)
    expect(jean.tab.get_by_role("heading", level=1)).to_have_text("This link cannot act")
    expect(jean.tab.get_by_role("alert")).to_have_text(
        "This link was sent to someone else; it cannot act for you."
    )
    expect(jean.tab.get_by_role("link", name=f"Ticket #{n}: {SUBJECT}")).to_have_attribute(
        "href", f"/tickets/{n}"
    )
    assert_accessible(jean.page)
    assert ticket_state(app, n) == closed

    # Camille, signed in already, approves in one click.
    camille.follow(approve)
    assert camille.page.url == f"{url}/tickets/{n}"
    expect(camille.tab).to_contain_text("C'est fait : Approuver.")
    expect(camille.status()).to_have_text("Clos/approuvé")
    assert ticket_state(app, n) == (Status.APPROVED, closed[1] + 1)
    mailbox.expect(
        (MANAGER, f"[closure approval INFORMATIQUE #{n}] {SUBJECT}"),
    )

    # The same link a second time: used, and said so; the ticket is as it was.
    camille.follow(approve, status=410)
    expect(camille.tab.get_by_role("alert")).to_have_text("Ce lien a déjà été utilisé.")
    assert_accessible(camille.page)
    camille.tab.get_by_role("link", name=f"Ticket n°{n} : {SUBJECT}").click()
    expect(camille.status()).to_have_text("Clos/approuvé")
    assert ticket_state(app, n) == (Status.APPROVED, closed[1] + 1)
    assert mailbox.deliver() == []  # refused links tell nobody anything


def close(manager: Person, message: str) -> None:
    """« Close » from the ticket's page, with a word for the owner."""
    manager.page.reload()
    manager.tab.get_by_role("link", name="Close", exact=True).click()
    manager.tab.get_by_label("Message for the owner").fill(message)
    manager.tab.get_by_role("button", name="Close", exact=True).click()
    expect(manager.status()).to_have_text("Closed")
