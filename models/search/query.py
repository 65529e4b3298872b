"""« Recherche »: the tickets a user may open that hold the words asked for.

Permissions are part of the query: a ticket is only counted, ranked and paged when
the user may open it (``_visibility``), and a word counts only where the user
may read it — the subject, or an entry whose scope lets them read it
(``visible_events_clause``). A managers' note never makes a ticket match for its owner,
and never keeps one out (« -word ») either.

Each term of the query is looked for in the whole ticket: « imprimante réseau » finds a
ticket whose subject says « imprimante » and whose answer says « réseau ». A phrase must
stand in one subject or one entry.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from ..enums import FINAL_STATUSES, OPEN_STATUSES, Status
from ..errors import InvalidValue
from ..history import TicketEvent
from ..involvement import Invitation
from ..paging import page_count, shown_page
from ..permissions import (
    is_manager,
    visible_events_clause,
    visible_ticket_sets,
    visible_tickets_clause,
)
from ..queries import TICKET_ROW_LOADS
from ..services import Category
from ..tickets import Ticket
from ..users import User
from .engines import count_at_most, engine_for
from .snippets import Segment, highlight_document, segments
from .syntax import AllOf, AnyOf, Not, Term

PAGE_SIZE = 20
# A term held by this many subjects or entries (whoever may read them) is common: the
# search does not start from its holders. Without a rarer term, only the newest
# MOST_FOUND matches are counted and ranked.
COMMON_HOLDERS = 5_000
MOST_FOUND = 200
# Up to this many tickets a user may open, their ids are gathered first (``_visibility``).
FEW_VISIBLE = 2_000
MAX_PERIOD_YEARS = 50
# Days outside these are typing slips (and beyond what every engine stores).
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


class SearchKind(enum.StrEnum):
    """What to look through: everything (tickets and FAQ entries), only open or closed
    tickets, or only FAQ entries (``faq.search_faq``)."""

    ALL = "all"
    OPEN = "open"
    CLOSED = "closed"
    FAQ = "faq"


KIND_STATUSES = {
    SearchKind.OPEN: OPEN_STATUSES,
    SearchKind.CLOSED: FINAL_STATUSES | {Status.CLOSED},
}


@dataclass
class SearchFilters:
    kind: SearchKind = SearchKind.ALL
    department_id: int | None = None
    category_id: int | None = None  # with the categories under it
    created_from: datetime | None = None  # included
    created_until: datetime | None = None  # excluded
    # For the services' people only; ignored for anyone else.
    owner_id: int | None = None
    manager_id: int | None = None
    involved_id: int | None = None  # owner, manager or invited

    @property
    def narrow(self) -> bool:
        """Does any filter narrow the search (so that it makes sense without words)?"""
        return self != SearchFilters()


@dataclass
class Hit:
    """One result: a ticket, its subject and an extract of what it says, with the
    words found marked."""

    ticket: Ticket
    subject: list[Segment]
    extract: list[Segment] = field(default_factory=list)
    kind: str = "ticket"


@dataclass
class Results:
    items: list[Hit]
    total: int
    number: int
    size: int
    more: bool = False  # more matches than ``total``: the newest were kept

    @property
    def pages(self) -> int:
        return page_count(self.total, self.size)


def check_period(first: date | None, last: date | None) -> None:
    """A period of creation dates: ordered, within sane days, at most 50 years long.
    Raises InvalidValue beside the field at fault (``created_from``/``created_until``)."""
    for day, name in ((first, "created_from"), (last, "created_until")):
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            raise InvalidValue(_l("Please give a valid date."), field=name)
    if first is None or last is None:
        return
    if last < first:
        raise InvalidValue(
            _l("This date comes before the start of the period."), field="created_until"
        )
    if (last - first).days > MAX_PERIOD_YEARS * 365.25:
        raise InvalidValue(
            _l("A period may last %(years)d years at most.", years=MAX_PERIOD_YEARS),
            field="created_until",
        )


def person_id(session: Session, uid: str | None) -> int | None:
    """The user with this CAS uid, for the people filters; None if nobody (or if the
    text could be no uid at all)."""
    uid = (uid or "").strip()
    if not uid or len(uid) > 255 or not uid.isprintable():
        return None
    return session.scalar(sa.select(User.id).where(User.uid == uid))


def _category_and_below(session: Session, category_id: int) -> list[int]:
    category = session.get(Category, category_id)
    found, todo = [], [category] if category else []
    while todo:
        node = todo.pop()
        found.append(node.id)
        todo += node.children
    return found or [category_id]


def _filter_clauses(session: Session, user: User | None, filters: SearchFilters) -> list:
    clauses = []
    statuses = KIND_STATUSES.get(filters.kind)
    if statuses is not None:
        clauses.append(Ticket.status.in_(sorted(statuses)))
    if filters.department_id is not None:
        clauses.append(Ticket.department_id == filters.department_id)
    if filters.category_id is not None:
        clauses.append(Ticket.category_id.in_(_category_and_below(session, filters.category_id)))
    if filters.created_from is not None:
        clauses.append(Ticket.created_at >= filters.created_from)
    if filters.created_until is not None:
        clauses.append(Ticket.created_at < filters.created_until)
    people = (filters.owner_id, filters.manager_id, filters.involved_id)
    if any(person is not None for person in people) and is_manager(session, user):
        if filters.owner_id is not None:
            clauses.append(Ticket.owner_id == filters.owner_id)
        if filters.manager_id is not None:
            clauses.append(Ticket.manager_id == filters.manager_id)
        if filters.involved_id is not None:
            invited = sa.select(Invitation.ticket_id).where(
                Invitation.user_id == filters.involved_id
            )
            clauses.append(
                sa.or_(
                    Ticket.owner_id == filters.involved_id,
                    Ticket.manager_id == filters.involved_id,
                    Ticket.id.in_(invited),
                )
            )
    return clauses


def words_condition(
    query: AllOf, holds: Callable[[Term], sa.ColumnElement[bool]]
) -> sa.ColumnElement[bool]:
    """The query as a condition, given how one term is held (tickets, FAQ entries…):
    every part holds; an OR part, one of its terms; a -term, not that term."""

    def render(part) -> sa.ColumnElement[bool]:
        if isinstance(part, AnyOf):
            return sa.or_(*map(holds, part.terms))
        if isinstance(part, Not):
            return sa.not_(holds(part.term))
        return holds(part)

    return sa.and_(sa.true(), *map(render, query.parts))


def _visibility(session: Session, user: User | None) -> sa.ColumnElement[bool]:
    """Which tickets ``user`` may open, in the shape that reads least: the list of their
    ids when they are few (a requester's), else a test on each ticket met (a service's
    people, walking the newest tickets first)."""
    sets = visible_ticket_sets(user)
    if sets is None:
        return sa.true()
    if count_at_most(session, sa.union_all(*sets), FEW_VISIBLE) < FEW_VISIBLE:
        return Ticket.id.in_(sa.union(*sets))
    return visible_tickets_clause(user)


def _found_in_ticket(engine, user: User | None, term: Term) -> sa.ColumnElement[bool]:
    """Does this ticket (the outer one) hold ``term`` where ``user`` may read it? Tested
    ticket by ticket: cheap for the few tickets another condition has already chosen."""
    readable_entry = (
        sa.select(TicketEvent.id)
        .where(
            TicketEvent.ticket_id == Ticket.id, engine.entry_has(term), visible_events_clause(user)
        )
        .exists()
    )
    return sa.or_(engine.subject_has(term), readable_entry)


def _holders(engine, user: User | None, term: Term) -> sa.ColumnElement[bool]:
    """The tickets holding ``term`` where ``user`` may read it, as one set found through
    the index: the database starts from the few tickets that hold a rare word."""
    readable_entries = (
        sa.select(TicketEvent.ticket_id)
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .where(engine.entry_has(term), visible_events_clause(user))
        .correlate(None)
    )
    holders = sa.union(engine.subject_holders(term).correlate(None), readable_entries)
    return Ticket.id.in_(holders)


def _rarest(session: Session, engine, query: AllOf) -> Term | None:
    """The required term held in the fewest places, if it is rare enough to start from."""
    counted = [
        (engine.holders_at_most(session, part, COMMON_HOLDERS), part)
        for part in query.parts
        if isinstance(part, Term)
    ]
    fewest = min(counted, key=lambda pair: pair[0], default=None)
    return fewest[1] if fewest is not None and fewest[0] < COMMON_HOLDERS else None


def _words_clauses(engine, user: User | None, query: AllOf, start: Term | None) -> list:
    """The query as conditions on a ticket, over what ``user`` may read of it: the term
    started from as a set of holders, every other part tested ticket by ticket where the
    engine can (PostgreSQL), else as sets of holders too (SQLite)."""

    def holds(term: Term) -> sa.ColumnElement[bool]:
        if engine.tests_each_ticket:
            return _found_in_ticket(engine, user, term)
        return _holders(engine, user, term)

    rest = AllOf(tuple(part for part in query.parts if part != start))
    clauses = [words_condition(rest, holds)]
    if start is not None:
        clauses.append(_holders(engine, user, start))
    return clauses


def search(
    session: Session,
    user: User | None,
    query: AllOf,
    filters: SearchFilters | None = None,
    *,
    page: int = 1,
    size: int = PAGE_SIZE,
) -> Results:
    """The page ``page`` of the tickets ``user`` may open that match ``query`` and
    ``filters``, best first (newest first when no word is asked for).

    With a rare word, every ticket holding it is counted and ranked. Without one (only
    common words, or filters alone), the newest ``MOST_FOUND`` matches are: the search
    walks the user's tickets newest first and stops there, rather than gathering the
    hundred thousand tickets that say « imprimante » (``Results.more``)."""
    if filters is not None and filters.kind is SearchKind.FAQ:
        return Results([], 0, 1, size)  # FAQ entries only: models/search/faq.py
    engine = engine_for(session)
    clauses = [
        _visibility(session, user),
        *_filter_clauses(session, user, filters or SearchFilters()),
    ]
    start = _rarest(session, engine, query)
    clauses += _words_clauses(engine, user, query, start)
    matching = sa.select(Ticket.id).where(*clauses).correlate(None)
    more = False
    if start is None:
        matching = matching.order_by(Ticket.id.desc()).limit(MOST_FOUND + 1)
        newest = session.scalars(matching).all()
        more = len(newest) > MOST_FOUND
        matching = newest[:MOST_FOUND]
        total = len(matching)
    else:
        total = session.scalar(sa.select(sa.func.count()).select_from(matching.subquery()))
    number = shown_page(page, total, size)

    wanted = query.wanted
    listed = sa.select(Ticket).where(Ticket.id.in_(matching))
    order = [Ticket.last_action_at.desc(), Ticket.id.desc()]
    if wanted:
        subject = engine.subject_scores(wanted, matching)
        among = (TicketEvent.ticket_id.in_(matching), Ticket.id.in_(matching))
        entries = engine.entry_scores(wanted, visible_events_clause(user), *among)
        score = sa.func.coalesce(subject.c.score, 0) + sa.func.coalesce(entries.c.score, 0)
        listed = listed.outerjoin(subject, subject.c.ticket_id == Ticket.id).outerjoin(
            entries, entries.c.ticket_id == Ticket.id
        )
        order.insert(0, score.desc())
    tickets = session.scalars(
        listed.order_by(*order).offset((number - 1) * size).limit(size).options(*TICKET_ROW_LOADS)
    ).all()
    hits = _hits(session, engine, user, tickets, wanted)
    return Results(hits, total, number, size, more=more)


def _hits(session: Session, engine, user: User | None, tickets, wanted: list[Term]) -> list[Hit]:
    if not tickets or not wanted:
        return [Hit(ticket, [(ticket.subject, False)]) for ticket in tickets]
    extracts = engine.extracts(
        session, [ticket.id for ticket in tickets], wanted, visible_events_clause(user)
    )
    # Subjects are shown whole, as written, marked in Python on both engines
    # (PostgreSQL's ts_headline leaves out what looks like a tag: « Erreur <404> »).
    return [
        Hit(
            ticket,
            segments(highlight_document(ticket.subject, wanted, whole=True)),
            segments(extracts.get(ticket.id)),
        )
        for ticket in tickets
    ]
