"""FAQ entries in « Recherche », on both engines: found by their title and text however
the words are written, filtered like tickets, kept current by every edit, and never
seen — not even counted — by those who may not read them."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from models.enums import FaqVisibility
from models.faq import add_entry, delete_entry, update_entry
from models.search.faq import search_faq
from models.search.index import rebuild
from models.search.query import SearchFilters, SearchKind, search
from models.search.syntax import parse
from models.workflow import create_ticket


@pytest.fixture
def faq(session, world):
    def adding(title, body="", *, department=None, visibility=FaqVisibility.EVERYONE, **extra):
        actor = world.admin if department is None else world.dm
        return add_entry(
            session,
            actor=actor,
            department=department,
            title=title,
            body=body,
            visibility=visibility,
            **extra,
        )

    return adding


def found(session, user, text, **filters) -> list[str]:
    results = search_faq(session, user, parse(text), SearchFilters(**filters), size=100)
    assert results.total == len(results.items)  # what is counted is what is shown
    return [hit.entry.title for hit in results.items]


def test_entries_are_found_by_title_and_text_however_written(session, world, faq):
    faq("Réseau sans fil", "Le **Wi-Fi** eduroam des bâtiments : installez le profil.")
    faq("Imprimantes", "Une imprimante en *erreur 49* se rallume.")
    for typed in ("reseau", "RÉSEAUX", "wifi", "batiment profil", "eduroam -imprimante"):
        assert found(session, world.owner, typed) == ["Réseau sans fil"], typed
    assert found(session, world.owner, "imprimante") == ["Imprimantes"]
    assert found(session, world.owner, '"erreur 49"') == ["Imprimantes"]
    assert sorted(found(session, world.owner, "eduroam OR erreur")) == [
        "Imprimantes",
        "Réseau sans fil",
    ]
    assert found(session, world.owner, "strong") == []  # markup is not text


def test_a_managers_only_entry_is_never_seen_nor_counted_by_a_student(session, world, faq):
    faq("Imprimante du hall", "Appelez le poste 4455.", department=world.service)
    faq(
        "Imprimante : code de maintenance",
        "Code 4455 pour réinitialiser l'imprimante.",
        department=world.service,
        visibility=FaqVisibility.MANAGERS,
    )
    faq(
        "Imprimante : procédure du service",
        "4455 puis réinitialiser.",
        department=world.service,
        visibility=FaqVisibility.DEPARTMENT,
    )
    student = search_faq(session, world.owner, parse("imprimante 4455"), SearchFilters())
    assert student.total == 1 and [h.entry.title for h in student.items] == ["Imprimante du hall"]
    assert found(session, world.owner, "reinitialiser") == []
    assert found(session, None, "imprimante") == ["Imprimante du hall"]
    assert len(found(session, world.tm, "imprimante")) == 3
    assert len(found(session, world.admin, "reinitialiser")) == 2
    assert search_faq(session, world.owner, parse("reinitialiser")).pages == 1


def test_filters_apply_to_entries_as_they_can(session, world, faq):
    faq("Wi-Fi des salles", department=world.service, category_ids=[world.category.id])
    faq("Wi-Fi général")
    assert found(session, world.owner, "wifi", department_id=world.service.id) == [
        "Wi-Fi des salles"
    ]
    assert found(session, world.owner, "wifi", category_id=world.category.id) == [
        "Wi-Fi des salles"
    ]
    assert len(found(session, world.owner, "wifi", kind=SearchKind.FAQ)) == 2
    assert found(session, world.owner, "wifi", kind=SearchKind.OPEN) == []
    assert found(session, world.tm, "wifi", owner_id=world.owner.id) == []  # tickets only
    assert len(found(session, world.owner, "", kind=SearchKind.FAQ)) == 2  # no word: all

    # Looking through the FAQ alone finds no ticket.
    create_ticket(
        session, creator=world.owner, category=world.category, subject="Wi-Fi", message="?"
    )
    session.commit()
    everything = search(session, world.owner, parse("wifi"), SearchFilters())
    assert everything.total == 1
    assert (
        search(session, world.owner, parse("wifi"), SearchFilters(kind=SearchKind.FAQ)).total == 0
    )


def test_the_index_follows_every_edit_and_survives_a_rebuild(session, world, faq):
    entry = faq("Messagerie", "Quota de la boîte aux lettres.")
    update_entry(
        session,
        entry,
        actor=world.admin,
        title="Messagerie",
        body="Agenda partagé.",
        visibility="everyone",
    )
    assert found(session, world.owner, "quota") == []
    assert found(session, world.owner, "agenda partage") == ["Messagerie"]
    hit = search_faq(session, world.owner, parse("agenda"), SearchFilters()).items[0]
    assert ("Agenda", True) in hit.extract and hit.title == [("Messagerie", False)]

    dialect = session.get_bind().dialect.name
    emptied = "NULL" if dialect == "sqlite" else "NULL::tsvector"
    session.execute(sa.text(f"UPDATE faq_entries SET search_terms = {emptied}"))
    assert found(session, world.owner, "agenda") == []
    assert rebuild(session)["faq_entries"] == 1
    session.commit()
    assert found(session, world.owner, "agenda") == ["Messagerie"]

    delete_entry(session, entry, actor=world.admin)
    assert found(session, world.owner, "agenda") == []
