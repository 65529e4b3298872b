"""Scheduled work: expiring closures nobody approved, recalling postponed tickets.

Each ticket is handled in its own transaction, locked with SKIP LOCKED on
PostgreSQL and guarded by its version everywhere, so the same batch may run on
several hosts at once: every ticket is expired or recalled exactly once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .db import utcnow
from .enums import Action, Status
from .errors import NotAllowed, TicketChanged
from .operations import act
from .services import Category
from .tickets import Ticket


@dataclass
class BatchResult:
    done: int = 0
    skipped: int = 0  # taken meanwhile by another host, or no longer due


def _run(session: Session, ticket_ids: list[int], action: Action, now: datetime) -> BatchResult:
    result = BatchResult()
    for ticket_id in ticket_ids:
        try:
            act(session, ticket_id, action, user=None, now=now, lock=True)
            result.done += 1
        except (TicketChanged, NotAllowed):
            result.skipped += 1
    return result


def expiry_candidates(session: Session, now: datetime) -> list[int]:
    """Tickets in « Clos » for longer than their category's expiry delay (0: never)."""
    categories_by_delay: dict[int, list[int]] = defaultdict(list)
    for category in session.scalars(sa.select(Category)):
        categories_by_delay[category.effective("expiry_days")].append(category.id)
    categories_by_delay.pop(0, None)
    ids: list[int] = []
    for days, category_ids in sorted(categories_by_delay.items()):
        ids += session.scalars(
            sa.select(Ticket.id).where(
                Ticket.status == Status.CLOSED,
                Ticket.category_id.in_(category_ids),
                Ticket.last_action_at <= now - timedelta(days=days),
            )
        )
    session.rollback()  # end the read; each ticket gets its own transaction
    return sorted(ids)


def expire_due_tickets(session: Session, *, now: datetime | None = None) -> BatchResult:
    now = now or utcnow()
    return _run(session, expiry_candidates(session, now), Action.EXPIRE, now)


def recall_due_tickets(session: Session, *, now: datetime | None = None) -> BatchResult:
    """« Reporté » tickets whose recall date has come go back to « En cours »."""
    now = now or utcnow()
    ids = list(
        session.scalars(
            sa.select(Ticket.id)
            .where(Ticket.status == Status.POSTPONED, Ticket.recall_at <= now)
            .order_by(Ticket.id)
        )
    )
    session.rollback()
    return _run(session, ids, Action.CANCEL_POSTPONEMENT, now)
