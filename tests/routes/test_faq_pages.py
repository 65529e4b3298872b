"""« FAQ » over HTTP: the trees and entries each visitor may read (signed in or not),
the editors' forms and their refusals, and the FAQ in « Ajouter un ticket » and in a
closure — in French, with and without JavaScript."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa

from models import FaqEntry, Ticket, TicketEvent, db
from models.enums import Action, Right, Status
from models.faq import add_entry, faq_trees
from tests.factories import ticket_in
from tests.routes.conftest import PUBLIC_URL, form_values
from tests.routes.test_admin import form_at
from tests.routes.test_ticket_pages import text


@pytest.fixture
def faq(world):
    """A general entry for everyone, and INFORMATIQUE's: a section read by signed-in
    users with a Wi-Fi entry under it, and a note for the service's managers."""
    general = add_entry(
        db.session,
        actor=world.admin,
        department=None,
        title="Bien décrire sa demande",
        body="Indiquez **le bâtiment** et la salle.",
    )
    network = add_entry(
        db.session,
        actor=world.dm,
        department=world.service,
        title="Réseau",
        visibility="authenticated",
    )
    wifi = add_entry(
        db.session,
        actor=world.dm,
        department=world.service,
        title="Se connecter au Wi-Fi eduroam",
        body="## Profil\n\nInstallez le profil <script>alert(1)</script>[eduroam](https://cat.eduroam.org).",
        visibility="authenticated",
        parent_id=network.id,
        category_ids=[world.category.id],
    )
    internal = add_entry(
        db.session,
        actor=world.dm,
        department=world.service,
        title="Code de maintenance des bornes Wi-Fi",
        visibility="department",
        category_ids=[world.category.id],
    )
    return {"general": general, "network": network, "wifi": wifi, "internal": internal}


def titles(page) -> list[str]:
    return [
        " ".join(re.sub(r"<[^>]+>", " ", link).split())
        for link in re.findall(r'<li class="hd-faq-tree__item">\s*<a [^>]*>(.*?)</a>', page.text)
    ]


# --- Reading --------------------------------------------------------------------------


def test_the_faq_tab_shows_each_visitor_the_entries_they_may_read(world, browser, faq):
    student = browser(world.owner).get("/faq")
    assert student.status_code == 200
    assert 'aria-current="page">FAQ</a>' in student.text  # a tab of its own, for everyone
    assert titles(student) == [
        "Bien décrire sa demande",
        "Réseau",
        "Se connecter au Wi-Fi eduroam",
    ]
    manager = browser(world.tm).get("/faq")
    assert "Code de maintenance des bornes Wi-Fi" in titles(manager)
    assert f'href="/faq/new?tree={world.service.id}"' in manager.text  # the tm may edit

    # Nobody signed in: no detour through CAS, the entries open to everyone only.
    anonymous = browser().get("/faq")
    assert anonymous.status_code == 200 and titles(anonymous) == ["Bien décrire sa demande"]
    assert browser().get(f"/faq/{faq['general'].id}").status_code == 200
    assert browser().get(f"/faq/{faq['wifi'].id}").status_code == 404
    assert browser().get(f"/faq/{faq['general'].id}/edit").status_code == 302  # to CAS


def test_an_entry_shows_its_text_made_safe_and_exists_only_for_its_readers(world, browser, faq):
    student = browser(world.owner)
    page = student.get(f"/faq/{faq['wifi'].id}")
    assert page.status_code == 200
    assert (
        '<h1 class="hd-title" id="hd-faq-entry-title">Se connecter au Wi-Fi eduroam</h1>'
        in page.text
    )
    assert "<h2>Profil</h2>" in page.text  # the text's headings sit under the title
    assert '<a href="https://cat.eduroam.org" rel="noopener noreferrer nofollow">' in page.text
    assert "<script>alert" not in page.text
    assert f'href="/faq/{faq["network"].id}">Réseau</a>' in page.text  # where it stands
    assert "/edit" not in page.text  # nothing to edit for a student

    fragment = student.get(f"/portlet/faq/{faq['wifi'].id}")
    assert "<h3 " in fragment.text and "<h4>Profil</h4>" in fragment.text

    for url in (f"/faq/{faq['internal'].id}", "/faq/999999", f"/faq/{faq['internal'].id}/edit"):
        assert student.get(url).status_code == 404, url
    assert browser(world.tm).get(f"/faq/{faq['internal'].id}").status_code == 200


# --- Editing --------------------------------------------------------------------------


def test_an_editor_adds_an_entry_previews_it_and_reads_errors_beside_the_fields(
    world, browser, faq
):
    dm = browser(world.dm)
    url = f"/faq/new?tree={world.service.id}"
    page = dm.get(url)
    assert page.status_code == 200
    fields = form_at(page.text, url)

    empty = dm.post(url, data={**fields, "hd-title": "  ", "hd-submit": "Enregistrer"})
    assert empty.status_code == 422
    assert 'id="hd-title-error"' in empty.text and 'aria-invalid="true"' in empty.text

    for name, value in [
        ("hd-title", "x" * 201),
        ("hd-visibility", "tout-le-monde"),
        ("hd-categories", str(world.other_category.id)),
        ("hd-parent", "999999"),
        ("hd-body", "y" * 20_001),
    ]:
        answer = dm.post(url, data={**fields, "hd-title": "Imprimer", name: value})
        field = name.removeprefix("hd-")
        assert answer.status_code == 422, name
        assert f'id="hd-{field}-error"' in answer.text, name

    body = "Les imprimantes du **bâtiment B** <img src=x onerror=alert(1)>"
    preview = dm.post(
        url, data={**fields, "hd-title": "Imprimer", "hd-body": body, "hd-preview": "Aperçu"}
    )
    assert preview.status_code == 200
    assert "<strong>bâtiment B</strong>" in preview.text and "onerror=alert" not in re.sub(
        r"<textarea.*?</textarea>", "", preview.text, flags=re.S
    )
    assert db.session.scalar(sa.select(FaqEntry).where(FaqEntry.title == "Imprimer")) is None

    created = dm.post(
        url,
        data={
            **fields,
            "hd-title": "Imprimer",
            "hd-body": body,
            "hd-visibility": "authenticated",
            "hd-parent": str(faq["network"].id),
            "hd-categories": [str(world.category.id), str(world.sibling.id)],
            "hd-submit": "Enregistrer",
        },
    )
    assert created.status_code == 303
    entry = db.session.scalar(sa.select(FaqEntry).where(FaqEntry.title == "Imprimer"))
    assert created.headers["Location"] == f"{PUBLIC_URL}/faq/{entry.id}"
    assert entry.parent_id == faq["network"].id
    assert {c.id for c in entry.categories} == {world.category.id, world.sibling.id}
    log = text(dm.get(f"/services/changes?department={world.service.id}"))
    assert "Added the FAQ entry Imprimer" in log  # in « Journal des modifications »


def test_an_editor_changes_moves_orders_and_deletes_entries(world, browser, faq):
    dm = browser(world.dm)
    wifi = faq["wifi"]
    wifi_id = wifi.id
    edit = dm.get(f"/faq/{wifi.id}/edit")
    fields = form_at(edit.text, f"/faq/{wifi.id}/edit")
    assert fields["hd-title"] == "Se connecter au Wi-Fi eduroam"
    widened = dm.post(f"/faq/{wifi.id}/edit", data={**fields, "hd-visibility": "everyone"})
    assert widened.status_code == 422 and 'id="hd-visibility-error"' in widened.text
    saved = dm.post(f"/faq/{wifi.id}/edit", data={**fields, "hd-title": "Wi-Fi eduroam"})
    assert saved.status_code == 303

    # An entry with entries under it is not deleted: they must go first.
    section = dm.get(f"/faq/{faq['network'].id}/delete")
    assert (
        section.status_code == 200
        and f'action="/faq/{faq["network"].id}/delete"' not in section.text
    )

    page = dm.get(f"/faq/{wifi.id}")
    move = form_at(page.text, f"/faq/{wifi.id}/move")
    moved = dm.post(f"/faq/{wifi.id}/move", data={**move, "hd-move-parent": ""})
    assert moved.status_code == 303
    db.session.expire_all()
    assert db.session.get(FaqEntry, wifi.id).parent_id is None
    up = dm.post(
        f"/faq/{wifi.id}/reorder",
        data={"hd-csrf_token": fields["hd-csrf_token"], "hd-direction": "up"},
    )
    assert up.status_code == 303
    (tree,) = [t for t in faq_trees(db.session, world.dm) if t.department]
    assert [node.entry.title for node in tree.roots] == [
        "Réseau",
        "Wi-Fi eduroam",
        "Code de maintenance des bornes Wi-Fi",
    ]

    # Deleting asks first.
    ask = dm.get(f"/faq/{wifi.id}/delete")
    assert ask.status_code == 200 and "Wi-Fi eduroam" in text(ask)
    gone = dm.post(f"/faq/{wifi.id}/delete", data=form_at(ask.text, f"/faq/{wifi.id}/delete"))
    assert gone.status_code == 303 and gone.headers["Location"] == f"{PUBLIC_URL}/faq"
    db.session.expire_all()
    assert db.session.get(FaqEntry, wifi_id) is None
    assert dm.get(f"/faq/{wifi_id}").status_code == 404


def test_editing_takes_the_right_to_edit_that_faq(world, browser, faq):
    token = form_values(browser(world.owner).get("/tickets/new").text)
    student = browser(world.owner)
    assert student.get(f"/faq/new?tree={world.service.id}").status_code == 403
    assert student.get(f"/faq/{faq['general'].id}/edit").status_code == 403
    assert student.post(f"/faq/{faq['general'].id}/delete", data=token).status_code == 403
    assert browser(world.dm).get("/faq/new?tree=global").status_code == 403  # admins'
    assert browser(world.admin).get("/faq/new?tree=global").status_code == 200
    assert browser(world.dm).get("/faq/new?tree=424242").status_code == 404
    membership = world.service.manager_of(world.tm)
    membership.set_rights(membership.rights - {Right.MANAGE_FAQ})
    db.session.commit()
    tm = browser(world.tm)
    assert tm.get(f"/faq/{faq['wifi'].id}/edit").status_code == 403
    assert "/edit" not in tm.get(f"/faq/{faq['wifi'].id}").text
    assert db.session.get(FaqEntry, faq["general"].id) is not None


# --- « Ajouter un ticket » ------------------------------------------------------------


def test_step_2_shows_the_faq_of_the_category_and_offers_to_check_it(world, browser, faq):
    page = browser(world.owner).get(f"/tickets/new?category={world.category.id}")
    linked = re.search(r'<section class="hd-faq-linked".*?</section>', page.text, re.S).group(0)
    assert f'href="{PUBLIC_URL}/faq/{faq["wifi"].id}" target="_blank"' in linked
    assert "Code de maintenance" not in page.text  # the managers' note stays theirs
    assert 'aria-live="polite"' in page.text and 'data-hd-suggest="/faq/suggest"' in page.text
    assert 'name="hd-check_faq" type="submit" value="Vérifier la FAQ"' in page.text
    assert "faq-suggest.js" in page.text
    fragment = browser(world.owner).get(f"/portlet/tickets/new?category={world.category.id}")
    assert "data-hd-suggest" not in fragment.text and 'name="hd-check_faq"' in fragment.text


def test_check_the_faq_without_javascript_keeps_everything_typed(world, browser, faq):
    owner = browser(world.owner)
    _, fields = owner.form(f"/tickets/new?category={world.category.id}")
    typed = {**fields, "hd-subject": "Pas de wifi en salle 101", "hd-message": "Depuis lundi."}
    checked = owner.post(
        "/tickets/new",
        data={
            **typed,
            "hd-check_faq": "Vérifier la FAQ",
            "hd-files": [(io.BytesIO(b"%PDF-1.7 plan"), "plan.pdf")],  # chosen, not attached
        },
        content_type="multipart/form-data",
    )
    assert checked.status_code == 200
    region = re.search(r'<div class="hd-faq-suggest".*?</div>', checked.text, re.S).group(0)
    assert "Se connecter au Wi-Fi eduroam" in region and "Code de maintenance" not in region
    assert 'value="Pas de wifi en salle 101"' in checked.text and "Depuis lundi." in checked.text
    assert "plan.pdf" in checked.text  # staged with the form, nothing lost
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Ticket)) == 0

    nothing = owner.post(
        "/tickets/new",
        data={**form_values(checked.text), "hd-subject": "Extincteur", "hd-check_faq": "x"},
    )
    region = re.search(r'<div class="hd-faq-suggest".*?</div>', nothing.text, re.S).group(0)
    assert "<li>" not in region

    created = owner.post(
        "/tickets/new",
        data={**form_values(checked.text), "hd-message": "Depuis lundi.", "hd-create": "Créer"},
    )
    assert created.status_code == 303
    ticket = db.session.scalars(sa.select(Ticket)).one()
    assert [a.original_name for a in ticket.attachments] == ["plan.pdf"]


def test_the_suggestions_follow_the_subject_and_the_readers_rights(world, browser, faq):
    owner = browser(world.owner)
    answer = owner.get(f"/faq/suggest?category={world.category.id}&q=wifi")
    assert answer.status_code == 200
    assert answer.json == {
        "entries": [
            {
                "title": "Se connecter au Wi-Fi eduroam",
                "url": f"{PUBLIC_URL}/faq/{faq['wifi'].id}",
            }
        ]
    }
    assert len(browser(world.tm).get("/faq/suggest?q=bornes wifi").json["entries"]) == 2
    for query in ("", "a", "%' OR 1=1 --", "x" * 2000, '&!:*"'):
        assert owner.get("/faq/suggest", query_string={"q": query}).json == {"entries": []}
    assert owner.get("/faq/suggest?category=abc&q=wifi").status_code == 200
    assert browser().get("/faq/suggest?q=wifi").status_code == 302  # sign in first


# --- Closing with an entry ------------------------------------------------------------


def test_a_manager_closes_a_ticket_pointing_to_an_entry_the_owner_may_read(world, browser, faq):
    ticket = ticket_in(db.session, world, Status.IN_PROGRESS)
    tm = browser(world.tm)
    url = f"/tickets/{ticket.id}/close"
    page = tm.get(url)
    choices = re.search(r'<select[^>]*name="hd-faq_entry".*?</select>', page.text, re.S).group(0)
    assert "Se connecter au Wi-Fi eduroam" in choices and "Code de maintenance" not in choices
    fields = form_at(page.text, url)
    hidden = tm.post(url, data={**fields, "hd-faq_entry": str(faq["internal"].id)})
    assert hidden.status_code == 422 and 'id="hd-faq_entry-error"' in hidden.text
    closed = tm.post(
        url,
        data={**fields, "hd-faq_entry": str(faq["wifi"].id), "hd-message": "Voir la FAQ."},
    )
    assert closed.status_code == 303
    event = db.session.scalar(
        sa.select(TicketEvent).where(
            TicketEvent.ticket_id == ticket.id, TicketEvent.kind == Action.CLOSE
        )
    )
    assert event.faq_entry_id == faq["wifi"].id
    history = browser(world.owner).get(f"/tickets/{ticket.id}").text
    link = re.search(r'<p class="hd-event__faq">.*?</p>', history, re.S).group(0)
    assert f'href="/faq/{faq["wifi"].id}">Se connecter au Wi-Fi eduroam</a>' in link


# --- « Recherche » --------------------------------------------------------------------


def test_the_search_finds_faq_entries_above_tickets_or_alone(world, browser, faq):
    ticket_in(db.session, world, Status.FREE, subject="Plus de wifi en salle 12")
    student = browser(world.owner)
    page = student.get("/search?q=wifi")
    section = re.search(r'<section class="hd-faq-hits".*?</section>', page.text, re.S).group(0)
    assert f'href="/faq/{faq["wifi"].id}"' in section
    assert '<mark class="hd-mark">Wi</mark>-<mark class="hd-mark">Fi</mark>' in section
    assert "Code de maintenance" not in page.text  # never shown, never counted
    assert re.search(r"FAQ[^<]*: 1<", section)
    assert "Tickets trouvés : 1" in text(page)  # and the tickets below

    alone = student.get("/search?q=wifi&kind=faq")
    assert f'href="/faq/{faq["wifi"].id}"' in alone.text and "Tickets trouvés" not in text(alone)
    assert '<option selected value="faq">' in alone.text
    manager = browser(world.tm).get("/search?q=maintenance&kind=faq")
    assert f'href="/faq/{faq["internal"].id}"' in manager.text
    assert 'href="/faq/' not in student.get("/search?q=maintenance&kind=faq").text
