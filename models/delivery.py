"""Delivering the outbox: claim due rows, group them into mails, record the outcome.

Several workers, on several hosts, may run at once. A claim takes rows with
FOR UPDATE SKIP LOCKED on PostgreSQL, and on both engines only rows still
unclaimed are marked with the worker's random claim, so a row is never sent by two
workers; a worker that dies leaves a lease that expires, and the rows are retried.
A failure is retried with backoff, then marked failed, where admins see it and may
send it again: nothing is dropped.

A claimed batch is loaded with everything writing its mails reads (the tickets, their
history, people, services and categories) in a few queries whatever its size, and the
mails done are recorded many at a time (``mark_done``): one UPDATE for a whole group.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload, selectinload

from .db import utcnow
from .enums import MailKind
from .history import TicketEvent
from .history_names import category_path, load_named_in_history
from .outbox import DeliveryState, OutboxMessage
from .services import Department
from .tickets import Ticket
from .transactions import begin_writing
from .users import User

# Actions of one author on one ticket this close together go out as one mail; rows
# wait this long before they are due, so that the later ones can join.
GROUP_SECONDS = 5
# How long a claim lasts: a worker that has not answered by then is presumed dead.
LEASE = timedelta(minutes=5)
# Waits between attempts (the last one repeats), and attempts before « failed ».
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
)
DEFAULT_MAX_ATTEMPTS = 8


@dataclass
class Mail:
    """One mail to write and send: rows for one recipient about one ticket (or one
    digest), claimed together."""

    claim: str
    rows: list[OutboxMessage] = field(default_factory=list)

    @property
    def first(self) -> OutboxMessage:
        return self.rows[0]

    @property
    def kind(self) -> MailKind:
        return self.first.kind

    @property
    def recipient(self) -> User | None:
        return self.first.recipient

    @property
    def address(self) -> str | None:
        """Where it goes: the user's address, or the bare address of a category."""
        if self.first.recipient is not None:
            return self.first.recipient.email
        return self.first.recipient_email

    @property
    def ticket(self) -> Ticket | None:
        return self.first.ticket

    @property
    def events(self) -> list[TicketEvent]:
        """The actions told, oldest first."""
        found = {row.event.id: row.event for row in self.rows if row.event is not None}
        return sorted(found.values(), key=lambda event: (event.created_at, event.id))

    @property
    def attempts(self) -> int:
        return max(row.attempts for row in self.rows)


def _claimable(now: datetime) -> sa.ColumnElement[bool]:
    due = (OutboxMessage.state == DeliveryState.PENDING) & (OutboxMessage.next_attempt_at <= now)
    abandoned = (OutboxMessage.state == DeliveryState.SENDING) & (OutboxMessage.lease_until < now)
    return due | abandoned


def _key(row: OutboxMessage) -> tuple:
    return (row.kind, row.recipient_id, row.recipient_email, row.ticket_id, row.digest_day)


def _grouped(rows: list[OutboxMessage], claim: str) -> list[Mail]:
    """Rows to the same recipient about the same ticket, whose actions are by one
    author and each within GROUP_SECONDS of the previous one, make one mail."""
    by_key: dict[tuple, list[OutboxMessage]] = defaultdict(list)
    for row in rows:
        by_key[_key(row)].append(row)
    mails: list[Mail] = []
    for same in by_key.values():
        same.sort(key=lambda r: (r.event.created_at if r.event else r.created_at, r.id))
        current: Mail | None = None
        for row in same:
            if current is not None and _joins(current.rows[-1], row):
                current.rows.append(row)
            else:
                current = Mail(claim)
                current.rows.append(row)
                mails.append(current)
    mails.sort(key=lambda mail: mail.first.id)
    return mails


def _joins(previous: OutboxMessage, row: OutboxMessage) -> bool:
    if row.kind is not MailKind.EVENT or previous.event is None or row.event is None:
        return False
    return (
        previous.event.author_id == row.event.author_id
        and row.event.created_at - previous.event.created_at <= timedelta(seconds=GROUP_SECONDS)
    )


def claim_due(session: Session, *, now: datetime | None = None, limit: int = 50) -> list[Mail]:
    """Claim up to ``limit`` due rows, with their not-yet-due companions (later actions
    of the same author on the same ticket, for the same recipient), and commit.

    Returns the mails to send; their rows are « sending » under a fresh claim.
    """
    now = now or utcnow()
    claim = secrets.token_hex(16)
    # A look first, that locks nothing: a worker with nothing to send never stands in a
    # writer's way (on SQLite the write lock is the whole database's).
    anything = session.scalar(sa.select(sa.exists().where(_claimable(now))))
    session.commit()
    if not anything:
        return []
    begin_writing(session)  # SQLite: take the write lock first, as PostgreSQL's row locks do
    due = session.scalars(
        sa.select(OutboxMessage)
        .where(_claimable(now))
        .order_by(OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    ids = {row.id for row in due}
    pairs = {(row.recipient_id, row.recipient_email, row.ticket_id) for row in due if row.ticket_id}
    if pairs:
        # Later actions, not due yet, that may join a due one: same recipient and ticket.
        companions = session.scalars(
            sa.select(OutboxMessage)
            .where(
                OutboxMessage.state == DeliveryState.PENDING,
                OutboxMessage.kind == MailKind.EVENT,
                OutboxMessage.ticket_id.in_({ticket_id for _, _, ticket_id in pairs}),
                OutboxMessage.next_attempt_at <= now + timedelta(seconds=GROUP_SECONDS),
            )
            .with_for_update(skip_locked=True)
        ).all()
        ids |= {
            row.id
            for row in companions
            if (row.recipient_id, row.recipient_email, row.ticket_id) in pairs
        }
    if not ids:
        session.rollback()
        return []
    # Only rows nobody claimed meanwhile change hands (SQLite has no row locks).
    session.execute(
        sa.update(OutboxMessage)
        .where(
            OutboxMessage.id.in_(ids),
            _claimable(now)
            | (
                (OutboxMessage.state == DeliveryState.PENDING)
                & (OutboxMessage.kind == MailKind.EVENT)
            ),
        )
        .values(
            state=DeliveryState.SENDING,
            claim=claim,
            lease_until=now + LEASE,
            attempts=OutboxMessage.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return _grouped(_load_claimed(session, claim), claim)


def _event_details() -> tuple:
    # In queries of their own: a history names few people, files and FAQ entries.
    return (
        selectinload(TicketEvent.author),
        selectinload(TicketEvent.attachment),
        selectinload(TicketEvent.faq_entry),
    )


def _load_claimed(session: Session, claim: str) -> list[OutboxMessage]:
    """The claimed rows with all that writing their mails reads, in a number of queries
    that does not grow with the rows: their recipients and tickets, and of each ticket
    its people, service (with its managers), category path, invitations and whole
    history (which each mail filters for its recipient), the rows' events among it."""
    ticket = joinedload(OutboxMessage.ticket)
    rows = session.scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.claim == claim)
        .options(
            # No loader for the rows' events: they come with their tickets' histories.
            joinedload(OutboxMessage.recipient),
            ticket.joinedload(Ticket.owner),
            ticket.joinedload(Ticket.manager),
            ticket.joinedload(Ticket.department).selectinload(Department.managers),
            ticket.joinedload(Ticket.category).options(category_path()),
            ticket.selectinload(Ticket.invitations),
            ticket.selectinload(Ticket.events).options(*_event_details()),
        )
        .execution_options(populate_existing=True)
    ).all()
    tickets = {row.ticket for row in rows if row.ticket is not None}
    load_named_in_history(session, [e for ticket in tickets for e in ticket.events])
    return list(rows)


def _rows_of(mail: Mail) -> sa.ColumnElement[bool]:
    return OutboxMessage.id.in_([row.id for row in mail.rows]) & (OutboxMessage.claim == mail.claim)


def mark_sent(
    session: Session, mail: Mail, *, message_id: str, now: datetime | None = None
) -> None:
    """The SMTP server took the mail: its rows are done."""
    mark_done(session, [(mail, message_id, None)], now=now)


def mark_done(
    session: Session,
    done: list[tuple[Mail, str | None, str | None]],
    *,
    now: datetime | None = None,
) -> None:
    """Record mails done, in one UPDATE and one commit: each ``(mail, message_id,
    note)`` was sent under that Message-ID, or had nothing to tell (``message_id``
    None, ``note`` saying why, for admins). Only rows still under the mail's claim
    change: a claim that expired and was taken again belongs to its new holder."""
    if not done:
        return
    by_claim: dict[str, list[int]] = defaultdict(list)
    message_ids: dict[int, str | None] = {}
    notes: dict[int, str | None] = {}
    for mail, message_id, note in done:
        for row in mail.rows:
            by_claim[mail.claim].append(row.id)
            message_ids[row.id] = message_id
            notes[row.id] = note[:2000] if note else None
    begin_writing(session)
    session.execute(
        sa.update(OutboxMessage)
        .where(
            sa.or_(
                *(
                    OutboxMessage.id.in_(ids) & (OutboxMessage.claim == claim)
                    for claim, ids in by_claim.items()
                )
            )
        )
        .values(
            state=DeliveryState.SENT,
            sent_at=now or utcnow(),
            message_id=_per_row(message_ids),
            claim=None,
            lease_until=None,
            last_error=_per_row(notes),
        )
        .execution_options(synchronize_session=False)
    )
    session.commit()


def _per_row(values: dict[int, str | None]):
    """A column's new value for each row id: one value for all, or a CASE on the id."""
    distinct = set(values.values())
    if len(distinct) == 1:
        return distinct.pop()
    return sa.case(values, value=OutboxMessage.id)


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt."""
    return BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]


def mark_failed(
    session: Session,
    mail: Mail,
    error: str,
    *,
    permanent: bool = False,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    now: datetime | None = None,
) -> DeliveryState:
    """The attempt failed: try again later, or, after ``max_attempts`` (or at once
    when ``permanent``), mark the rows failed for an admin to see."""
    now = now or utcnow()
    gives_up = permanent or mail.attempts >= max_attempts
    state = DeliveryState.FAILED if gives_up else DeliveryState.PENDING
    begin_writing(session)
    session.execute(
        sa.update(OutboxMessage)
        .where(_rows_of(mail))
        .values(
            state=state,
            next_attempt_at=now + backoff(mail.attempts),
            claim=None,
            lease_until=None,
            last_error=error[:2000],
        )
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return state


def retry_failed(
    session: Session, ids: list[int] | None = None, *, now: datetime | None = None
) -> int:
    """An admin sends failed rows again (all of them, or those named): how many."""
    begin_writing(session)
    query = sa.update(OutboxMessage).where(OutboxMessage.state == DeliveryState.FAILED)
    if ids is not None:
        query = query.where(OutboxMessage.id.in_(ids))
    result = session.execute(
        query.values(
            state=DeliveryState.PENDING, attempts=0, next_attempt_at=now or utcnow()
        ).execution_options(synchronize_session=False)
    )
    session.commit()
    return result.rowcount


def outbox_counts(session: Session) -> dict[DeliveryState, int]:
    """How many rows are in each state, for the admins' page."""
    counts = dict.fromkeys(DeliveryState, 0)
    query = sa.select(OutboxMessage.state, sa.func.count()).group_by(OutboxMessage.state)
    for state, count in session.execute(query):
        counts[state] = count
    return counts


def mark_moot(session: Session, mail: Mail, reason: str, *, now: datetime | None = None) -> None:
    """Nothing is left to tell (a reminder for a ticket approved meanwhile, an empty
    digest): the rows are done without a mail; ``reason`` stays on them for admins."""
    mark_done(session, [(mail, None, reason)], now=now)


def next_due(session: Session) -> datetime | None:
    """When the next row falls due (a pending one, or an abandoned claim), if any."""
    pending = sa.select(sa.func.min(OutboxMessage.next_attempt_at)).where(
        OutboxMessage.state == DeliveryState.PENDING
    )
    sending = sa.select(sa.func.min(OutboxMessage.lease_until)).where(
        OutboxMessage.state == DeliveryState.SENDING
    )
    times = [session.scalar(pending), session.scalar(sending)]
    session.commit()
    times = [moment for moment in times if moment is not None]
    return min(times) if times else None


def undelivered(session: Session, *, limit: int = 200) -> list[OutboxMessage]:
    """The rows admins look at: failed ones first, then those still waiting, oldest first."""
    order = sa.case((OutboxMessage.state == DeliveryState.FAILED, 0), else_=1)
    return list(
        session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.state != DeliveryState.SENT)
            .options(selectinload(OutboxMessage.recipient), selectinload(OutboxMessage.ticket))
            .order_by(order, OutboxMessage.id)
            .limit(limit)
        )
    )


def failed_alongside(session: Session, row_id: int) -> list[int]:
    """The failed rows that make one mail with row ``row_id``: same recipient, ticket
    and kind, so that « send again » sends the whole mail, not a part of it."""
    row = session.get(OutboxMessage, row_id)
    if row is None or row.state is not DeliveryState.FAILED:
        return []
    same = sa.select(OutboxMessage.id).where(
        OutboxMessage.state == DeliveryState.FAILED,
        OutboxMessage.kind == row.kind,
        _same(OutboxMessage.recipient_id, row.recipient_id),
        _same(OutboxMessage.recipient_email, row.recipient_email),
        _same(OutboxMessage.ticket_id, row.ticket_id),
        _same(OutboxMessage.digest_day, row.digest_day),
    )
    return list(session.scalars(same))


def _same(column, value) -> sa.ColumnElement[bool]:
    return column.is_(None) if value is None else column == value
