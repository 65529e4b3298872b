"""The FAQ in Chromium: « etudiant », signed in through the demo CAS, starts a ticket
about the network, and the FAQ entry that answers appears while the subject is typed;
then reads the FAQ. axe checks each screen."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import sign_in_on_cas_page


def test_a_student_typing_a_subject_is_shown_the_faq_entry_that_answers(assistance, page):
    _, url = assistance
    page.goto(url + "/tickets/new")
    sign_in_on_cas_page(page, "etudiant")
    page.wait_for_url(url + "/tickets/new")
    tab = page.locator("#hd-root")
    tab.get_by_role("link", name="Imprimantes").click()
    page.wait_for_url(re.compile(r".*/tickets/new\?category=\d+"))

    # Step 2: what the FAQ says about printers, before a word is typed.
    linked = tab.locator(".hd-faq-linked")
    expect(linked.get_by_role("link", name=re.compile("Imprimer depuis un poste"))).to_be_visible()
    expect(linked).not_to_contain_text("Procédure interne")  # the managers' own
    suggestions = tab.locator("#hd-faq-suggestions")
    expect(suggestions).to_have_attribute("aria-live", "polite")
    expect(suggestions.get_by_role("link")).to_have_count(0)

    tab.locator("#hd-subject").press_sequentially("Plus de connexion eduroam", delay=40)
    answer = suggestions.get_by_role("link", name=re.compile("Se connecter au Wi-Fi eduroam"))
    expect(answer).to_be_visible()
    expect(answer).to_have_attribute("target", "_blank")
    assert_accessible(page)

    # The entry itself, in the FAQ tab.
    page.goto(answer.get_attribute("href"))
    expect(tab.locator("h1")).to_have_text("Se connecter au Wi-Fi eduroam")
    expect(tab.locator(".hd-faq-entry__body h2").first).to_be_visible()
    assert_accessible(page)
    page.goto(url + "/faq")
    expect(tab.get_by_role("link", name="Mot de passe oublié")).to_be_visible()
    expect(tab).not_to_contain_text("Procédure interne")
    assert_accessible(page)
