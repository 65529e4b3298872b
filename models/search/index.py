"""Rebuilding the whole index (``assistance search reindex``): after changing how
words are split or stemmed, or to repair SQLite's FTS5 tables and triggers."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..attachments import Attachment
from ..faq.entries import FaqEntry
from ..history import TicketEvent
from ..tickets import Ticket
from .schema import FTS_TABLES, sqlite_ddl, sqlite_drop_ddl
from .upkeep import entry_text, faq_document

BATCH = 1000


def _documents(session: Session, table: str):
    """(id, searchable text) of every row of ``table``, a batch at a time."""
    if table == "tickets":
        key, query = Ticket.id, sa.select(Ticket.id, Ticket.subject)
    elif table == "faq_entries":
        key, query = FaqEntry.id, sa.select(FaqEntry.id, FaqEntry.title, FaqEntry.body)
    else:
        key = TicketEvent.id
        query = sa.select(TicketEvent.id, TicketEvent.message, Attachment.original_name).outerjoin(
            Attachment, Attachment.id == TicketEvent.attachment_id
        )
    document = faq_document if table == "faq_entries" else entry_text
    after = 0
    while True:
        rows = session.execute(query.where(key > after).order_by(key).limit(BATCH)).all()
        if not rows:
            return
        yield [(row[0], document(*row[1:])) for row in rows]
        after = rows[-1][0]


def rebuild(session: Session) -> dict[str, int]:
    """Index every ticket, entry and FAQ entry again, in the caller's transaction (which
    the caller commits): searches see the old index until then. Returns the rows indexed
    per table."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    if sqlite:  # the index is rebuilt below, in one go
        for table in FTS_TABLES:
            for statement in sqlite_drop_ddl(table):
                session.execute(sa.text(statement))
    counts = {}
    for model in (Ticket, TicketEvent, FaqEntry):
        table = model.__table__
        update = (
            sa.update(table)
            .where(table.c.id == sa.bindparam("row_id"))
            .values(search_terms=sa.bindparam("document", type_=table.c.search_terms.type))
        )
        counts[table.name] = 0
        for rows in _documents(session, table.name):
            session.execute(update, [{"row_id": key, "document": text} for key, text in rows])
            counts[table.name] += len(rows)
    if sqlite:
        for table, fts in FTS_TABLES.items():
            for statement in sqlite_ddl(table):
                session.execute(sa.text(statement))
            session.execute(sa.text(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')"))
    return counts
