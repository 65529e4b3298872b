"""« Recherche » over HTTP, in French: the form, the results with the words marked,
errors beside their fields, the tab header's search box and « Aller au ticket n° »,
and bad input that never fails.

Some labels and messages are new: their French is in the catalogue once the lead
engineer has translated them (see the search helper's report)."""

from __future__ import annotations

import re
from types import SimpleNamespace

import sqlalchemy as sa

from models import db
from models.enums import Action, ActionScope, Status
from models.operations import act
from models.search import query as search_query
from models.search.schema import sqlite_drop_ddl
from models.workflow import create_ticket
from tests.factories import ticket_in
from tests.routes.test_ticket_pages import text


def file(world, subject, message="Merci.", owner=None):
    ticket = create_ticket(
        db.session,
        creator=owner or world.owner,
        category=world.category,
        subject=subject,
        message=message,
    )
    db.session.commit()
    return ticket


def unmarked(page) -> str:
    """The page's text, the words found no longer cut out by <mark>."""
    return text(SimpleNamespace(text=re.sub(r"</?mark[^>]*>", "", page.text)))


def error_beside(page, name: str) -> str:
    """The error shown beside the field ``name`` (and the field says it is invalid)."""
    assert re.search(rf'<(input|select)[^>]*aria-invalid="true"[^>]*name="{name}"', page.text) or (
        re.search(rf'<(input|select)[^>]*name="{name}"[^>]*aria-invalid="true"', page.text)
    ), name
    found = re.search(rf'<p class="hd-error" id="{name}-error">(.*?)</p>', page.text, re.S)
    return " ".join(found.group(1).split())


def test_the_page_finds_french_words_and_marks_them(world, browser):
    ticket = file(world, "Imprimante du réseau en panne", "Les imprimantes ne répondent plus.")
    act(db.session, ticket.id, Action.TAKE, user=world.tm)
    act(
        db.session,
        ticket.id,
        Action.COMMENT,
        user=world.tm,
        message="Note : pilote imprimante obsolète",
        scope=ActionScope.MANAGER,
    )
    student = browser(world.owner)
    form = student.get("/search")
    empty = text(form)
    for label in ("Recherche", "Mots à chercher", "Service", "Catégorie"):
        assert label in empty
    assert 'value="Rechercher"' in form.text
    assert "Propriétaire" not in empty  # the people filters are the services'

    page = student.get("/search?q=reseau+imprimantes")
    assert page.status_code == 200
    assert "Tickets trouvés : 1" in text(page)
    assert '<mark class="hd-mark">Imprimante</mark>' in page.text
    assert '<mark class="hd-mark">réseau</mark>' in page.text
    assert f'href="/tickets/{ticket.id}"' in page.text
    assert "Les imprimantes ne répondent plus" in unmarked(page)
    assert "pilote" not in page.text  # a managers' note, never shown to the owner
    assert "Aucun ticket que vous pouvez lire" in text(student.get("/search?q=pilote"))
    assert "pilote" in unmarked(browser(world.tm).get("/search?q=pilote"))


def test_a_common_word_ranks_the_newest_and_says_so(world, browser, monkeypatch):
    monkeypatch.setattr(search_query, "COMMON_HOLDERS", 0)
    monkeypatch.setattr(search_query, "MOST_FOUND", 3)
    for number in range(5):
        file(world, f"Wifi coupé {number}")
    page = unmarked(browser(world.owner).get("/search?q=wifi"))
    assert "Plus de 3 tickets trouvés : les 3 plus récents sont classés ici." in page
    assert "Wifi coupé 4" in page and "Wifi coupé 1" not in page


def test_what_users_wrote_is_shown_as_text(world, browser):
    file(world, "<img src=x onerror=alert(1)> Écran noir", "<script>alert(2)</script> écran")
    page = browser(world.owner).get("/search?q=ecran")
    assert "&lt;img src=x onerror=alert(1)&gt;" in page.text
    assert "<img src=x" not in page.text and "<script>alert" not in page.text


def test_filters_narrow_and_pages_keep_them(world, browser):
    for number in range(22):
        file(world, f"Badge {number:02d}")
    closed = ticket_in(db.session, world, Status.CLOSED, subject="Badge clos", invite=False)
    student = browser(world.owner)
    first = student.get("/search?q=badge&kind=open")
    assert "Tickets trouvés : 22" in text(first) and "Badge clos" not in unmarked(first)
    assert 'href="/search?page=2&amp;q=badge&amp;kind=open"' in first.text
    assert "Tickets trouvés : 1" in text(student.get("/search?q=badge&kind=closed"))
    assert f"/tickets/{closed.id}" in student.get("/search?kind=closed").text  # no words
    by_service = student.get(f"/search?q=badge&service={world.other_service.id}")
    assert "Aucun ticket que vous pouvez lire" in text(by_service)


# (query string, field at fault, what its error says)
ERRORS = [
    ("created_from=1492-10-12", "created_from", "Veuillez indiquer une date valide."),
    ("created_until=2024-13-45", "created_until", ""),
    ("service=999999", "service", "Ce choix n'est pas disponible."),
    ("category=abc", "category", "Ce choix n'est pas disponible."),
    ("q=" + "x" * 2000, "q", "500"),
    ("q=", "q", ""),
    ("q=le+la+de", "q", ""),
    ("q=-wifi", "q", ""),
    # new messages: French once the catalogue has them
    ("created_from=2024-05-10&created_until=2024-05-01", "created_until", "précède"),
    ("created_from=1950-01-01&created_until=2024-01-01", "created_until", "50 ans"),
]


def test_errors_are_shown_beside_their_fields(world, browser):
    student = browser(world.owner)
    for query, field, message in ERRORS:
        page = student.get(f"/search?{query}")
        assert page.status_code == 200
        assert message in error_beside(page, field), query
        assert "Tickets trouvés" not in text(page)


def test_managers_filter_by_people_and_unknown_uids_are_told(world, browser):
    file(world, "Clavier bloqué")
    manager = browser(world.dm)
    page = manager.get(f"/search?q=clavier&owner={world.owner.uid}")
    assert "Tickets trouvés : 1" in text(page)
    assert "Tickets trouvés : 1" in text(manager.get(f"/search?involved={world.owner.uid}"))
    unknown = manager.get("/search?q=clavier&manager=personne")
    assert error_beside(unknown, "manager") == "Aucun utilisateur ne porte cet identifiant."
    # a student's people filters are not there, and are ignored
    student = browser(world.owner).get(f"/search?q=clavier&owner={world.tm.uid}")
    assert "Tickets trouvés : 1" in text(student)


BAD_INPUT = [
    {"q": ""},
    {"q": "x" * 2000},
    {"q": "' & ! :* \" | ( ) NEAR * OR AND"},
    {"q": '"unbalanced'},
    {"q": "\x00"},
    {"q": "imprimante", "page": "-4"},
    {"q": "imprimante", "page": "99999999999999999999"},
    {"q": "imprimante", "kind": "faq"},
    {"q": "imprimante", "service": "-1"},
    {"q": "imprimante", "category": "1e9"},
    {"created_from": "0001-01-01", "created_until": "9999-12-31"},
    {"created_from": "2024-02-30"},
    {"owner": "\x00"},
]


def test_bad_input_never_fails(world, browser):
    file(world, "Imprimante")
    for who in (browser(world.owner), browser(world.dm)):
        for query in BAD_INPUT:
            assert who.get("/search", query_string=query).status_code == 200, query


def test_the_tab_header_searches_and_goes_to_a_ticket(world, browser):
    ticket = file(world, "Vidéoprojecteur muet")
    student = browser(world.owner)
    home = student.get("/dashboard")
    header = re.search(r'<div class="hd-quick">.*?</div>', home.text, re.S).group(0)
    assert 'action="/search"' in header and 'name="q"' in header
    assert 'action="/tickets/goto"' in header and "Aller au ticket n°" in text(
        SimpleNamespace(text=header)
    )
    assert "Tickets trouvés : 1" in text(student.get("/search?q=videoprojecteur"))
    found = student.get(f"/tickets/goto?number={ticket.id}")
    assert found.headers["Location"].endswith(f"/tickets/{ticket.id}")
    # in the portal, the forms stay in the portal
    fragment = student.get("/portlet/dashboard").text
    assert 'action="/portlet/search"' in fragment and 'action="/portlet/tickets/goto"' in fragment
    # the search page has its own box; typing a number offers that ticket
    page = student.get(f"/search?q=%23{ticket.id}")
    assert page.text.count('name="q"') == 1
    assert f'href="/tickets/{ticket.id}"' in page.text
    other = file(world, "Secret", owner=world.newcomer)
    assert f'href="/tickets/{other.id}"' not in student.get(f"/search?q={other.id}").text


def test_the_reindex_command_rebuilds_a_broken_index(app, world, browser):
    ticket = file(world, "Tablette graphique", "Le stylet ne répond plus.")
    if db.engine.dialect.name == "sqlite":  # as a table rebuild in a later migration would
        for statement in sqlite_drop_ddl("tickets") + sqlite_drop_ddl("ticket_events"):
            db.session.execute(sa.text(statement))
    else:
        db.session.execute(sa.text("UPDATE ticket_events SET search_terms = NULL"))
        db.session.execute(sa.text("UPDATE tickets SET search_terms = NULL"))
    db.session.commit()
    student = browser(world.owner)

    result = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "Indexed 1 tickets and 1 entries." in result.output
    page = student.get("/search?q=stylet+tablette")
    assert f'href="/tickets/{ticket.id}"' in page.text
    act(db.session, ticket.id, Action.COMMENT, user=world.owner, message="Pointe usée")
    assert f'href="/tickets/{ticket.id}"' in student.get("/search?q=pointe").text
