"""The index follows every change in the flush that makes it: a new ticket, a new
subject, a new entry (comment, file…), a FAQ entry added or changed are searchable when
their transaction commits, and never before."""

from __future__ import annotations

import sqlalchemy as sa

from ..faq.entries import FaqEntry
from ..faq.rendering import plain_text
from ..history import TicketEvent
from ..tickets import Ticket


def ticket_document(ticket: Ticket) -> str:
    return ticket.subject or ""


def entry_text(message: str | None, file_name: str | None = None) -> str:
    """An entry is found by its message and by the name of the file it attached or
    deleted: both are shown in the history to those who may read the entry."""
    return " ".join(part for part in (message, file_name) if part)


def event_document(event: TicketEvent) -> str:
    attachment = event.attachment
    return entry_text(event.message, attachment.original_name if attachment else None)


def faq_document(title: str | None, body: str | None) -> str:
    """A FAQ entry is found by its title and by the words its text shows (not by its
    Markdown or HTML)."""
    return f"{title or ''}\n{plain_text(body)}"


def _changed(target, *names: str) -> bool:
    state = sa.inspect(target)
    return any(state.attrs[name].history.has_changes() for name in names)


@sa.event.listens_for(Ticket, "before_insert")
def _index_new_ticket(_mapper, _connection, ticket: Ticket) -> None:
    ticket.search_terms = ticket_document(ticket)


@sa.event.listens_for(Ticket, "before_update")
def _index_changed_ticket(_mapper, _connection, ticket: Ticket) -> None:
    if _changed(ticket, "subject"):
        ticket.search_terms = ticket_document(ticket)


@sa.event.listens_for(TicketEvent, "before_insert")
def _index_new_event(_mapper, _connection, event: TicketEvent) -> None:
    event.search_terms = event_document(event)


@sa.event.listens_for(TicketEvent, "before_update")
def _index_changed_event(_mapper, _connection, event: TicketEvent) -> None:
    if _changed(event, "message", "attachment_id", "attachment"):
        event.search_terms = event_document(event)


@sa.event.listens_for(FaqEntry, "before_insert")
def _index_new_faq_entry(_mapper, _connection, entry: FaqEntry) -> None:
    entry.search_terms = faq_document(entry.title, entry.body)


@sa.event.listens_for(FaqEntry, "before_update")
def _index_changed_faq_entry(_mapper, _connection, entry: FaqEntry) -> None:
    if _changed(entry, "title", "body"):
        entry.search_terms = faq_document(entry.title, entry.body)
