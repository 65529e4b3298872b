"""Scheduled work: expiring closures nobody approved, reminding their owners before,
recalling postponed tickets, and queueing the managers' daily digests.

Each ticket is handled in its own transaction, locked with SKIP LOCKED on
PostgreSQL and guarded by its version everywhere, so the same batch may run on
several hosts at once: every ticket is expired or recalled exactly once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .db import utcnow
from .enums import Action, MailKind, Status
from .errors import NotAllowed, TicketChanged
from .history import TicketEvent
from .operations import act
from .outbox import OutboxMessage, Reason
from .services import Category, DepartmentManager
from .tickets import Ticket
from .transactions import begin_writing
from .users import User


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


DEFAULT_REMINDER_DAYS = 3


def expiry_date(ticket: Ticket) -> datetime | None:
    """When a « Clos » ticket nobody approves becomes « Expiré » (None: never)."""
    days = ticket.category.effective("expiry_days")
    if ticket.status is not Status.CLOSED or not days:
        return None
    return ticket.last_action_at + timedelta(days=days)


def _insert_ignoring_duplicates(session: Session, rows: list[dict], index: list[str], kind):
    """Insert outbox rows; those a unique index already holds are skipped, so a batch
    run twice, or on two hosts at once, queues each mail once."""
    if not rows:
        return 0
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[
        session.get_bind().dialect.name
    ]
    statement = (
        insert(OutboxMessage)
        .values(rows)
        .on_conflict_do_nothing(index_elements=index, index_where=sa.text(f"kind = '{kind.value}'"))
    )
    inserted = len(session.execute(statement.returning(OutboxMessage.id)).all())
    session.commit()
    return inserted


def remind_before_expiry(
    session: Session, *, days: int = DEFAULT_REMINDER_DAYS, now: datetime | None = None
) -> int:
    """Queue a reminder to the owner of each « Clos » ticket that expires within
    ``days``, once per closure: how many were queued."""
    now = now or utcnow()
    begin_writing(session)  # SQLite: read and insert under one write lock
    rows = []
    closed = session.scalars(sa.select(Ticket).where(Ticket.status == Status.CLOSED)).all()
    for ticket in closed:
        expires = expiry_date(ticket)
        owner = ticket.owner
        if expires is None or not now < expires <= now + timedelta(days=days):
            continue
        if not owner.email or not owner.preference("notify_expiry"):
            continue
        closure = session.scalar(
            sa.select(TicketEvent)
            .where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == Action.CLOSE)
            .order_by(TicketEvent.id.desc())  # the latest closure recorded
            .limit(1)
        )
        if closure is None:
            continue
        rows.append(
            {
                "kind": MailKind.EXPIRY_REMINDER,
                "event_id": closure.id,
                "ticket_id": ticket.id,
                "recipient_id": owner.id,
                "reason": Reason.OWNER,
                "created_at": now,
                "next_attempt_at": now,
            }
        )
    return _insert_ignoring_duplicates(
        session, rows, ["event_id", "recipient_id"], MailKind.EXPIRY_REMINDER
    )


def queue_digests(
    session: Session,
    *,
    zone: str = "Europe/Paris",
    now: datetime | None = None,
    wanted=None,
) -> int:
    """Queue today's digest for each manager whose hour has come (weekdays, unless
    they asked for weekends too), once a day: how many were queued.

    ``wanted(user, now)`` says whether there is anything to tell them (default: yes).
    """
    now = now or utcnow()
    local = now.astimezone(ZoneInfo(zone))
    begin_writing(session)
    managers = session.scalars(
        sa.select(User).where(User.id.in_(sa.select(DepartmentManager.user_id)))
    ).all()
    rows = []
    for user in managers:
        if not user.email or not user.preference("digest"):
            continue
        if local.weekday() >= 5 and not user.preference("digest_weekends"):
            continue
        if local.hour < int(user.preference("digest_hour")):
            continue
        if wanted is not None and not wanted(user, now):
            continue
        rows.append(
            {
                "kind": MailKind.DIGEST,
                "recipient_id": user.id,
                "reason": Reason.DIGEST,
                "digest_day": local.date(),
                "created_at": now,
                "next_attempt_at": now,
            }
        )
    return _insert_ignoring_duplicates(
        session, rows, ["recipient_id", "digest_day"], MailKind.DIGEST
    )
