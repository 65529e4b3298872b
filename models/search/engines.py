"""The query tree rendered for each engine. Only the tree's words reach the database,
always as bound parameters: on PostgreSQL through ``phraseto_tsquery`` (which reads
plain text, never operators), on SQLite as quoted FTS5 strings of stems.

Each engine answers the same questions about one term (« which tickets' subjects hold
it? », « does this entry hold it? », « which FAQ entries hold it? ») and scores a list of
terms; ``query`` and ``faq`` combine the answers with AND, OR and NOT over what the user
may read.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import reduce

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from ..attachments import Attachment
from ..faq.entries import FaqEntry
from ..history import TicketEvent
from ..tickets import Ticket
from .columns import ts_config
from .schema import FTS_TABLES
from .snippets import START, STOP, highlight_document, unmark
from .syntax import Term
from .text import stem

EXTRACT_OPTIONS = (
    f'StartSel="{START}", StopSel="{STOP}", MaxWords=30, MinWords=12, ShortWord=2, '
    'MaxFragments=2, FragmentDelimiter=" … "'
)


def _event_text() -> sa.ColumnElement[str]:
    """What an entry shows of itself: its message and the name of its file."""
    return sa.func.trim(
        sa.func.coalesce(TicketEvent.message, "")
        + " "
        + sa.func.coalesce(Attachment.original_name, "")
    )


class Postgres:
    """tsvector columns under GIN indexes; ts_rank scores, ts_headline extracts (which
    leave out what looks like an HTML tag)."""

    # A tsvector is tested in place, row by row: cheap for the tickets already chosen.
    tests_each_ticket = True

    def _query(self, term: Term) -> sa.ColumnElement:
        return sa.func.phraseto_tsquery(ts_config(), sa.literal(str(term), sa.Text))

    def _any(self, terms: Sequence[Term]) -> sa.ColumnElement:
        return reduce(
            lambda a, b: a.op("||", return_type=postgresql.TSQUERY)(b), map(self._query, terms)
        )

    def subject_holders(self, term: Term) -> sa.Select:
        return sa.select(Ticket.id).where(self.subject_has(term))

    def subject_has(self, term: Term) -> sa.ColumnElement[bool]:
        return Ticket.search_terms.bool_op("@@")(self._query(term))

    def entry_has(self, term: Term) -> sa.ColumnElement[bool]:
        return TicketEvent.search_terms.bool_op("@@")(self._query(term))

    def holders_at_most(self, session: Session, term: Term, most: int) -> int:
        """How many subjects and entries hold ``term``, counted up to ``most`` each:
        read from the GIN indexes, whoever may read them."""
        return sum(
            count_at_most(
                session, sa.select(column).where(column.bool_op("@@")(self._query(term))), most
            )
            for column in (Ticket.search_terms, TicketEvent.search_terms)
        )

    def subject_scores(self, terms: Sequence[Term], among) -> sa.Subquery:
        """Scores of the subjects of the tickets ``among`` (ids) that hold a term."""
        query = self._any(terms)
        return (
            sa.select(
                Ticket.id.label("ticket_id"),
                sa.func.ts_rank(Ticket.search_terms, query).label("score"),
            )
            .where(Ticket.search_terms.bool_op("@@")(query), Ticket.id.in_(among))
            .subquery()
        )

    def faq_holders(self, term: Term) -> sa.Select:
        return sa.select(FaqEntry.id).where(FaqEntry.search_terms.bool_op("@@")(self._query(term)))

    def faq_scores(self, terms: Sequence[Term]) -> sa.Subquery:
        query = self._any(terms)
        return (
            sa.select(
                FaqEntry.id.label("entry_id"),
                sa.func.ts_rank(FaqEntry.search_terms, query).label("score"),
            )
            .where(FaqEntry.search_terms.bool_op("@@")(query))
            .subquery()
        )

    def entry_scores(self, terms: Sequence[Term], *where) -> sa.Subquery:
        """Per ticket, the best score of its entries that pass ``where`` (which names the
        few tickets ranked). No ``@@`` test: an entry without the terms scores 0, and
        the GIN index would only add every entry holding a common word."""
        query = self._any(terms)
        return (
            sa.select(
                TicketEvent.ticket_id.label("ticket_id"),
                sa.func.max(sa.func.ts_rank(TicketEvent.search_terms, query)).label("score"),
            )
            .join(Ticket, Ticket.id == TicketEvent.ticket_id)
            .where(*where)
            .group_by(TicketEvent.ticket_id)
            .subquery()
        )

    def extracts(self, session: Session, ids, terms, *where) -> dict[int, str]:
        """Per ticket, the best entry holding a term, as a marked extract."""
        query = self._any(terms)
        ranked = (
            sa.select(
                TicketEvent.id,
                sa.func.row_number()
                .over(
                    partition_by=TicketEvent.ticket_id,
                    order_by=(
                        sa.func.ts_rank(TicketEvent.search_terms, query).desc(),
                        TicketEvent.id.desc(),
                    ),
                )
                .label("place"),
            )
            .join(Ticket, Ticket.id == TicketEvent.ticket_id)
            .where(
                TicketEvent.ticket_id.in_(ids),
                TicketEvent.search_terms.bool_op("@@")(query),
                *where,
            )
            .subquery()
        )
        headline = sa.func.ts_headline(ts_config(), unmark(_event_text()), query, EXTRACT_OPTIONS)
        rows = session.execute(
            sa.select(TicketEvent.ticket_id, headline)
            .join(ranked, ranked.c.id == TicketEvent.id)
            .outerjoin(Attachment, Attachment.id == TicketEvent.attachment_id)
            .where(ranked.c.place == 1)
        ).all()
        return dict(rows)


def _fts(table: str) -> sa.TableClause:
    return sa.table(
        FTS_TABLES[table], sa.column("rowid"), sa.column("search_terms"), sa.column("rank")
    )


TICKETS_FTS, EVENTS_FTS = _fts("tickets"), _fts("ticket_events")
FAQ_FTS = _fts("faq_entries")


def fts_phrase(term: Term) -> str:
    """An FTS5 string: stems in a row, quoted, so FTS5 reads no operator in it."""
    stems = " ".join(stem(word) for word in term.words)
    return '"' + stems.replace('"', '""') + '"'


class SQLite:
    """FTS5 tables over the stems; bm25 scores (FTS5's ``rank``), Python extracts."""

    # FTS5 answers « which rows hold it? », not « does this row? »: a term is always
    # a set of holders, gathered once per query.
    tests_each_ticket = False

    def _any(self, terms: Sequence[Term]) -> str:
        return " OR ".join(fts_phrase(term) for term in terms)

    def subject_holders(self, term: Term) -> sa.Select:
        return sa.select(TICKETS_FTS.c.rowid).where(
            TICKETS_FTS.c.search_terms.match(fts_phrase(term))
        )

    def subject_has(self, term: Term) -> sa.ColumnElement[bool]:
        return Ticket.id.in_(self.subject_holders(term))

    def entry_has(self, term: Term) -> sa.ColumnElement[bool]:
        found = sa.select(EVENTS_FTS.c.rowid).where(
            EVENTS_FTS.c.search_terms.match(fts_phrase(term))
        )
        return TicketEvent.id.in_(found)

    def holders_at_most(self, session: Session, term: Term, most: int) -> int:
        return sum(
            count_at_most(
                session,
                sa.select(fts.c.rowid).where(fts.c.search_terms.match(fts_phrase(term))),
                most,
            )
            for fts in (TICKETS_FTS, EVENTS_FTS)
        )

    def subject_scores(self, terms: Sequence[Term], among) -> sa.Subquery:
        # bm25 is lower for better matches.
        return (
            sa.select(TICKETS_FTS.c.rowid.label("ticket_id"), (-TICKETS_FTS.c.rank).label("score"))
            .where(
                TICKETS_FTS.c.search_terms.match(self._any(terms)), TICKETS_FTS.c.rowid.in_(among)
            )
            .subquery()
        )

    def faq_holders(self, term: Term) -> sa.Select:
        return sa.select(FAQ_FTS.c.rowid).where(FAQ_FTS.c.search_terms.match(fts_phrase(term)))

    def faq_scores(self, terms: Sequence[Term]) -> sa.Subquery:
        return (
            sa.select(FAQ_FTS.c.rowid.label("entry_id"), (-FAQ_FTS.c.rank).label("score"))
            .where(FAQ_FTS.c.search_terms.match(self._any(terms)))
            .subquery()
        )

    def entry_scores(self, terms: Sequence[Term], *where) -> sa.Subquery:
        return (
            sa.select(
                TicketEvent.ticket_id.label("ticket_id"),
                sa.func.max(-EVENTS_FTS.c.rank).label("score"),
            )
            .join(EVENTS_FTS, EVENTS_FTS.c.rowid == TicketEvent.id)
            .join(Ticket, Ticket.id == TicketEvent.ticket_id)
            .where(EVENTS_FTS.c.search_terms.match(self._any(terms)), *where)
            .group_by(TicketEvent.ticket_id)
            .subquery()
        )

    def extracts(self, session: Session, ids, terms, *where) -> dict[int, str]:
        rows = session.execute(
            sa.select(TicketEvent.ticket_id, _event_text())
            .join(EVENTS_FTS, EVENTS_FTS.c.rowid == TicketEvent.id)
            .join(Ticket, Ticket.id == TicketEvent.ticket_id)
            .outerjoin(Attachment, Attachment.id == TicketEvent.attachment_id)
            .where(
                TicketEvent.ticket_id.in_(ids),
                EVENTS_FTS.c.search_terms.match(self._any(terms)),
                *where,
            )
            .order_by(EVENTS_FTS.c.rank, TicketEvent.id.desc())
        )
        best: dict[int, str] = {}
        for ticket_id, text in rows:
            best.setdefault(ticket_id, text)
        return {ticket_id: highlight_document(text, terms) for ticket_id, text in best.items()}


def count_at_most(session: Session, rows: sa.Select, most: int) -> int:
    """How many rows, counted up to ``most``: the database stops there."""
    return session.scalar(sa.select(sa.func.count()).select_from(rows.limit(most).subquery()))


def engine_for(session: Session) -> Postgres | SQLite:
    name = session.get_bind().dialect.name
    return Postgres() if name == "postgresql" else SQLite()
