"""Lists of tickets: the user's dashboard and the search. Permissions are part of
each query, so nobody counts or pages over what they may not read."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from .enums import FINAL_STATUSES, OPEN_STATUSES, Status
from .history import TicketEvent
from .involvement import Invitation, Monitor
from .permissions import visible_events_clause, visible_tickets_clause
from .tickets import Ticket
from .users import User

PAGE_SIZE = 20
MAX_WORDS, MAX_WORD_LENGTH = 10, 100


class StatusFilter(enum.StrEnum):
    OPEN = "open"
    AWAITING_APPROVAL = "approval"
    CLOSED = "closed"
    ANY = "any"


class Involvement(enum.StrEnum):
    MINE = "mine"  # owner, invited or monitored
    OWNER = "owner"
    INVITED = "invited"
    MONITORED = "monitored"


STATUS_GROUPS = {
    StatusFilter.OPEN: OPEN_STATUSES,
    StatusFilter.AWAITING_APPROVAL: frozenset({Status.CLOSED}),
    StatusFilter.CLOSED: FINAL_STATUSES,
}


@dataclass
class Page:
    items: list[Ticket]
    total: int
    number: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))


def parse_choice(enum_class, value, default):
    try:
        return enum_class(value)
    except ValueError:
        return default


def _status_clause(status: StatusFilter):
    group = STATUS_GROUPS.get(status)
    return sa.true() if group is None else Ticket.status.in_(sorted(group))


def _involvement_clause(user: User, involvement: Involvement):
    owner = Ticket.owner_id == user.id
    invited = Ticket.id.in_(sa.select(Invitation.ticket_id).where(Invitation.user_id == user.id))
    monitored = Ticket.id.in_(sa.select(Monitor.ticket_id).where(Monitor.user_id == user.id))
    return {
        Involvement.OWNER: owner,
        Involvement.INVITED: invited,
        Involvement.MONITORED: monitored,
        Involvement.MINE: sa.or_(owner, invited, monitored),
    }[involvement]


def _page(session: Session, query, number: int, size: int) -> Page:
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    pages = max(1, math.ceil(total / size))
    number = min(max(1, number), pages)
    items = session.scalars(
        query.order_by(Ticket.last_action_at.desc(), Ticket.id.desc())
        .offset((number - 1) * size)
        .limit(size)
        .options(
            selectinload(Ticket.department),
            selectinload(Ticket.category),
            selectinload(Ticket.manager),
        )
    ).all()
    return Page(list(items), total, number, size)


def my_tickets(
    session: Session,
    user: User,
    *,
    status: StatusFilter = StatusFilter.OPEN,
    involvement: Involvement = Involvement.MINE,
    page: int = 1,
    size: int = PAGE_SIZE,
) -> Page:
    """« Tableau de bord »: the tickets this user owns, is invited to or monitors."""
    query = sa.select(Ticket).where(
        _involvement_clause(user, involvement),
        _status_clause(status),
        visible_tickets_clause(user),
    )
    return _page(session, query, page, size)


def search_words(text: str) -> list[str]:
    words = [word[:MAX_WORD_LENGTH] for word in (text or "").split()]
    return words[:MAX_WORDS]


def _like(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_tickets(
    session: Session,
    user: User,
    text: str,
    *,
    status: StatusFilter = StatusFilter.ANY,
    page: int = 1,
    size: int = PAGE_SIZE,
) -> Page:
    """« Recherche »: tickets this user may open whose subject or readable messages
    hold every word."""
    query = sa.select(Ticket).where(visible_tickets_clause(user), _status_clause(status))
    for word in search_words(text):
        pattern = _like(word)
        in_messages = (
            sa.select(TicketEvent.id)
            .where(
                TicketEvent.ticket_id == Ticket.id,
                TicketEvent.message.ilike(pattern, escape="\\"),
                visible_events_clause(user),
            )
            .exists()
        )
        query = query.where(sa.or_(Ticket.subject.ilike(pattern, escape="\\"), in_messages))
    return _page(session, query, page, size)
