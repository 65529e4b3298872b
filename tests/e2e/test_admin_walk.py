"""« Services » walked in Chromium by the administrator, signed in through the demo CAS:
a new service « SCOLARITE » with its category tree, round-robin assignment and three
managers; then three tickets filed in it go to three different managers. axe checks
every administration screen on the way."""

from __future__ import annotations

import re

import sqlalchemy as sa
from playwright.sync_api import expect

from models import Category, User, db
from models.operations import file_ticket
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import sign_in_on_cas_page

MANAGERS = ("gestionnaire", "gestionnaire2", "securite")


def test_the_administrator_sets_up_a_service_whose_tickets_go_round_the_managers(assistance, page):
    app, url = assistance
    page.goto(url + "/services")
    sign_in_on_cas_page(page, "admin")
    page.wait_for_url(url + "/services")
    tab = page.locator("#hd-root")
    expect(tab.get_by_role("heading", level=1)).to_have_text("Services")
    assert_accessible(page)

    # A new service: disabled until it is set up, as in ESUP-Helpdesk.
    creation = tab.get_by_role("form", name="Créer un service")
    creation.get_by_label("Libellé").fill("SCOLARITE")
    creation.get_by_label("Nom complet").fill("Scolarité")
    creation.get_by_role("button", name="Créer le service").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("Service SCOLARITE")
    expect(tab).to_contain_text("Le service est créé.")
    expect(tab).to_contain_text("Désactivé : le service ne reçoit plus de nouveaux tickets.")
    assert_accessible(page)

    # Its tickets go to its managers in turn (« à tour de rôle »).
    properties = tab.get_by_role("form", name="Propriétés")
    properties.get_by_label("Affectation des nouveaux tickets").select_option(
        label="Les membres disponibles à tour de rôle"
    )
    properties.get_by_role("button", name="Enregistrer les propriétés").click()
    expect(tab).to_contain_text("Les propriétés du service sont enregistrées.")

    # The category tree: « Inscriptions », and its two sub-categories.
    for label, parent in [
        ("Inscriptions", None),
        ("Inscriptions administratives", "Inscriptions"),
        ("Inscriptions pédagogiques", "Inscriptions"),
    ]:
        adding = tab.get_by_role("form", name="Ajouter une catégorie")
        if parent:
            adding.get_by_label("Catégorie parente").select_option(label=parent)
        adding.get_by_label("Libellé").fill(label)
        adding.get_by_role("button", name="Ajouter la catégorie").click()
        expect(tab).to_contain_text("La catégorie est ajoutée.")
        expect(tab.locator(".hd-admin-tree--level1")).to_contain_text(label)

    # Three managers, by their CAS uid.
    for uid in MANAGERS:
        adding = tab.get_by_role("form", name="Ajouter un gestionnaire")
        adding.get_by_label("Identifiant (uid CAS) du nouveau gestionnaire").fill(uid)
        adding.get_by_role("button", name="Ajouter le gestionnaire").click()
        expect(tab).to_contain_text("Le gestionnaire est ajouté.")
    expect(tab.locator(".hd-table")).to_contain_text("Gestionnaires de SCOLARITE : 3")

    tab.get_by_role("button", name="Activer le service").click()
    expect(tab).to_contain_text("Le service est activé.")
    leaf = tab.locator(".hd-admin-tree--level2 > li").filter(
        has_text="Inscriptions administratives"
    )
    expect(leaf).to_contain_text("hérité : Les membres disponibles à tour de rôle (du service)")
    expect(leaf).to_contain_text("hérité : tous les gestionnaires du service")
    assert_accessible(page)

    # The other screens of the set-up.
    leaf.get_by_role("link", name="Inscriptions administratives").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text(
        "Catégorie Inscriptions / Inscriptions administratives"
    )
    assert_accessible(page)
    tab.get_by_role("link", name="Service SCOLARITE").click()
    tab.get_by_role("link", name=re.compile(r"\(gestionnaire2\)")).click()
    expect(tab.get_by_role("heading", level=1)).to_have_text(
        "Gestionnaire Léa BERNARD (gestionnaire2)"
    )
    assert_accessible(page)
    tab.get_by_role("link", name="Tous les services").click()
    tab.get_by_role("link", name="Administrateurs").click()
    expect(tab).to_contain_text("Administrateur ASSISTANCE (admin)")
    assert_accessible(page)
    tab.get_by_role("link", name="Tous les services").click()
    tab.get_by_role("link", name="Journal des modifications").click()
    expect(tab).to_contain_text("Created the service SCOLARITE")
    assert_accessible(page)

    # Three tickets in « Inscriptions administratives »: three managers, one each.
    with app.app_context():
        student = db.session.scalar(sa.select(User).where(User.uid == "etudiant"))
        category = db.session.scalar(
            sa.select(Category).where(Category.label == "Inscriptions administratives")
        )
        tickets = [
            file_ticket(
                db.session,
                creator=student,
                category_id=category.id,
                subject=f"Inscription n°{number}",
                message="Mon dossier d'inscription est-il complet ?",
            )
            for number in range(3)
        ]
        assert sorted(ticket.manager.uid for ticket in tickets) == sorted(MANAGERS)
        db.session.remove()
