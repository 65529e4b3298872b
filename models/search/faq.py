"""« Recherche » in the FAQ: the entries a user may read that hold the words asked for.

As for tickets (``query``), permissions are part of the query: an entry is counted,
ranked and paged only when the user may read it (``readable_clause``). The filters that
make sense for an entry apply: its service, the categories it is shown for (with those
under them), its creation date; the people filters concern tickets only, so with one
of them no entry is found.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from ..faq.access import readable_clause
from ..faq.entries import FaqEntry, faq_entry_categories
from ..faq.rendering import plain_text
from ..paging import shown_page
from ..users import User
from .engines import engine_for
from .query import (
    PAGE_SIZE,
    Results,
    SearchFilters,
    SearchKind,
    _category_and_below,
    words_condition,
)
from .snippets import Segment, highlight_document, segments
from .syntax import AllOf, Term


@dataclass
class FaqHit:
    """One FAQ entry found: its title and an extract of its text, words found marked."""

    entry: FaqEntry
    title: list[Segment]
    extract: list[Segment] = field(default_factory=list)
    kind: str = "faq"


def looks_in_faq(filters: SearchFilters) -> bool:
    """Do these filters let FAQ entries in (everything, or the FAQ alone, for no one)?"""
    people = (filters.owner_id, filters.manager_id, filters.involved_id)
    return filters.kind in (SearchKind.ALL, SearchKind.FAQ) and all(p is None for p in people)


def _filter_clauses(session: Session, filters: SearchFilters) -> list:
    clauses = []
    if filters.department_id is not None:
        clauses.append(FaqEntry.department_id == filters.department_id)
    if filters.category_id is not None:
        shown_for = sa.select(faq_entry_categories.c.entry_id).where(
            faq_entry_categories.c.category_id.in_(
                _category_and_below(session, filters.category_id)
            )
        )
        clauses.append(FaqEntry.id.in_(shown_for))
    if filters.created_from is not None:
        clauses.append(FaqEntry.created_at >= filters.created_from)
    if filters.created_until is not None:
        clauses.append(FaqEntry.created_at < filters.created_until)
    return clauses


def _words_clause(engine, query: AllOf) -> sa.ColumnElement[bool]:
    def holds(term: Term) -> sa.ColumnElement[bool]:
        return FaqEntry.id.in_(engine.faq_holders(term).correlate(None))

    return words_condition(query, holds)


def search_faq(
    session: Session,
    user: User | None,
    query: AllOf,
    filters: SearchFilters | None = None,
    *,
    page: int = 1,
    size: int = PAGE_SIZE,
) -> Results:
    """The page ``page`` of the FAQ entries ``user`` may read that match ``query`` and
    ``filters``, best first (latest changed first when no word is asked for)."""
    filters = filters or SearchFilters()
    if not looks_in_faq(filters):
        return Results([], 0, 1, size)
    engine = engine_for(session)
    clauses = [
        readable_clause(user),
        *_filter_clauses(session, filters),
        _words_clause(engine, query),
    ]
    matching = sa.select(FaqEntry.id).where(*clauses).correlate(None)
    total = session.scalar(sa.select(sa.func.count()).select_from(matching.subquery()))
    number = shown_page(page, total, size)

    wanted = query.wanted
    listed = sa.select(FaqEntry).where(*clauses)
    order = [FaqEntry.updated_at.desc(), FaqEntry.id.desc()]
    if wanted:
        scores = engine.faq_scores(wanted)
        listed = listed.outerjoin(scores, scores.c.entry_id == FaqEntry.id)
        order.insert(0, sa.func.coalesce(scores.c.score, 0).desc())
    entries = session.scalars(
        listed.order_by(*order)
        .offset((number - 1) * size)
        .limit(size)
        .options(selectinload(FaqEntry.department))
    ).all()
    hits = [
        FaqHit(
            entry,
            segments(highlight_document(entry.title, wanted, whole=True)),
            segments(highlight_document(plain_text(entry.body), wanted)),
        )
        for entry in entries
    ]
    return Results(hits, total, number, size)
