"""The whole user guide, walked in Chromium by « Test ESUP » signed in through CAS:
as full pages, and embedded in the portal (through its Web Proxy Portlet); axe
checks every screen on the way.

The manager's side (taking the ticket, asking for information, closing) is done
through the domain, as the manager's own screens are another issue's.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from models import Ticket, User, db
from models.enums import Action, Status
from models.operations import act
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import sign_in_on_cas_page
from tests.e2e.conftest import tab_to as reach

SUBJECT = "Extincteurs du 2e étage de la Présidence"
MESSAGE = "Bonjour,\nOù sont placés les extincteurs à la Présidence ?\nMerci d'avance"
PDF = {"name": "plan-presidence.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7 plan"}
PNG = {"name": "photo.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n" + b"\x00" * 128}


class Walk:
    """Where the tab is shown (a full page, or the portal's « Assistance » section),
    and how to look at it."""

    def __init__(self, page, app, mode: str, entry: str):
        self.page, self.app, self.mode, self.entry = page, app, mode, entry

    @property
    def tab(self):
        return self.page.locator("#wpp #hd-root" if self.mode == "portal" else "#hd-root")

    def check(self) -> None:
        assert_accessible(self.page, "#wpp" if self.mode == "portal" else None)

    def property(self, label: str):
        return self.tab.locator(".hd-properties__row").filter(has_text=label).locator("dd")

    def manager(self, *steps: tuple[Action, dict]) -> None:
        """The service's manager acts, through the domain."""
        with self.app.app_context():
            ticket = db.session.scalar(sa.select(Ticket).where(Ticket.subject == SUBJECT))
            manager = db.session.scalar(sa.select(User).where(User.uid == "securite"))
            for action, inputs in steps:
                act(db.session, ticket.id, action, user=manager, **inputs)

    def reload(self) -> None:
        self.page.reload()


@pytest.fixture(params=["page", "portal"])
def walk(request, assistance, page):
    app, url = assistance
    entry = url + "/"
    if request.param == "portal":
        entry = request.getfixturevalue("portal") + "/"
    page.goto(entry)
    sign_in_on_cas_page(page, "esup9992")
    page.wait_for_url(re.compile(re.escape(entry) + ".*"))
    return Walk(page, app, request.param, entry)


def create_with_an_attachment(walk: Walk, form_page) -> None:
    """Guide §I: « Fichier attachés », « Parcourir… », « Joindre un fichier », then
    « Aperçu » and « Créer le ticket » — in a full page (a portal proxy cannot carry files)."""
    tab = form_page.locator("#hd-root")
    tab.get_by_label("Sujet").fill(SUBJECT)
    tab.get_by_label("Veuillez indiquer tous les renseignements").fill(MESSAGE)
    tab.get_by_label("Fichiers attachés").set_input_files(PDF)
    tab.get_by_role("button", name="Joindre un fichier").click()
    expect(tab.locator(".hd-attachments legend")).to_have_text("Fichier attachés (1)")
    expect(tab.locator(".hd-files")).to_contain_text("plan-presidence.pdf")
    expect(tab.get_by_label("Sujet")).to_have_value(SUBJECT)  # nothing typed was lost
    assert_accessible(form_page)
    tab.get_by_role("button", name="Aperçu").click()
    expect(tab.locator(".hd-preview")).to_contain_text("Où sont placés les extincteurs")
    assert_accessible(form_page)
    tab.get_by_role("button", name="Créer le ticket").click()


def test_the_user_guide_from_the_first_ticket_to_its_approval(walk: Walk):
    page, tab = walk.page, walk.tab
    expect(tab.get_by_role("heading", level=1 if walk.mode == "page" else 3)).to_have_text(
        "Assistance en ligne"
    )
    walk.check()

    # §I.1: « Ajouter un ticket », then the category: it decides the service.
    tab.get_by_role("link", name="Ajouter un ticket").first.click()
    expect(tab.get_by_text("Choisissez la catégorie de votre demande")).to_be_visible()
    walk.check()
    tab.get_by_role("link", name="Sécurité incendie").click()
    expect(tab.locator(".hd-destination")).to_contain_text("HYGIENE - SECURITE — Sécurité incendie")
    expect(tab.locator(".hd-destination")).to_contain_text(
        "(cliquer pour choisir une autre catégorie)"
    )
    walk.check()

    # §I.2: the attachment. In the portal, the form opens as a full page in a new window.
    if walk.mode == "portal":
        with page.expect_popup() as opened:
            tab.get_by_role(
                "link", name="Ajouter un ticket (pleine page, nouvelle fenêtre)"
            ).click()
        form_page = opened.value
        create_with_an_attachment(walk, form_page)
        expect(form_page.locator("#hd-root")).to_contain_text("Un nouveau ticket a été créé.")
        form_page.close()
        tab.get_by_role("link", name="Tableau de bord").click()
        tab.get_by_role("link", name=SUBJECT).click()
    else:
        create_with_an_attachment(walk, page)
        expect(tab).to_contain_text("Un nouveau ticket a été créé.")

    # The recap screen.
    expect(
        tab.get_by_role("heading", name=re.compile(rf"Ticket n°\d+ : {SUBJECT}"))
    ).to_be_visible()
    expect(tab.locator(".hd-direct")).to_contain_text(
        "Accès direct : Ajouter un ticket Ajouter commentaire Annuler Clore"
    )
    expect(walk.property("Statut")).to_have_text("Libre")
    expect(walk.property("Gestionnaire")).to_have_text("aucun")
    expect(walk.property("Propriétaire")).to_have_text("Test ESUP (esup9992)")
    expect(tab.locator(".hd-history")).to_contain_text("Test ESUP (esup9992) a créé le ticket.")
    expect(tab.locator(".hd-files")).to_contain_text("plan-presidence.pdf")
    walk.check()

    # « Vous pourrez ajouter d'autres pièces jointes par la suite »: a comment with a file.
    tab.get_by_role("link", name="Ajouter commentaire").click()
    tab.get_by_label("Message").fill("Je joins une photo du couloir.")
    if walk.mode == "page":
        tab.get_by_label("Fichiers attachés").set_input_files(PNG)
    walk.check()
    tab.get_by_role("button", name="Ajouter commentaire").click()
    expect(tab.locator(".hd-history")).to_contain_text("Je joins une photo du couloir.")
    if walk.mode == "portal":
        with page.expect_popup() as opened:
            tab.get_by_role(
                "link", name="Joindre un fichier (pleine page, nouvelle fenêtre)"
            ).click()
        upload = opened.value
        upload.locator("#hd-root").get_by_label("Fichiers attachés").set_input_files(PNG)
        assert_accessible(upload)
        upload.locator("#hd-root").get_by_role("button", name="Joindre un fichier").click()
        expect(upload.locator("#hd-root .hd-files")).to_contain_text("photo.png")
        upload.close()
        walk.reload()
    expect(tab.locator(".hd-files")).to_contain_text("photo.png")

    # §II: the service asks; the question comes first, with the answer box.
    walk.manager(
        (Action.TAKE, {}),
        (Action.REQUEST_INFORMATION, {"message": "À quel étage de la Présidence ?"}),
    )
    walk.reload()
    question = tab.locator(".hd-question")
    expect(question).to_contain_text("Le service a besoin d'un complément d'information")
    expect(question).to_contain_text("À quel étage de la Présidence ?")
    expect(walk.property("Statut")).to_have_text("Incomplet")
    walk.check()
    question.get_by_label("Message").fill("Au deuxième étage, près de l'ascenseur.")
    question.get_by_role("button", name="Ajouter commentaire").click()
    expect(walk.property("Statut")).to_have_text("En cours")
    expect(tab.locator(".hd-question")).to_have_count(0)

    # §III: the closure is refused (saying why: not without a reason), then approved.
    walk.manager((Action.CLOSE, {"message": "Les extincteurs sont signalés sur le plan."}))
    walk.reload()
    expect(walk.property("Statut")).to_have_text("Clos")
    tab.get_by_role("link", name="Refuser clôture").click()
    tab.get_by_role("button", name="Refuser clôture").click()
    expect(tab.locator(".hd-error-summary")).to_be_visible()
    expect(tab.get_by_label("Pourquoi refusez-vous la clôture ?")).to_have_attribute(
        "aria-invalid", "true"
    )
    walk.check()
    tab.get_by_label("Pourquoi refusez-vous la clôture ?").fill("Le plan n'est pas affiché.")
    tab.get_by_role("button", name="Refuser clôture").click()
    expect(walk.property("Statut")).to_have_text("En cours")

    walk.manager((Action.CLOSE, {"message": "Le plan est affiché à l'accueil."}))
    walk.reload()
    tab.get_by_role("button", name="Approuver").click()
    expect(walk.property("Statut")).to_have_text("Clos/approuvé")
    expect(tab.locator(".hd-history")).to_contain_text(
        "Test ESUP (esup9992) a approuvé la clôture."
    )
    walk.check()
    with walk.app.app_context():
        ticket = db.session.scalar(sa.select(Ticket).where(Ticket.subject == SUBJECT))
        assert ticket.status is Status.APPROVED
        assert [a.original_name for a in ticket.attachments] == ["plan-presidence.pdf", "photo.png"]


def test_the_other_screens_of_the_tab_are_accessible(walk: Walk):
    tab = walk.tab
    for label in ("Tableau de bord", "Recherche", "Signets/Historique", "Accueil"):
        tab.get_by_role("link", name=label, exact=True).first.click()
        expect(tab.locator('[aria-current="page"]')).to_have_text(label)
        walk.check()
    tab.get_by_role("link", name="Recherche", exact=True).first.click()
    tab.get_by_label("Mots à chercher").fill("boîte")
    tab.get_by_role("button", name="Rechercher").click()
    expect(tab).to_contain_text("Tickets trouvés : 1")
    walk.check()


def test_a_ticket_is_filed_with_the_keyboard_alone(assistance, page):
    """No mouse: the tab order reaches every control, and Enter and Space do the rest."""
    _, url = assistance
    page.goto(url + "/")
    sign_in_on_cas_page(page, "etudiant")
    page.wait_for_url(url + "/")

    def tab_to(name: str, role: str = "link") -> None:
        reach(page, page.locator("#hd-root").get_by_role(role, name=name, exact=True).first)

    tab_to("Ajouter un ticket")
    page.keyboard.press("Enter")
    tab_to("Réseau et Wi-Fi")
    page.keyboard.press("Enter")
    page.wait_for_url("**/tickets/new?category=*")
    tab_to("Sujet", "textbox")
    page.keyboard.type("Wi-Fi coupé en salle 204")
    page.keyboard.press("Tab")
    page.keyboard.type("Plus aucune connexion depuis ce matin.")
    tab_to("Créer le ticket", "button")
    expect(page.locator(":focus")).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("#hd-root")).to_contain_text("Un nouveau ticket a été créé.")
