"""What each user keeps track of: bookmarks, recently viewed tickets, read markers
and explicit monitoring. None of these is an action on the ticket: they write no
history and tell nobody. Callers commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .db import utcnow
from .errors import NotAllowed
from .involvement import Bookmark, Monitor, ReadMarker, RecentView
from .permissions import can_see_subject, can_view
from .tickets import Ticket
from .users import User

DEFAULT_RECENT_VIEWS = 25


def _upsert(session: Session, model, values: dict, update: dict) -> None:
    """Insert, or update the existing (user, ticket) row: safe when two tabs race."""
    dialect = session.get_bind().dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
    statement = insert(model).values(**values)
    if update:
        statement = statement.on_conflict_do_update(
            index_elements=["user_id", "ticket_id"], set_=update
        )
    else:
        statement = statement.on_conflict_do_nothing(index_elements=["user_id", "ticket_id"])
    session.execute(statement)


def record_view(
    session: Session,
    user: User,
    ticket: Ticket,
    *,
    now: datetime | None = None,
    keep: int = DEFAULT_RECENT_VIEWS,
) -> None:
    """The user opened the ticket: it heads their history, and it is read."""
    if not can_view(user, ticket):
        raise NotAllowed()
    now = now or utcnow()
    keys = {"user_id": user.id, "ticket_id": ticket.id}
    _upsert(session, RecentView, {**keys, "viewed_at": now}, {"viewed_at": now})
    newest = (
        sa.select(RecentView.id)
        .where(RecentView.user_id == user.id)
        .order_by(RecentView.viewed_at.desc(), RecentView.id.desc())
        .limit(keep)
    )
    session.execute(
        sa.delete(RecentView).where(RecentView.user_id == user.id, RecentView.id.not_in(newest))
    )
    mark_read(session, user, ticket, now=now)


def recent_tickets(session: Session, user: User) -> list[Ticket]:
    return _linked_tickets(session, RecentView, user, RecentView.viewed_at)


def clear_recent_views(session: Session, user: User) -> None:
    session.execute(sa.delete(RecentView).where(RecentView.user_id == user.id))


def set_bookmark(session: Session, user: User, ticket: Ticket, bookmarked: bool) -> None:
    _set_link(session, Bookmark, user, ticket, bookmarked)


def is_bookmarked(session: Session, user: User, ticket: Ticket) -> bool:
    return _has_link(session, Bookmark, user, ticket)


def bookmarked_tickets(session: Session, user: User) -> list[Ticket]:
    return _linked_tickets(session, Bookmark, user, Bookmark.created_at)


def set_monitoring(session: Session, user: User, ticket: Ticket, monitored: bool) -> None:
    """« Surveiller ce ticket »: only for tickets the user may open."""
    if monitored and not can_view(user, ticket):
        raise NotAllowed()
    _set_link(session, Monitor, user, ticket, monitored)


def is_monitored(session: Session, user: User, ticket: Ticket) -> bool:
    return _has_link(session, Monitor, user, ticket)


def mark_read(session: Session, user: User, ticket: Ticket, *, now: datetime | None = None) -> None:
    now = now or utcnow()
    keys = {"user_id": user.id, "ticket_id": ticket.id}
    _upsert(session, ReadMarker, {**keys, "read_at": now}, {"read_at": now})


def mark_unread(session: Session, user: User, ticket: Ticket) -> None:
    session.execute(
        sa.delete(ReadMarker).where(
            ReadMarker.user_id == user.id, ReadMarker.ticket_id == ticket.id
        )
    )


def unread_ticket_ids(session: Session, user: User, ticket_ids: Iterable[int]) -> set[int]:
    """Among these tickets, those that changed since this user last read them."""
    ids = list(ticket_ids)
    if not ids:
        return set()
    query = (
        sa.select(Ticket.id)
        .outerjoin(
            ReadMarker, (ReadMarker.ticket_id == Ticket.id) & (ReadMarker.user_id == user.id)
        )
        .where(Ticket.id.in_(ids))
        .where((ReadMarker.id.is_(None)) | (Ticket.last_action_at > ReadMarker.read_at))
    )
    return set(session.scalars(query))


def bookmarked_ticket_ids(session: Session, user: User, ticket_ids: Iterable[int]) -> set[int]:
    """Among these tickets, those in this user's bookmarks (one query for a whole list)."""
    ids = list(ticket_ids)
    if not ids:
        return set()
    query = sa.select(Bookmark.ticket_id).where(
        Bookmark.user_id == user.id, Bookmark.ticket_id.in_(ids)
    )
    return set(session.scalars(query))


def _set_link(session: Session, model, user: User, ticket: Ticket, on: bool) -> None:
    if on:
        if not can_see_subject(user, ticket):
            raise NotAllowed()
        _upsert(session, model, {"user_id": user.id, "ticket_id": ticket.id}, {})
    else:
        session.execute(
            sa.delete(model).where(model.user_id == user.id, model.ticket_id == ticket.id)
        )


def _has_link(session: Session, model, user: User, ticket: Ticket) -> bool:
    query = sa.select(model.id).where(model.user_id == user.id, model.ticket_id == ticket.id)
    return session.execute(query).first() is not None


def _linked_tickets(session: Session, model, user: User, newest_first) -> list[Ticket]:
    """The user's tickets through ``model``, newest first, that they may still see."""
    query = (
        sa.select(Ticket)
        .join(model, model.ticket_id == Ticket.id)
        .where(model.user_id == user.id)
        .order_by(newest_first.desc(), model.id.desc())
    )
    return [ticket for ticket in session.scalars(query) if can_see_subject(user, ticket)]
