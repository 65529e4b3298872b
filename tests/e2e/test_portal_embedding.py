"""Assistance inside a portal page: through a proxy, in an iframe and as a widget,
without the portal's styles and ours bleeding into each other."""

from __future__ import annotations

import pytest
import requests
import sqlalchemy as sa

from models import LoginSession, db
from tests.cas_server import PgtReceiver, cas_login, proxy_ticket, ticket_of, validate_for_pgt
from tests.e2e.conftest import sign_in_on_cas_page

OUR_ACCENT = "rgb(11, 92, 173)"
OUR_TEXT = "rgb(30, 30, 30)"


@pytest.fixture
def signed_in_portal(portal, page):
    page.goto(portal + "/")
    sign_in_on_cas_page(page, "etudiant")
    page.wait_for_url(portal + "/")
    return page


def style(page, selector: str, prop: str) -> str:
    return page.eval_on_selector(selector, f"e => getComputedStyle(e).getPropertyValue('{prop}')")


def test_the_portal_shows_our_fragment_fetched_with_a_proxy_ticket(
    assistance, portal_receiver, signed_in_portal
):
    page = signed_in_portal
    fragment = page.locator("#wpp #hd-root")
    assert fragment.locator("h3").first.inner_text() == "Assistance en ligne"
    assert fragment.locator('[aria-current="page"]').inner_text() == "Accueil"
    app, _ = assistance
    with app.app_context():
        login = db.session.scalar(sa.select(LoginSession))
        assert (login.user.uid, login.proxy) == ("etudiant", portal_receiver.url)


def test_neither_the_portals_styles_nor_ours_bleed(signed_in_portal):
    page = signed_in_portal
    # The portal's own elements keep the portal's look: our stylesheet only targets .hd.
    assert style(page, ".portal-note", "color") == "rgb(10, 20, 30)"
    assert style(page, ".portal-note", "margin-top") == "40px"
    assert style(page, ".portal-link", "color") == "rgb(0, 128, 0)"
    assert "Comic Sans" in style(page, "body", "font-family")
    # Our fragment keeps ours, whatever the portal says of h3, p, ul, a and buttons.
    assert style(page, "#wpp #hd-root", "font-family").startswith("system-ui")
    assert style(page, "#wpp .hd-title", "font-size") == "24px"
    assert style(page, "#wpp .hd-title", "color") == OUR_TEXT
    assert style(page, "#wpp .hd-welcome p", "margin-top") == "0px"
    assert style(page, "#wpp .hd-welcome p", "color") == OUR_TEXT
    assert style(page, "#wpp .hd-tabs__list", "list-style-type") == "none"
    assert style(page, "#wpp .hd-tabs__link:not([aria-current])", "color") == OUR_ACCENT
    assert style(page, "#wpp .hd-shortcuts .hd-button--primary", "background-color") == OUR_ACCENT


def test_the_iframe_signs_in_silently_when_the_ent_session_exists(signed_in_portal):
    frame = signed_in_portal.frame_locator("#iframe iframe")
    assert frame.locator('.hd-tabs [aria-current="page"]').inner_text() == "Accueil"
    assert frame.locator(".hd-banner").count() == 0  # the portal frames us: no banner of ours


def test_the_iframe_offers_a_top_level_sign_in_without_an_ent_session(portal, page, cas):
    page.goto(portal + "/iframe-only")
    frame = page.frame_locator("iframe")
    link = frame.get_by_role("link", name="Se connecter")
    assert link.get_attribute("target") == "_top"
    link.click()
    page.wait_for_url(cas.url + "login*")  # the login page opens at top level


def test_the_widget_shows_the_summary_in_its_own_shadow_root(signed_in_portal):
    page = signed_in_portal
    widget = page.locator("assistance-widget")
    assert widget.locator("h2").inner_text() == "Assistance en ligne"
    assert widget.locator('[data-count="open"] dd').inner_text() == "1"
    assert widget.locator('[data-count="awaiting_your_approval"] dd').inner_text() == "1"
    assert widget.get_by_role("link", name="Ajouter un ticket").is_visible()
    assert page.eval_on_selector("assistance-widget", "e => e.shadowRoot !== null")
    assert style(page, "assistance-widget", "font-family").startswith("system-ui")


def test_only_allow_listed_proxies_may_fetch_fragments(assistance, cas, portal_receiver):
    """A proxy ticket is accepted from the portal we trust, refused from any other."""
    _, url = assistance
    target = f"{url}/portlet/"

    def fetch_through(receiver) -> requests.Response:
        service = f"{receiver.url}portal"
        ticket = ticket_of(cas_login(cas.url, service, "etudiant"))
        _, iou = validate_for_pgt(cas.url, service, ticket, receiver.url)
        pt = proxy_ticket(cas.url, receiver.pgt_for(iou), target)
        return requests.get(f"{target}?ticket={pt}", allow_redirects=False, timeout=15)

    trusted = fetch_through(portal_receiver)
    assert trusted.status_code == 200 and trusted.text.strip().startswith('<div id="hd-root"')
    with PgtReceiver() as stranger:
        refused = fetch_through(stranger)
    assert refused.status_code == 403
    assert "Ce portail n'est pas autorisé à afficher l'assistance." in refused.text
