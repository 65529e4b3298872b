"""Using Assistance inside the portal page, through the stand-in Web Proxy Portlet:
every click and every form goes to the portal, which fetches Assistance's fragment on the
server side (with a fresh proxy ticket each time) and shows it in its « Assistance » section.
The browser never leaves the portal's host."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlsplit

import lxml.html
import pytest
import requests
import sqlalchemy as sa
from flask import Flask, Response, redirect, request
from markupsafe import escape
from playwright.sync_api import expect

from models import LoginSession, Ticket, db
from tests.cas_server import cas_login, free_port
from tests.e2e.conftest import PORTAL_JWT_KEY, Served, sign_in_on_cas_page
from tests.e2e.portal import portal_app

SUBJECT = "Extincteur vide au 2e étage du bâtiment B"
MESSAGE = "Bonjour,\nL'extincteur près de l'escalier est vide depuis lundi.\nMerci."
COMMENT = "Il s'agit de l'extincteur à poudre, près de la salle B204."


@pytest.fixture
def signed_in_portal(portal, page):
    page.goto(portal + "/")
    sign_in_on_cas_page(page, "etudiant")
    page.wait_for_url(portal + "/")
    return page


def on_the_portal(portal: str) -> re.Pattern:
    """The browser's URL: the portal, showing a fragment it proxied."""
    return re.compile(re.escape(portal) + r"/(\?proxy\.url=.*)?$")


def proxied_url(href: str) -> str:
    """The Assistance URL a portal link leads to."""
    return parse_qs(urlsplit(href).query)["proxy.url"][0]


def property_row(fragment, label: str):
    return fragment.locator(".hd-properties__row").filter(
        has=fragment.page.get_by_role("term").filter(has_text=label)
    )


def tickets_about(app, subject: str) -> list[tuple[int, str, list[str]]]:
    """(number, owner's uid, messages) of the tickets with this subject."""
    with app.app_context():
        tickets = db.session.scalars(sa.select(Ticket).where(Ticket.subject == subject)).all()
        return [(t.number, t.owner.uid, [e.message for e in t.events]) for t in tickets]


def links(fragment) -> list[tuple[str, str]]:
    """(resolved href, target) of every link of the fragment."""
    return fragment.locator("a[href]").evaluate_all("links => links.map(a => [a.href, a.target])")


def assert_links_go_through_the_portal(fragment, assistance_url: str) -> None:
    """Links to Assistance's fragments are portal URLs; only full pages of Assistance (not
    under /portlet/, so not whitelisted) stay links to Assistance, opened in a new window."""
    portal = urlsplit(fragment.page.url)
    for href, target in links(fragment):
        parts = urlsplit(href)
        if (parts.scheme, parts.netloc) == (portal.scheme, portal.netloc):
            assert parts.path == "/", href
            assert proxied_url(href).startswith(assistance_url + "/portlet/"), href
        else:
            assert href.startswith(assistance_url + "/"), href
            assert not href.startswith(assistance_url + "/portlet/"), href
            assert target == "_blank", href


def test_a_student_files_a_ticket_and_comments_without_leaving_the_portal(
    assistance, portal, portal_receiver, signed_in_portal
):
    app, url = assistance
    page = signed_in_portal
    fragment = page.locator("#wpp #hd-root")
    expect(fragment.locator("h3").first).to_have_text("Assistance en ligne")

    # « + » in the tab's navigation: step 1, the category tree.
    fragment.locator(".hd-tabs").get_by_role("link", name="Ajouter un ticket").click()
    expect(fragment).to_contain_text("(étape 1 sur 2)")
    expect(page).to_have_url(on_the_portal(portal))
    security = fragment.locator(".hd-service").filter(
        has=page.get_by_role("heading", name=re.compile(r"^HYGIENE - SECURITE"))
    )
    security.get_by_role("link", name="Sécurité incendie").click()

    # Step 2, the form: sent empty, it comes back (422) inside the portal with its errors.
    expect(fragment.locator(".hd-destination")).to_contain_text("Catégorie de destination")
    expect(fragment.locator(".hd-destination")).to_contain_text("Sécurité incendie")
    assert_links_go_through_the_portal(fragment, url)
    fragment.get_by_role("button", name="Créer le ticket").click()
    expect(fragment.get_by_label("Sujet")).to_have_attribute("aria-invalid", "true")
    expect(fragment.locator(".hd-destination")).to_contain_text("Sécurité incendie")

    # A preview, which creates nothing.
    fragment.get_by_label("Sujet").fill(SUBJECT)
    fragment.get_by_label(re.compile(r"^Veuillez indiquer tous les renseignements")).fill(MESSAGE)
    fragment.get_by_role("button", name="Aperçu").click()
    preview = fragment.locator(".hd-preview")
    expect(preview.get_by_role("heading", name="Aperçu")).to_be_visible()
    expect(preview).to_contain_text(SUBJECT)
    expect(fragment.get_by_label("Sujet")).to_have_value(SUBJECT)
    assert tickets_about(app, SUBJECT) == []

    # Created: the ticket's view, with the recap.
    fragment.get_by_role("button", name="Créer le ticket").click()
    title = fragment.get_by_role("heading", name=re.compile(rf"^Ticket n°\d+ : {SUBJECT}$"))
    expect(title).to_be_visible()
    expect(fragment).to_contain_text("Un nouveau ticket a été créé.")
    expect(property_row(fragment, "Statut")).to_have_text(re.compile(r"Statut :\s*Libre"))
    expect(property_row(fragment, "Gestionnaire")).to_have_text(
        re.compile(r"Gestionnaire :\s*aucun")
    )
    expect(page).to_have_url(on_the_portal(portal))
    [(number, owner, messages)] = tickets_about(app, SUBJECT)
    assert owner == "etudiant"
    assert title.inner_text() == f"Ticket n°{number} : {SUBJECT}"
    assert messages == [MESSAGE]
    assert_links_go_through_the_portal(fragment, url)

    # « Ajouter commentaire »: the action's form, then back on the ticket's view.
    fragment.get_by_role("link", name="Ajouter commentaire").click()
    expect(fragment.get_by_role("heading", name="Ajouter commentaire")).to_be_visible()
    fragment.get_by_label("Message").fill(COMMENT)
    fragment.get_by_role("button", name="Ajouter commentaire").click()
    expect(title).to_be_visible()
    expect(fragment).to_contain_text("C'est fait : Ajouter commentaire.")
    history = fragment.locator("section").filter(has=page.get_by_role("heading", name="Historique"))
    expect(history).to_contain_text(COMMENT)
    expect(page).to_have_url(on_the_portal(portal))
    assert tickets_about(app, SUBJECT)[0][2] == [MESSAGE, COMMENT]

    # One login session for the whole walk: the portal's cookie jar kept it, and the proxy
    # tickets it appended to every fetch were not needed again.
    with app.app_context():
        logins = db.session.scalars(
            sa.select(LoginSession).where(LoginSession.proxy == portal_receiver.url)
        ).all()
        assert [login.user.uid for login in logins] == ["etudiant"]


def test_only_fragment_urls_are_routed_through_the_portal(assistance, signed_in_portal):
    _, url = assistance
    page = signed_in_portal
    fragment = page.locator("#wpp #hd-root")
    # The stylesheet is under /static/, not /portlet/: an absolute link to Assistance.
    stylesheet = fragment.locator('link[rel="stylesheet"]').get_attribute("href")
    assert stylesheet.startswith(url + "/static/")
    assert links(fragment) and all(
        urlsplit(href).netloc == urlsplit(page.url).netloc for href, _ in links(fragment)
    )
    assert_links_go_through_the_portal(fragment, url)
    # Step 2 offers the full page (for attachments, which WPP cannot post): a plain link.
    fragment.get_by_role("link", name="Ajouter un ticket").first.click()
    fragment.locator(".hd-tree__choice").first.click()
    expect(fragment.locator(".hd-destination")).to_be_visible()
    full_pages = [(href, target) for href, target in links(fragment) if href.startswith(url)]
    assert full_pages, "no full-page link in step 2"
    assert all(urlsplit(href).path == "/tickets/new" for href, _ in full_pages), full_pages
    assert_links_go_through_the_portal(fragment, url)
    # Its form posts to the portal, which knows where and how to send it on.
    form = fragment.locator("form.hd-form")
    expect(form).to_have_attribute("method", "post")
    action = form.get_attribute("action")
    assert action.startswith("/?")
    assert parse_qs(urlsplit(action).query) == {
        "proxy.url": [url + "/portlet/tickets/new"],
        "proxy.isForm": ["true"],
        "proxy.formMethod": ["POST"],
    }


def test_the_portal_is_no_open_proxy(assistance, portal, signed_in_portal):
    _, url = assistance
    page = signed_in_portal
    error = page.locator("#wpp .portal-error")
    for forged in ("http://example.org/portlet/", url + "/portlet/tickets/999999"):
        answer = page.goto(f"{portal}/?proxy.url={quote(forged, safe='')}")
        assert answer.status == 403, forged
        expect(error).to_contain_text("403")
        expect(page.locator("#wpp #hd-root")).to_have_count(0)
        posted = page.request.post(
            f"{portal}/?proxy.url={quote(forged, safe='')}&proxy.isForm=true",
            form={"hd-subject": "x"},
            max_redirects=0,
        )
        assert posted.status == 403, forged
    # A URL the portal did offer this user is fetched.
    answer = page.goto(f"{portal}/?proxy.url={quote(url + '/portlet/tickets/new', safe='')}")
    assert answer.status == 200
    expect(page.locator("#wpp #hd-root")).to_contain_text("(étape 1 sur 2)")


# The stand-in Web Proxy Portlet itself, without a browser, against a fake Assistance that
# records what reaches it: so that a test of Assistance through the portal tests Assistance.

FAKE_PAGE = """<!doctype html>
<html><head><title>Fake</title><link rel="stylesheet" href="/static/head.css"></head>
<body><p class="outside">Outside the root</p>
<div id="hd-root">
  <link rel="stylesheet" href="/static/fake.css">
  <a id="absolute-path" href="/portlet/tickets/new">new</a>
  <a id="relative" href="tickets/7">seven</a>
  <a id="query" href="?page=2">page 2</a>
  <a id="full-page" href="/tickets/7">full page</a>
  <a id="elsewhere" href="http://example.org/portlet/">elsewhere</a>
  <a id="script" href="javascript:void(0)">script</a>
  <a id="mail" href="mailto:assistance@univ.example">mail</a>
  <img id="logo" src="/portlet/logo.png" alt="">
  <form id="search" action="/portlet/search"><input name="q"></form>
  <form id="found" method="post" action="/portlet/post-302"><input name="x"></form>
  <form id="see-other" method="post" action="/portlet/post-303"><input name="x"></form>
</div>
<div id="hd-root"><p>A second root</p></div>
</body></html>"""
PNG = b"\x89PNG\r\n\x1a\n fake"


@dataclass
class Hit:
    """One request that reached the fake Assistance."""

    method: str
    url: str  # without the ticket
    ticket_last: bool
    ticket_valid: bool
    form: dict
    cookie: str | None


def validates(cas_url: str, service: str, ticket: str) -> bool:
    answer = requests.get(
        cas_url + "p3/proxyValidate", params={"service": service, "ticket": ticket}, timeout=10
    )
    return "<cas:authenticationSuccess>" in answer.text


def fake_assistance(cas_url: str, hits: list[Hit]) -> Flask:
    app = Flask("fake_assistance")

    @app.before_request
    def record():
        parameters = [p for p in request.query_string.decode().split("&") if p]
        ticket = request.args.get("ticket")
        kept = "&".join(p for p in parameters if not p.startswith("ticket="))
        url = request.base_url + ("?" + kept if kept else "")
        hits.append(
            Hit(
                request.method,
                url,
                bool(parameters) and parameters[-1].startswith("ticket="),
                ticket is not None and validates(cas_url, url, ticket),
                request.form.to_dict(),
                request.cookies.get("fake"),
            )
        )

    @app.get("/portlet/")
    def home():
        response = Response(FAKE_PAGE, content_type="text/html; charset=utf-8")
        response.set_cookie("fake", "kept-by-the-portal")
        return response

    @app.get("/portlet/logo.png")
    def logo():
        return PNG, 200, {"Content-Type": "image/png"}

    @app.post("/portlet/post-302")
    def found():
        return redirect("/portlet/done", 302)

    @app.post("/portlet/post-303")
    def see_other():
        return "", 303, {"Location": "done"}  # relative, like Werkzeug's

    @app.get("/portlet/<path:name>")
    def anything(name):
        query = {key: value for key, value in request.args.items() if key != "ticket"}
        echo = escape(f"{name} {query}")
        return f'<div id="hd-root"><p id="echo">{echo}</p><a id="next" href="next">next</a></div>'

    return app


@dataclass
class Proxied:
    portal: str
    target: str
    browser: requests.Session
    hits: list[Hit]

    def section(self, path_and_query: str = "/", data=None):
        if data is None:
            answer = self.browser.get(self.portal + path_and_query, timeout=30)
        else:
            answer = self.browser.post(self.portal + path_and_query, data=data, timeout=30)
        return answer, lxml.html.fromstring(answer.text).get_element_by_id("wpp")


@pytest.fixture
def proxied(cas, portal_receiver):
    hits: list[Hit] = []
    target = Served(fake_assistance(cas.url, hits), free_port())
    portal = Served(portal_app(cas.url, target.url, portal_receiver, PORTAL_JWT_KEY), free_port())
    browser = requests.Session()
    browser.get(cas_login(cas.url, portal.url + "/", "etudiant"), timeout=30)
    yield Proxied(portal.url, target.url, browser, hits)
    browser.close()
    portal.stop()
    target.stop()


def attribute(section, element_id: str, name: str) -> str:
    return section.get_element_by_id(element_id).get(name)


def test_the_first_root_is_kept_and_its_urls_rewritten(proxied):
    answer, section = proxied.section()
    target = proxied.target
    assert answer.status_code == 200
    assert [root.get("id") for root in section.xpath(".//*[@id='hd-root']")] == ["hd-root"]
    assert not section.xpath(".//*[@class='outside']")
    through_portal = {
        "absolute-path": "/portlet/tickets/new",
        "relative": "/portlet/tickets/7",
        "query": "/portlet/?page=2",  # WPP prefixes the directory: no RFC 3986 here
    }
    for element_id, path in through_portal.items():
        assert attribute(section, element_id, "href") == "/?proxy.url=" + quote(
            target + path, safe=""
        )
    assert attribute(section, "full-page", "href") == target + "/tickets/7"
    assert attribute(section, "elsewhere", "href") == "http://example.org/portlet/"
    assert attribute(section, "script", "href") == "javascript:void(0)"
    assert attribute(section, "mail", "href") == "mailto:assistance@univ.example"
    assert section.xpath(".//link/@href") == [target + "/static/fake.css"]
    logo = attribute(section, "logo", "src")
    assert proxied_url(logo) == target + "/portlet/logo.png" and logo.startswith("/resource?")
    assert attribute(section, "search", "method") == "post"
    assert parse_qs(urlsplit(attribute(section, "search", "action")).query) == {
        "proxy.url": [target + "/portlet/search"],
        "proxy.isForm": ["true"],
        "proxy.formMethod": ["GET"],
    }


def test_every_fetch_carries_a_fresh_proxy_ticket_and_the_users_cookies(proxied):
    _, home = proxied.section()
    _, seven = proxied.section(attribute(home, "relative", "href"))
    assert seven.get_element_by_id("echo").text_content() == "tickets/7 {}"
    _, following = proxied.section(attribute(seven, "next", "href"))  # relative to tickets/7
    assert following.get_element_by_id("echo").text_content() == "tickets/next {}"
    assert [(hit.method, hit.url) for hit in proxied.hits] == [
        ("GET", proxied.target + "/portlet/"),  # at sign-in
        ("GET", proxied.target + "/portlet/"),
        ("GET", proxied.target + "/portlet/tickets/7"),
        ("GET", proxied.target + "/portlet/tickets/next"),
    ]
    assert all(hit.ticket_last and hit.ticket_valid for hit in proxied.hits)
    assert [hit.cookie for hit in proxied.hits] == [None] + ["kept-by-the-portal"] * 3


def test_resources_come_through_the_users_jar(proxied):
    _, section = proxied.section()
    answer = proxied.browser.get(proxied.portal + attribute(section, "logo", "src"), timeout=30)
    assert (answer.status_code, answer.headers["Content-Type"], answer.content) == (
        200,
        "image/png",
        PNG,
    )
    assert proxied.hits[-1].cookie == "kept-by-the-portal" and proxied.hits[-1].ticket_valid


def test_a_get_form_is_posted_to_the_portal_and_sent_on_as_a_get(proxied):
    _, section = proxied.section()
    answer, section = proxied.section(attribute(section, "search", "action"), {"q": "extincteur"})
    assert answer.history[0].status_code == 303  # the action phase, then the render phase
    assert section.get_element_by_id("echo").text_content() == "search {'q': 'extincteur'}"
    hit = proxied.hits[-1]
    assert (hit.method, hit.url) == ("GET", proxied.target + "/portlet/search?q=extincteur")
    assert hit.ticket_last and hit.ticket_valid  # a ticket for the URL with the query


def test_a_303_after_a_post_is_followed_and_becomes_the_base(proxied):
    _, section = proxied.section()
    answer, section = proxied.section(
        attribute(section, "see-other", "action"), {"x": "é", "proxy.extra": "not sent"}
    )
    assert answer.status_code == 200
    assert [(hit.method, hit.url, hit.form) for hit in proxied.hits[-2:]] == [
        ("POST", proxied.target + "/portlet/post-303", {"x": "é"}),
        ("GET", proxied.target + "/portlet/done", {}),
    ]
    assert proxied.hits[-2].ticket_valid  # the POST too has its ticket, in its query string
    assert proxied_url(attribute(section, "next", "href")) == proxied.target + "/portlet/next"
    assert proxied_url(answer.url) == proxied.target + "/portlet/done"


def test_a_302_after_a_post_is_not_followed_and_shown_as_an_error(proxied):
    _, section = proxied.section()
    answer, section = proxied.section(attribute(section, "found", "action"), {"x": "1"})
    assert answer.status_code == 502
    error = section.find_class("portal-error")[0].text_content()
    assert "302" in error and "/portlet/done" in error
    assert proxied.hits[-1].method == "POST"  # /portlet/done was never asked for
    assert not section.xpath(".//*[@id='hd-root']")
