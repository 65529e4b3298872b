"""« Recherche » with 100 000 tickets loaded, on both engines: a student finds their own
tickets and never a word of anyone else's, nor of the managers' notes on their own,
not even in the counts — whichever way the search chooses to read the database (a rare
word's holders, or the newest tickets for a common one; models/search/query.py).

The bulk is copied in SQL from one ticket filed through the application: other
students' private tickets, all saying « imprimante » or « wifi ». Planted among them:
private tickets and managers' notes holding the words the student searches for.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from models import Ticket
from models.enums import Action, ActionScope, TicketScope
from models.history import TicketEvent
from models.operations import act
from models.search.index import rebuild
from models.search.query import MOST_FOUND, SearchFilters, search
from models.search.syntax import parse
from models.users import User
from models.workflow import create_ticket
from tests.factories import make_user

BULK = 100_000
REQUESTERS = 1_000
SUBJECTS = ("Imprimante en panne", "Wifi coupé", "Imprimante et wifi", "Compte bloqué")


def counter(count: int) -> sa.CTE:
    """1 … count, as rows: a recursive CTE both engines run."""
    numbers = sa.select(sa.literal(1).label("i")).cte("numbers", recursive=True)
    return numbers.union_all(sa.select(numbers.c.i + 1).where(numbers.c.i < count))


def copies(table: sa.Table, template_id: int, overrides: dict, source_from) -> sa.Insert:
    """INSERT … SELECT: every column of the template row, but ``overrides``."""
    template = table.alias("template")
    names = [column.name for column in table.columns if column.name != "id"]
    values = [overrides.get(name, template.c[name]) for name in names]
    chosen = (
        sa.select(*values).select_from(source_from(template)).where(template.c.id == template_id)
    )
    return sa.insert(table).from_select(names, chosen)


def load_bulk(session, world) -> None:
    """REQUESTERS students, BULK private tickets of theirs, each with its first message."""
    numbers = counter(REQUESTERS)
    session.execute(
        copies(
            User.__table__,
            world.newcomer.id,
            {
                "uid": sa.literal("bulk") + sa.cast(numbers.c.i, sa.String),
                "display_name": sa.literal("Étudiant ") + sa.cast(numbers.c.i, sa.String),
                "email": sa.null(),
            },
            lambda template: sa.join(template, numbers, sa.true()),
        )
    )
    first_requester = session.scalar(sa.select(sa.func.min(User.id)).where(User.uid.like("bulk%")))
    template = create_ticket(
        session,
        creator=world.newcomer,
        category=world.category,
        subject="Modèle",
        message="Modèle",
        scope=TicketScope.PRIVATE,
    )
    session.flush()
    last_before = template.id
    numbers = counter(BULK)
    subject = sa.case(
        *((numbers.c.i % len(SUBJECTS) == index, text) for index, text in enumerate(SUBJECTS))
    )
    session.execute(
        copies(
            Ticket.__table__,
            template.id,
            {
                "subject": subject + " " + sa.cast(numbers.c.i, sa.String),
                "owner_id": first_requester + numbers.c.i % REQUESTERS,
                "creator_id": first_requester + numbers.c.i % REQUESTERS,
            },
            lambda template: sa.join(template, numbers, sa.true()),
        )
    )
    tickets = Ticket.__table__.alias("bulk")
    first_event = session.scalar(
        sa.select(sa.func.min(TicketEvent.id)).where(TicketEvent.ticket_id == template.id)
    )
    session.execute(
        copies(
            TicketEvent.__table__,
            first_event,
            {
                "ticket_id": tickets.c.id,
                "author_id": tickets.c.owner_id,
                "message": tickets.c.subject + " depuis ce matin, merci.",
            },
            lambda template: sa.join(template, tickets, tickets.c.id > last_before),
        )
    )
    rebuild(session)
    session.commit()


@pytest.fixture
def university(session, world):
    load_bulk(session, world)
    student = world.owner
    own = [
        create_ticket(
            session,
            creator=student,
            category=world.category,
            subject=f"Imprimante du bureau {number}",
            message="Elle ne répond plus.",
        )
        for number in range(3)
    ]
    act(session, own[0].id, Action.TAKE, user=world.tm)
    act(
        session,
        own[0].id,
        Action.COMMENT,
        user=world.tm,
        message="Toner Sicli hors contrat, wifi du fournisseur",
        scope=ActionScope.MANAGER,
    )
    other = make_user(session, "voisin", "Voisin ÉTUDIANT")
    for subject in ("Sicli toner confidentiel", "Dossier médical Sicli"):
        create_ticket(
            session,
            creator=other,
            category=world.category,
            subject=subject,
            message="Contrat Sicli",
            scope=TicketScope.PRIVATE,
        )
    session.commit()
    assert session.scalar(sa.select(sa.func.count()).select_from(Ticket)) > BULK
    return own


def found(session, user, text) -> tuple[set[int], int, bool]:
    results = search(session, user, parse(text), SearchFilters(), size=50)
    return {hit.ticket.id for hit in results.items}, results.total, results.more


def test_among_100000_tickets_a_student_finds_only_their_own(session, world, university):
    own = {ticket.id for ticket in university}
    student = world.owner
    # « imprimante » is in 50 000 other students' subjects: found only in the student's
    assert found(session, student, "imprimante") == (own, 3, False)
    assert found(session, student, "imprimante bureau") == (own, 3, False)
    # the managers' note says « sicli » and « wifi »: it never makes a ticket match…
    for secret in ("sicli", "toner", "contrat", "médical", "wifi", "imprimante sicli"):
        assert found(session, student, secret) == (set(), 0, False), secret
    # … nor keeps one out
    assert found(session, student, "imprimante -sicli -wifi") == (own, 3, False)
    assert found(session, student, "bureau OR sicli") == (own, 3, False)
    extracts = search(session, student, parse("imprimante OR sicli"), SearchFilters()).items
    assert all("Sicli" not in "".join(text for text, _ in hit.extract) for hit in extracts)

    # the service's manager reads them all: a common word ranks the newest matches only
    hits, total, more = found(session, world.tm, "wifi")
    assert (total, more) == (MOST_FOUND, True)
    assert len(hits) == 50
    # a rare word is counted exactly: the two private tickets and the note
    hits, total, more = found(session, world.tm, "sicli")
    assert (total, more) == (3, False) and university[0].id in hits
