"""« Préférences » in Chromium, signed in through CAS: a student turns off the mail of
their own tickets; the manager « gestionnaire » picks « Complète » for INFORMATIQUE, and
then sees who is told on a ticket (« Personnes prévenues »). axe checks each screen."""

from __future__ import annotations

import re

import sqlalchemy as sa
from playwright.sync_api import expect

from models import DepartmentManager, User, db
from models.enums import MonitoringLevel
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import sign_in_on_cas_page


def sign_in(page, url: str, uid: str):
    page.goto(url + "/")
    sign_in_on_cas_page(page, uid)
    page.wait_for_url(re.compile(re.escape(url) + ".*"))
    tab = page.locator("#hd-root")
    tab.get_by_role("navigation").get_by_role("link", name="Préférences").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("Préférences")
    return tab


def test_a_student_turns_off_the_mail_of_their_own_tickets(assistance, page):
    app, url = assistance
    tab = sign_in(page, url, "etudiant")
    assert_accessible(page)
    expect(tab.get_by_text("Alertes de gestionnaire")).to_have_count(0)
    mail = tab.get_by_role("group", name="Me prévenir par courriel")
    mail.get_by_label("de mes propres tickets").uncheck()
    tab.get_by_role("button", name="Enregistrer les préférences").click()
    expect(tab).to_contain_text("Vos préférences sont enregistrées.")
    expect(mail.get_by_label("de mes propres tickets")).not_to_be_checked()
    expect(mail.get_by_label("des tickets de mes signets")).to_be_checked()
    assert_accessible(page)
    with app.app_context():
        student = db.session.scalar(sa.select(User).where(User.uid == "etudiant"))
        assert student.preference("notify_own_tickets") is False
        db.session.remove()


def test_a_manager_chooses_complete_monitoring_and_sees_who_is_told(assistance, page):
    app, url = assistance
    tab = sign_in(page, url, "gestionnaire")
    expect(tab.get_by_role("heading", name="Alertes de gestionnaire")).to_be_visible()
    assert_accessible(page)
    service = tab.get_by_role("group", name="Surveillance du service INFORMATIQUE")
    service.get_by_label("Surveillance", exact=True).select_option(label="Complète")
    tab.get_by_label("Heure du récapitulatif (heure locale)").select_option(label="07 h")
    tab.get_by_role("button", name="Enregistrer les préférences").click()
    expect(tab).to_contain_text("Vos préférences sont enregistrées.")
    expect(service.get_by_label("Tout ticket du service")).to_have_value("always")
    assert_accessible(page)
    with app.app_context():
        row = db.session.scalar(
            sa.select(DepartmentManager).join(User).where(User.uid == "gestionnaire")
        )
        assert row.monitor_any is MonitoringLevel.ALWAYS
        db.session.remove()

    # On a ticket of the service, the service sees who will be told of the next step: at
    # « Complète », the manager too, as a member of its category (every manager is, when
    # a category names none).
    tab.get_by_role("link", name="Tableau de bord").first.click()
    tab.locator("table a[href*='/tickets/']").first.click()
    watchers = tab.get_by_role("region", name="Personnes prévenues")
    expect(watchers).to_contain_text("(gestionnaire) (membre de la catégorie)")
    assert_accessible(page)
