"""The ticket pages over HTTP, as full pages and as portal fragments, in French."""

from __future__ import annotations

import html
import re

import pytest
import sqlalchemy as sa

from models import Ticket, db
from models.enums import Status
from tests.factories import ticket_in
from tests.routes.conftest import CAS_URL, PUBLIC_URL, form_values


def text(page) -> str:
    """The page's text, tags removed and spaces folded, to read like a user."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.text)).split())


def new_ticket(world, status=Status.IN_PROGRESS):
    ticket = ticket_in(db.session, world, status)
    return ticket.id


def test_a_user_creates_a_ticket_as_the_guide_shows(world, browser):
    """Guide §I: choose the category, describe the problem, preview, create."""
    owner = browser(world.owner)
    step1 = owner.get("/tickets/new")
    assert "Ajouter un ticket" in text(step1) and "Réseau et Wi-Fi" in text(step1)
    assert f'href="/tickets/new?category={world.category.id}"' in step1.text

    url = f"/tickets/new?category={world.category.id}"
    page, fields = owner.form(url)
    assert "Catégorie de destination" in text(page)
    assert "(cliquer pour choisir une autre catégorie)" in text(page)
    assert "montrer les propriétés avancées" in text(page)

    preview = owner.submit(
        url,
        "/tickets/new",
        subject="Extincteurs Présidence",
        message="Où sont placés les extincteurs ?",
        preview="Aperçu",
    )
    assert preview.status_code == 200 and "Aperçu" in text(preview)
    assert db.session.scalar(sa.select(sa.func.count(Ticket.id))) == 0  # nothing created yet

    created = owner.submit(
        url,
        "/tickets/new",
        subject="Extincteurs Présidence",
        message="Où sont placés les extincteurs ?",
        create="Créer le ticket",
    )
    assert created.status_code == 303
    ticket = db.session.scalars(sa.select(Ticket)).one()
    assert created.headers["Location"] == f"{PUBLIC_URL}/tickets/{ticket.id}"

    recap = text(owner.get(created.headers["Location"]))
    assert f"Ticket n°{ticket.id} : Extincteurs Présidence" in recap
    assert "Un nouveau ticket a été créé." in recap
    assert "Accès direct : Ajouter un ticket Ajouter commentaire" in recap
    assert "Annuler" in recap and "Clore" in recap
    assert "Propriétaire : Test ESUP (esup9992)" in recap
    assert "Gestionnaire : aucun" in recap and "Statut : Libre" in recap
    assert "Test ESUP (esup9992) a créé le ticket." in recap
    assert "Où sont placés les extincteurs ?" in recap


def test_a_form_with_errors_keeps_what_was_typed_and_says_where(world, browser):
    owner = browser(world.owner)
    url = f"/tickets/new?category={world.category.id}"
    page = owner.submit(url, "/tickets/new", subject="", message="Tout mon texte", create="Créer")
    assert page.status_code == 422
    assert "Tout mon texte" in page.text
    assert re.search(
        r'<input[^>]*aria-invalid="true"[^>]*name="hd-subject"', page.text
    ) or re.search(r'<input[^>]*name="hd-subject"[^>]*aria-invalid="true"', page.text)
    assert (
        'aria-describedby="hd-subject-error"' in page.text and 'id="hd-subject-error"' in page.text
    )


def test_the_manager_asks_the_owner_answers_and_the_closure_is_refused_then_approved(
    world, browser
):
    """Guide §II and §III over HTTP."""
    ticket_id = new_ticket(world)
    manager, owner = browser(world.tm), browser(world.owner)
    base = f"/tickets/{ticket_id}"

    asked = manager.submit(f"{base}/request_information", message="Quel bâtiment ?")
    assert asked.status_code == 303 and asked.headers["Location"] == f"{PUBLIC_URL}{base}"
    assert "Statut : Incomplet" in text(owner.get(base))

    answered = owner.submit(f"{base}/comment", message="Bâtiment B.")
    assert answered.status_code == 303
    assert "Statut : En cours" in text(owner.get(base))

    manager.submit(f"{base}/close", message="Borne redémarrée.")
    view = text(owner.get(base))
    assert "Statut : Clos" in view and "Approuver" in view and "Refuser clôture" in view

    refused = owner.submit(f"{base}/refuse_closure", message="")
    assert refused.status_code == 422 and 'id="hd-message-error"' in refused.text
    refused = owner.submit(f"{base}/refuse_closure", message="Toujours pas de Wi-Fi.")
    assert refused.status_code == 303 and "Statut : En cours" in text(owner.get(base))

    manager.submit(f"{base}/close", message="Borne remplacée.")
    page = owner.get(base)
    approve_form = re.search(
        r'<form[^>]*action="(/tickets/\d+/approve_closure)"(.*?)</form>', page.text, re.S
    )
    data = form_values(approve_form.group(2))
    approved = owner.post(approve_form.group(1), data=data)
    assert approved.status_code == 303 and "Statut : Clos/approuvé" in text(owner.get(base))


def test_the_same_views_are_portal_fragments_under_portlet(world, browser):
    ticket_id = new_ticket(world)
    owner = browser(world.owner)
    fragment = owner.get(f"/portlet/tickets/{ticket_id}")
    body = fragment.text.strip()
    assert body.startswith('<div id="hd-root" class="hd hd--fragment"') and body.endswith("</div>")
    assert "<html" not in body and "<head" not in body and "<script" not in body
    assert f'<link rel="stylesheet" href="{PUBLIC_URL}/static/css/assistance.css">' in body
    assert "<h3" in body and "<h1" not in body  # the portlet title is the portal's h2
    assert f'href="/portlet/tickets/{ticket_id}/comment"' in body

    posted = owner.submit(f"/portlet/tickets/{ticket_id}/comment", message="Depuis le portail.")
    assert posted.status_code == 303
    assert posted.headers["Location"] == f"{PUBLIC_URL}/portlet/tickets/{ticket_id}"

    page = owner.get(f"/tickets/{ticket_id}")
    assert page.text.startswith("<!doctype html>") and '<main id="hd-main"' in page.text


def test_a_portal_deep_link_opens_the_view_inside_the_tab(world, browser):
    ticket_id = new_ticket(world)
    owner = browser(world.owner)
    answer = owner.get(f"/portlet/?goto=/portlet/tickets/{ticket_id}")
    assert answer.status_code == 303
    assert answer.headers["Location"] == f"{PUBLIC_URL}/portlet/tickets/{ticket_id}"
    for elsewhere in ("https://evil.example/x", "//evil.example/x", "/tickets/1"):
        assert owner.get(f"/portlet/?goto={elsewhere}").status_code == 200


def test_someone_not_signed_in_goes_to_cas_or_gets_a_link_when_embedded(world, browser):
    ticket_id = new_ticket(world)
    anonymous = browser()
    page = anonymous.get(f"/tickets/{ticket_id}?x=1")
    assert page.status_code == 302
    assert page.headers["Location"] == (
        f"{CAS_URL}login?service=http%3A%2F%2Fassistance.test%2Ftickets%2F{ticket_id}%3Fx%3D1"
    )

    fragment = anonymous.get("/portlet/")
    assert fragment.status_code == 302
    assert fragment.headers["Location"].endswith("&gateway=true")
    assert (
        "service=http%3A%2F%2Fassistance.test%2Fportlet%2F%3Fgw%3D1" in fragment.headers["Location"]
    )

    back_without_ticket = anonymous.get("/portlet/?gw=1")
    assert back_without_ticket.status_code == 200
    assert 'target="_top"' in back_without_ticket.text and "Se connecter" in text(
        back_without_ticket
    )
    framed = anonymous.get("/", headers={"Sec-Fetch-Dest": "iframe"})
    assert "gateway=true" in framed.headers["Location"]


def test_stale_forms_and_expired_tokens_keep_the_typed_text(world, browser):
    ticket_id = new_ticket(world)
    manager, owner = browser(world.tm), browser(world.owner)
    base = f"/tickets/{ticket_id}"
    _, fields = owner.form(f"{base}/close_by_owner")
    manager.submit(f"{base}/request_information", message="Quel bâtiment ?")

    stale = owner.post(
        f"{base}/close_by_owner", data={**fields, "hd-message": "Réglé de mon côté."}
    )
    assert stale.status_code == 409
    assert "Quelqu'un a modifié ce ticket entre-temps" in text(stale)
    assert "Réglé de mon côté." in stale.text

    expired = owner.post(
        f"{base}/comment",
        data={
            "hd-csrf_token": "forged",
            "hd-message": "Mon long texte",
            "hd-version": fields["hd-version"],
        },
    )
    assert expired.status_code == 422
    assert "Ce formulaire avait expiré" in text(expired) and "Mon long texte" in expired.text


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("/tickets/999999", 404),
        ("/tickets/99999999999999999999", 404),
        ("/tickets/1/fly_away", 404),
        ("/tickets/1/create", 404),
        ("/tickets/new?category=abc", 200),
        ("/tickets/new?category=99999999999", 200),
        ("/nowhere", 404),
    ],
)
def test_odd_urls_get_clear_answers(world, browser, url, code):
    new_ticket(world)
    assert browser(world.owner).get(url).status_code == code


def test_a_ticket_of_someone_else_does_not_exist_for_a_stranger(world, browser):
    ticket_id = new_ticket(world)
    assert browser(world.newcomer).get(f"/tickets/{ticket_id}").status_code == 404
    assert browser(world.newcomer).post(f"/tickets/{ticket_id}/comment").status_code == 404


def test_an_action_not_allowed_now_is_refused_politely(world, browser):
    ticket_id = new_ticket(world)
    manager = browser(world.tm)
    page = manager.get(f"/tickets/{ticket_id}/approve_closure")
    assert page.status_code == 403
    assert "Vous ne pouvez pas faire cela sur ce ticket dans son état actuel." in text(page)


@pytest.mark.parametrize(
    "payload",
    [
        {"hd-message": "x" * 50_000},
        {"hd-message": "\x00\x01\x02"},
        {"hd-version": "not-a-number", "hd-message": "ok"},
        {"hd-version": str(10**30), "hd-message": "ok"},
        {"hd-scope": "nowhere", "hd-message": "ok"},
        {"hd-message": ["a", "b"]},
    ],
)
def test_garbage_posts_never_crash(world, browser, payload):
    ticket_id = new_ticket(world)
    owner = browser(world.owner)
    _, fields = owner.form(f"/tickets/{ticket_id}/comment")
    answer = owner.post(f"/tickets/{ticket_id}/comment", data={**fields, **payload})
    assert answer.status_code in (303, 409, 422)


def test_pages_carry_the_security_headers(world, browser):
    page = browser(world.owner).get("/")
    assert "frame-ancestors 'self'" in page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Cache-Control"] == "no-store"


def test_deep_links_go_through_cas_or_through_the_portal(app, world):
    from routes._urls import deep_link

    with app.test_request_context():
        assert deep_link("tickets.action_page", ticket_id=7, action="approve_closure") == (
            f"{PUBLIC_URL}/tickets/7/approve_closure"
        )
        app.config["PORTAL_URL_TEMPLATE"] = (
            "https://ent.univ-x.fr/uPortal/p/helpdesk-assistance/max/render.uP?pP_goto={path}"
        )
        assert deep_link("tickets.view", ticket_id=7) == (
            "https://ent.univ-x.fr/uPortal/p/helpdesk-assistance/max/render.uP"
            "?pP_goto=%2Fportlet%2Ftickets%2F7"
        )


def test_an_unknown_page_under_portlet_is_answered_as_a_fragment(world, browser):
    answer = browser(world.owner).get("/portlet/nowhere")
    assert answer.status_code == 404
    assert answer.text.strip().startswith('<div id="hd-root"') and "<html" not in answer.text
    assert 'href="/portlet/"' in answer.text  # back to the tab, inside the portal
