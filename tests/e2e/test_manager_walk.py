"""The service's side of the user guide, in Chromium, both people signed in through
CAS: the manager « securite » finds the guide's ticket in the queue, takes it, notes
something for colleagues only, asks for more information; « Test ESUP » answers; the
closure is refused with a reason, then approved. axe checks the manager's screens.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from models import Ticket, db
from models.enums import Status
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import sign_in_on_cas_page, tab_to

SUBJECT = "Extincteurs Présidence"  # the demo's copy of the guide's ticket, still free
INTERNAL = "Voir avec le bâtiment B : plan à jour chez eux."


class Person:
    """One browser profile, signed in through CAS, looking at full pages."""

    def __init__(self, page, url: str, uid: str):
        self.page, self.url = page, url
        page.goto(url + "/")
        sign_in_on_cas_page(page, uid)
        page.wait_for_url(re.compile(re.escape(url) + ".*"))
        self.tab = page.locator("#hd-root")

    def open_ticket(self) -> None:
        self.tab.get_by_role("link", name="Tableau de bord").first.click()
        self.tab.get_by_role("link", name=SUBJECT).first.click()
        expect(self.tab.get_by_role("heading", name=re.compile(SUBJECT))).to_be_visible()

    def status(self):
        return self.tab.locator(".hd-properties__row").filter(has_text="Statut").locator("dd")

    def check(self) -> None:
        assert_accessible(self.page)


@pytest.fixture
def people(assistance, page, chromium):
    _, url = assistance
    manager = Person(page, url, "securite")
    context = chromium.new_context(locale="fr-FR")
    context.set_default_timeout(15_000)
    owner = Person(context.new_page(), url, "esup9992")
    yield manager, owner
    context.close()


def test_a_manager_takes_asks_closes_and_the_owner_refuses_then_approves(people, assistance):
    manager, owner = people
    app, _ = assistance
    tab = manager.tab

    # The queue: « Tickets de mes services », the guide's ticket among the free ones.
    tab.get_by_role("link", name="Tableau de bord").first.click()
    expect(tab.get_by_role("link", name="Tickets de mes services")).to_have_attribute(
        "aria-current", "page"
    )
    row = tab.locator("tbody tr").filter(has_text=SUBJECT)
    expect(row).to_contain_text("Libre")
    manager.check()

    # « Prendre en charge », from the ticket.
    row.get_by_role("link", name=SUBJECT).click()
    expect(tab.get_by_role("heading", name="Demandeur")).to_be_visible()
    expect(tab.locator(".hd-requester")).to_contain_text("Test ESUP")
    manager.check()
    tab.get_by_role("button", name="Prendre en charge").click()
    expect(manager.status()).to_have_text("En cours")

    # A note for colleagues only.
    tab.get_by_role("link", name="Ajouter commentaire").click()
    tab.get_by_label("Message").fill(INTERNAL)
    tab.get_by_label("Visible par").select_option(label="Gestionnaires seulement")
    manager.check()
    tab.get_by_role("button", name="Ajouter commentaire").click()
    expect(tab.locator(".hd-history")).to_contain_text(INTERNAL)

    # « Demander des informations »: the message is required, said beside the field.
    tab.get_by_role("link", name="Demander des informations").click()
    tab.get_by_role("button", name="Demander des informations").click()
    expect(tab.get_by_label("Votre question")).to_have_attribute("aria-invalid", "true")
    manager.check()
    tab.get_by_label("Votre question").fill("À quel étage de la Présidence ?")
    tab.get_by_role("button", name="Demander des informations").click()
    expect(manager.status()).to_have_text("Incomplet")

    # The owner answers from the question box, and never sees the internal note.
    owner.open_ticket()
    question = owner.tab.locator(".hd-question")
    expect(question).to_contain_text("À quel étage de la Présidence ?")
    expect(owner.tab).not_to_contain_text(INTERNAL)
    question.get_by_label("Message").fill("Au deuxième étage.")
    question.get_by_role("button", name="Ajouter commentaire").click()
    expect(owner.status()).to_have_text("En cours")

    # « Clore »; the owner refuses, saying why.
    manager.page.reload()
    expect(tab.locator(".hd-history")).to_contain_text("Au deuxième étage.")
    tab.get_by_role("link", name="Clore").click()
    tab.get_by_label("Message pour le propriétaire").fill(
        "Les extincteurs sont signalés sur le plan."
    )
    manager.check()
    tab.get_by_role("button", name="Clore").click()
    expect(manager.status()).to_have_text("Clos")

    owner.page.reload()
    owner.tab.get_by_role("link", name="Refuser clôture").click()
    owner.tab.get_by_label("Pourquoi refusez-vous la clôture ?").fill("Le plan n'est pas affiché.")
    owner.tab.get_by_role("button", name="Refuser clôture").click()
    expect(owner.status()).to_have_text("En cours")

    # Closed again; this time the owner approves.
    manager.page.reload()
    expect(tab.locator(".hd-history")).to_contain_text("Le plan n'est pas affiché.")
    tab.get_by_role("link", name="Clore").click()
    tab.get_by_label("Message pour le propriétaire").fill("Le plan est affiché à l'accueil.")
    tab.get_by_role("button", name="Clore").click()
    owner.page.reload()
    owner.tab.get_by_role("button", name="Approuver").click()
    expect(owner.status()).to_have_text("Clos/approuvé")

    # The service's journal tells the story, newest first.
    manager.page.goto(manager.url + "/journal")
    expect(tab.locator(".hd-journal")).to_contain_text("a approuvé la clôture")
    manager.check()
    with app.app_context():
        ticket = db.session.scalar(sa.select(Ticket).where(Ticket.subject == SUBJECT))
        assert ticket.status is Status.APPROVED and ticket.manager.uid == "securite"


def test_a_manager_takes_a_ticket_from_the_queue_inside_the_portal(assistance, portal, page):
    page.goto(portal + "/")
    sign_in_on_cas_page(page, "securite")
    page.wait_for_url(re.compile(re.escape(portal) + ".*"))
    tab = page.locator("#wpp #hd-root")
    tab.get_by_role("link", name="Tableau de bord").first.click()
    row = tab.locator("tbody tr").filter(has_text=SUBJECT)
    expect(row).to_contain_text("Libre")
    assert_accessible(page, "#wpp")
    row.get_by_role("button", name=re.compile("Prendre en charge")).click()
    # Taken, the ticket opens: it is the manager's to work on now.
    expect(tab.locator(".hd-properties__row").filter(has_text="Statut")).to_contain_text("En cours")
    tab.get_by_role("link", name="Journal").click()
    expect(tab.locator(".hd-journal")).to_contain_text("a pris le ticket en charge")
    assert_accessible(page, "#wpp")


def test_a_manager_works_the_queue_with_the_keyboard_alone(assistance, page):
    _, url = assistance
    page.goto(url + "/")
    sign_in_on_cas_page(page, "securite")
    page.wait_for_url(url + "/")
    tab = page.locator("#hd-root")
    tab_to(page, tab.get_by_role("link", name="Tableau de bord").first)
    page.keyboard.press("Enter")
    tab_to(page, tab.get_by_role("button", name=re.compile(r"^Prendre en charge n°")).first)
    page.keyboard.press("Enter")
    status = tab.locator(".hd-properties__row").filter(has_text="Statut").locator("dd")
    expect(status).to_have_text("En cours")
    tab_to(page, tab.get_by_role("link", name="Clore", exact=True))
    page.keyboard.press("Enter")
    tab_to(page, tab.get_by_label("Message pour le propriétaire"))
    page.keyboard.type("Réglé.")
    tab_to(page, tab.get_by_role("button", name="Clore", exact=True))
    expect(page.locator(":focus")).to_be_visible()
    page.keyboard.press("Enter")
    expect(status).to_have_text("Clos")
