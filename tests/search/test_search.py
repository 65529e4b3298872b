"""« Recherche » on both engines: French words found however they are written, the
query language, the filters, and never a word of what the searcher may not read."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from models import Category, Ticket
from models.enums import Action, ActionScope, Status, TicketScope
from models.files import attach_file
from models.operations import act
from models.search import query as query_module
from models.search.index import rebuild
from models.search.query import SearchFilters, SearchKind, search
from models.search.schema import sqlite_triggers
from models.search.syntax import parse
from models.storage import LocalStorage
from models.workflow import create_ticket, perform
from tests.factories import add_manager, build_world, make_user

PDF = b"%PDF-1.4\n" + b"0" * 64


@pytest.fixture
def file(session, world):
    """A ticket filed by the student (or ``owner``), committed."""

    def filing(subject, message="Merci de votre aide.", *, owner=None, scope=None, **options):
        ticket = create_ticket(
            session,
            creator=owner or world.owner,
            category=options.pop("category", world.category),
            subject=subject,
            message=message,
            scope=scope,
            **options,
        )
        session.commit()
        return ticket

    return filing


# How the search reads the database depends on the data: from a rare word's holders or
# walking the newest tickets; from the user's few tickets or testing each one
# (models/search/query.py). The permission tests run under every combination.
PLANS = {
    "rare words, few tickets": {"COMMON_HOLDERS": 10**9, "FEW_VISIBLE": 10**9},
    "common words, few tickets": {"COMMON_HOLDERS": 0, "FEW_VISIBLE": 10**9},
    "rare words, many tickets": {"COMMON_HOLDERS": 10**9, "FEW_VISIBLE": 0},
    "common words, many tickets": {"COMMON_HOLDERS": 0, "FEW_VISIBLE": 0},
}


@pytest.fixture(params=PLANS)
def plan(request, monkeypatch):
    for name, value in PLANS[request.param].items():
        monkeypatch.setattr(query_module, name, value)
    return request.param


def numbers(session, user, text, **filters) -> list[int]:
    """The tickets found, in their order."""
    results = search(session, user, parse(text), SearchFilters(**filters), size=100)
    return [hit.ticket.id for hit in results.items]


def note(session, ticket, user, message, scope=ActionScope.MANAGER):
    act(session, ticket.id, Action.COMMENT, user=user, message=message, scope=scope)


# --- French words -------------------------------------------------------------------


def test_an_accentless_query_finds_accented_text(session, world, file):
    ticket = file("Problème de réseau au bâtiment Été", "La prise ne répond plus.")
    for typed in ("reseau", "RÉSEAU", "probleme batiment", "ete", "repond", "réseaux"):
        assert numbers(session, world.owner, typed) == [ticket.id], typed


def test_stemming_finds_the_other_forms_of_a_word(session, world, file):
    ticket = file("Imprimante en panne", "Les imprimantes du deuxième étage ont des bourrages.")
    for typed in ("imprimantes", "imprimante", "IMPRIMANTE", "bourrage", "pannes", "étages"):
        assert numbers(session, world.owner, typed) == [ticket.id], typed
    assert numbers(session, world.owner, "impression") == []


def test_each_word_may_be_anywhere_the_searcher_reads(session, world, file):
    ticket = file("Imprimante bloquée", "Elle ne voit plus le réseau.")
    assert numbers(session, world.owner, "imprimante réseau") == [ticket.id]
    assert numbers(session, world.owner, "imprimante eduroam") == []


def test_phrases_exclusions_and_or(session, world, file, plan):
    phrase = file("Carte multiservice perdue", "Je l'ai perdue hier.")
    apart = file("Carte d'étudiant", "Le service multiservice est fermé.")
    wifi = file("Wi-Fi coupé", "Eduroam refuse mon mot de passe.")
    printer = file("Scanner en panne", "Plus rien ne sort.")
    owner = world.owner
    assert sorted(numbers(session, owner, "carte multiservice")) == [phrase.id, apart.id]
    assert numbers(session, owner, '"carte multiservice"') == [phrase.id]
    assert numbers(session, owner, "carte -multiservice") == []
    assert numbers(session, owner, 'carte -"carte multiservice"') == [apart.id]
    assert sorted(numbers(session, owner, "wifi OR scanner")) == [wifi.id, printer.id]
    assert numbers(session, owner, "panne wifi OR scanner") == [printer.id]
    assert numbers(session, owner, '"mot de passe"') == [wifi.id]
    assert numbers(session, owner, "wi-fi") == [wifi.id]


def test_file_names_are_found_like_words(session, world, file, tmp_path):
    ticket = file("Attestation demandée")
    storage = LocalStorage(tmp_path)
    attach_file(
        session,
        ticket.id,
        user=world.owner,
        storage=storage,
        filename="Relevé_de_notes-2024.pdf",
        stream=io.BytesIO(PDF),
        max_bytes=10**6,
    )
    assert numbers(session, world.owner, "releve notes 2024") == [ticket.id]
    assert numbers(session, world.owner, "pdf") == [ticket.id]


def test_the_subject_ranks_first_and_words_found_are_marked(session, world, file):
    in_message = file("Question de salle", "Le vidéoprojecteur de la salle 12 clignote.")
    in_subject = file("Vidéoprojecteur en panne", "Depuis ce matin.")
    results = search(session, world.owner, parse("videoprojecteur"), SearchFilters())
    assert [hit.ticket.id for hit in results.items] == [in_subject.id, in_message.id]
    subject_hit, message_hit = results.items
    assert (subject_hit.subject[0], subject_hit.subject[1]) == (
        ("Vidéoprojecteur", True),
        (" en panne", False),
    )
    assert ("vidéoprojecteur", True) in message_hit.extract
    extract = "".join(text for text, _ in message_hit.extract)
    assert "vidéoprojecteur de la salle 12 clignote" in extract


def test_markup_in_the_text_stays_text(session, world, file):
    """Pieces are plain text for the template to escape; our markers in the text itself
    cannot forge a mark. (PostgreSQL's extracts leave out what looks like a tag.)"""
    file("<b>Écran</b> noir", 'Voici <script>alert("x")</script> et \ue000écran\ue001 bleu.')
    hit = search(session, world.owner, parse("ecran"), SearchFilters()).items[0]
    assert hit.subject == [("<b>", False), ("Écran", True), ("</b> noir", False)]
    assert ("écran", True) in hit.extract
    pieces = "".join(text for text, _ in hit.extract)
    assert "\ue000" not in pieces and "\ue001" not in pieces
    assert all(not found or text.isalpha() for text, found in hit.extract)


def test_a_long_message_gives_an_extract_around_the_word(session, world, file):
    words = " ".join(f"mot{number}" for number in range(200))
    file("Rapport", f"{words} disjoncteur {words}")
    hit = search(session, world.owner, parse("disjoncteur"), SearchFilters()).items[0]
    extract = "".join(text for text, _ in hit.extract)
    assert ("disjoncteur", True) in hit.extract
    assert len(extract) < 400


# --- What the searcher may read -----------------------------------------------------


@pytest.fixture
def planted(session, world, file):
    """The student's tickets, an intranet one, and words they must never find: another
    student's private ticket, managers' notes on the student's own ticket."""
    other = make_user(session, "etu2", "Autre ÉTUDIANT")
    session.commit()
    mine = file("Imprimante du foyer", "Elle affiche une erreur.")
    act(session, mine.id, Action.TAKE, user=world.tm)
    note(session, mine, world.tm, "Fournisseur Sicli : contrat secret.")
    act(session, mine.id, Action.INVITE, user=world.tm, invitee=world.invitee)
    note(
        session,
        mine,
        world.tm,
        "Entre nous : budget épuisé.",
        scope=ActionScope.INVITED_MANAGER,
    )
    intranet = file("Panne générale du foyer", "Tout le bâtiment.", owner=other)
    intranet.scope = TicketScope.INTRANET
    private = file("Secret médical du foyer", "Sicli budget secret", owner=other)
    private.scope = TicketScope.PRIVATE
    subject_only = file("Budget du foyer", "Sicli secret", owner=other)
    subject_only.scope = TicketScope.SUBJECT_ONLY
    session.commit()
    return mine, intranet, private, subject_only


def test_a_student_never_finds_what_they_may_not_read(session, world, planted, plan):
    mine, intranet, private, subject_only = planted
    student = world.owner
    assert sorted(numbers(session, student, "foyer")) == [mine.id, intranet.id]
    for secret in ("sicli", "secret", "budget", "médical", "contrat", "épuisé"):
        results = search(session, student, parse(secret), SearchFilters())
        assert (results.items, results.total, results.pages) == ([], 0, 1), secret
    # a managers' note keeps no ticket out either: that would tell it is there
    assert numbers(session, student, "imprimante -sicli") == [mine.id]
    assert sorted(numbers(session, student, "foyer -budget -secret")) == [mine.id, intranet.id]
    hit = search(session, student, parse("imprimante OR sicli"), SearchFilters()).items[0]
    assert "Sicli" not in "".join(text for text, _ in hit.extract + hit.subject)


def test_the_others_find_what_their_role_lets_them_read(session, world, planted, plan):
    mine, _, private, subject_only = planted
    everything = sorted([mine.id, private.id, subject_only.id])
    assert sorted(numbers(session, world.tm, "sicli")) == everything  # the service's people
    assert sorted(numbers(session, world.admin, "sicli")) == everything
    assert numbers(session, world.invitee, "budget") == [mine.id]  # « managers and invitees »
    assert numbers(session, world.invitee, "sicli") == []
    assert numbers(session, None, "foyer") == []  # nobody signed in, nothing public


def test_counts_and_pages_hold_only_what_may_be_read(session, world, file, plan):
    other = make_user(session, "etu3", "Troisième ÉTUDIANT")
    session.commit()
    visible = [file(f"Badge d'accès {number}") for number in range(23)]
    for number in range(30):
        file(f"Badge perdu {number}", owner=other, scope=TicketScope.PRIVATE)
    hidden_note = file("Question de parking", "Rien à voir.")
    act(session, hidden_note.id, Action.TAKE, user=world.tm)
    note(session, hidden_note, world.tm, "badge badge badge")
    query = parse("badge")
    first = search(session, world.owner, query, SearchFilters(), page=1)
    second = search(session, world.owner, query, SearchFilters(), page=2)
    beyond = search(session, world.owner, query, SearchFilters(), page=99)
    assert (first.total, first.pages, len(first.items), len(second.items)) == (23, 2, 20, 3)
    assert beyond.number == 2  # a page past the end shows the last one
    found = {hit.ticket.id for hit in first.items + second.items}
    assert found == {ticket.id for ticket in visible}


def test_common_words_rank_the_newest_matches_and_say_there_are_more(
    session, world, file, monkeypatch
):
    monkeypatch.setattr(query_module, "COMMON_HOLDERS", 0)
    monkeypatch.setattr(query_module, "MOST_FOUND", 5)
    tickets = [file(f"Wifi coupé {number}") for number in range(8)]
    results = search(session, world.owner, parse("wifi"), SearchFilters(), size=3)
    assert (results.total, results.more, results.pages) == (5, True, 2)
    newest = {ticket.id for ticket in tickets[-5:]}
    pages = results.items + search(session, world.owner, parse("wifi"), page=2, size=3).items
    assert {hit.ticket.id for hit in pages} == newest
    exact = search(session, world.owner, parse("wifi coupé 7"), SearchFilters())
    assert (exact.total, exact.more) == (1, False)


# --- Filters ------------------------------------------------------------------------


def test_filters_narrow_the_search(session, world, file, plan):
    now = datetime.now(UTC)
    old = file("Souris cassée", now=now - timedelta(days=400))
    closed = file("Souris de l'accueil")
    act(session, closed.id, Action.TAKE, user=world.tm)
    act(session, closed.id, Action.CLOSE, user=world.tm)
    elsewhere = file("Souris dans l'extincteur", category=world.other_category)
    sub = Category(department=world.service, parent=world.category, label="Bornes Wi-Fi")
    session.add(sub)
    session.commit()
    in_sub = file("Souris sans fil", category=sub)
    owner = world.owner
    everything = {old.id, in_sub.id, elsewhere.id, closed.id}
    assert set(numbers(session, owner, "souris")) == everything
    assert set(numbers(session, owner, "souris", kind=SearchKind.OPEN)) == everything - {closed.id}
    assert numbers(session, owner, "souris", kind=SearchKind.CLOSED) == [closed.id]
    assert numbers(session, owner, "souris", department_id=world.other_service.id) == [elsewhere.id]
    # a category takes the categories under it along
    assert set(numbers(session, owner, "souris", category_id=world.category.id)) == {
        old.id,
        in_sub.id,
        closed.id,
    }
    assert numbers(session, owner, "souris", category_id=sub.id) == [in_sub.id]
    recent = {"created_from": now - timedelta(days=30), "created_until": now + timedelta(days=1)}
    assert old.id not in numbers(session, owner, "souris", **recent)
    assert numbers(session, owner, "souris", created_until=now - timedelta(days=300)) == [old.id]
    # filters alone list the tickets, newest first
    assert numbers(session, owner, "", department_id=world.other_service.id) == [elsewhere.id]
    assert numbers(session, owner, "souris", department_id=987654) == []


def test_people_filters_are_for_the_services_people(session, world, file):
    other = make_user(session, "etu4", "Quatrième ÉTUDIANT")
    session.commit()
    mine = file("Clavier qwerty")
    theirs = file("Clavier azerty", owner=other)
    act(session, theirs.id, Action.TAKE, user=world.tm)
    act(session, mine.id, Action.INVITE, user=world.owner, invitee=world.invitee)
    manager = world.dm
    assert numbers(session, manager, "clavier", owner_id=other.id) == [theirs.id]
    assert numbers(session, manager, "clavier", manager_id=world.tm.id) == [theirs.id]
    assert numbers(session, manager, "clavier", involved_id=world.invitee.id) == [mine.id]
    assert numbers(session, manager, "clavier", involved_id=world.tm.id) == [theirs.id]
    # a student's people filters are ignored: they only ever see their own anyway
    assert numbers(session, world.owner, "clavier", owner_id=other.id) == [mine.id]


def test_a_manager_of_another_service_reads_only_what_its_scope_allows(session, world, file, plan):
    outsider = make_user(session, "secu", "Agent SÉCURITÉ")
    session.commit()
    add_manager(session, world.other_service, outsider)
    session.commit()
    ticket = file("Alarme incendie muette")
    act(session, ticket.id, Action.TAKE, user=world.tm)
    note(session, ticket, world.tm, "Prestataire Sicli")
    assert numbers(session, outsider, "alarme") == []
    assert numbers(session, outsider, "", kind=SearchKind.OPEN) == []


# --- The index follows every action -------------------------------------------------


def words_found(session, user, text) -> list[int]:
    found = numbers(session, user, text)
    session.commit()  # the next look starts a new snapshot
    return found


def test_the_index_changes_in_the_transaction_of_each_action(committed, tmp_path):
    writer, reader = committed(), committed()
    world = build_world(writer)
    owner = world.owner
    ticket = create_ticket(
        writer, creator=owner, category=world.category, subject="Imprimante", message="Bourrage"
    )
    writer.flush()
    assert words_found(reader, owner, "bourrage") == []  # not committed yet
    writer.commit()
    assert words_found(reader, owner, "bourrage imprimante") == [ticket.id]

    # a comment
    ticket = writer.get(Ticket, ticket.id)
    perform(ticket, Action.COMMENT, user=owner, message="Toner épuisé")
    writer.flush()
    assert numbers(writer, owner, "toner") == [ticket.id]  # the action's own transaction
    assert words_found(reader, owner, "toner") == []
    writer.commit()
    assert words_found(reader, owner, "toner") == [ticket.id]

    # a new subject, which replaces the old one
    act(writer, ticket.id, Action.CHANGE_SUBJECT, user=owner, subject="Photocopieuse")
    assert words_found(reader, owner, "photocopieuse") == [ticket.id]
    assert words_found(reader, owner, "imprimante") == []

    # a file
    attach_file(
        writer,
        ticket.id,
        user=owner,
        storage=LocalStorage(tmp_path),
        filename="devis-toner.pdf",
        stream=io.BytesIO(PDF),
        max_bytes=10**6,
    )
    assert words_found(reader, owner, "devis") == [ticket.id]

    # an action that fails leaves nothing behind
    ticket = writer.get(Ticket, ticket.id)
    perform(ticket, Action.COMMENT, user=owner, message="Fantôme")
    writer.flush()
    writer.rollback()
    assert words_found(writer, owner, "fantome") == []
    assert words_found(reader, owner, "fantome") == []


def test_reindexing_rebuilds_the_index_from_scratch(session, world, file):
    ticket = file("Casque audio", "Le micro grésille.")
    dialect = session.get_bind().dialect.name
    emptied = "NULL" if dialect == "sqlite" else "NULL::tsvector"
    session.execute(sa.text(f"UPDATE ticket_events SET search_terms = {emptied}"))
    assert numbers(session, world.owner, "micro") == []
    counts = rebuild(session)
    session.commit()
    assert counts["tickets"] >= 1 and counts["ticket_events"] >= 1
    assert numbers(session, world.owner, "micro gresille casque") == [ticket.id]
    act(session, ticket.id, Action.COMMENT, user=world.owner, message="Et le son coupe.")
    assert numbers(session, world.owner, "son coupe") == [ticket.id]  # triggers are back


def test_the_sqlite_index_has_its_triggers(session):
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("PostgreSQL indexes the column itself")
    names = set(session.scalars(sa.text("SELECT name FROM sqlite_master WHERE type = 'trigger'")))
    # A migration that rebuilds tickets or ticket_events in batch mode drops them.
    assert sqlite_triggers() <= names


def test_statuses_are_searchable_in_every_state(session, world, make_ticket):
    ticket = make_ticket(Status.APPROVED, subject="Écran tactile")
    assert numbers(session, world.owner, "ecran", kind=SearchKind.CLOSED) == [ticket.id]
