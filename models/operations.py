"""Actions as transactions: each one commits whole, or changes nothing.

Two people acting on one ticket at once: the second to commit finds that the
ticket's version moved. A state change then fails with TicketChanged (the user
sees the new state and decides again); an action that commutes, such as a
comment, is replayed on the new state, so nothing anyone wrote is lost.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from .enums import Action, Status
from .errors import NotAllowed, NotFound, TicketChanged, UnknownCategory
from .history import TicketEvent
from .services import Category
from .tickets import Ticket
from .transactions import MAX_ATTEMPTS, begin_writing, is_conflict, pause
from .users import User
from .validation import parse_id
from .workflow import ACTIONS, create_ticket, perform


def load_ticket(session: Session, ticket_id: int, *, lock: bool = False) -> Ticket | None:
    """The ticket, fresh from the database; with ``lock``, None if another writer holds it."""
    if parse_id(ticket_id) != ticket_id:
        return None
    query = (
        sa.select(Ticket).where(Ticket.id == ticket_id).execution_options(populate_existing=True)
    )
    if lock:
        query = query.with_for_update(skip_locked=True)
    return session.execute(query).scalar_one_or_none()


def act(
    session: Session,
    ticket_id: int,
    action: Action,
    *,
    user: User | None,
    expected_version: int | None = None,
    now: datetime | None = None,
    lock: bool = False,
    **params: Any,
) -> TicketEvent:
    """Perform one action in its own transaction; see ``act_many``."""
    events = act_many(
        session,
        ticket_id,
        [(action, params)],
        user=user,
        expected_version=expected_version,
        now=now,
        lock=lock,
    )
    return events[0]


def act_many(
    session: Session,
    ticket_id: int,
    steps: Sequence[tuple[Action, dict[str, Any]]],
    *,
    user: User | None,
    expected_version: int | None = None,
    now: datetime | None = None,
    lock: bool = False,
) -> list[TicketEvent]:
    """Perform several actions (take, then close…) as one transaction, and commit.

    ``expected_version`` is the version the user saw; a state change on a ticket
    that has changed since raises TicketChanged. ``lock`` skips a ticket another
    writer holds (batches running on several hosts) by raising TicketChanged.
    """
    return transact(
        session,
        ticket_id,
        lambda ticket: [perform(ticket, a, user=user, now=now, **p) for a, p in steps],
        commutes=all(ACTIONS[action].commutes for action, _ in steps),
        expected_version=expected_version,
        lock=lock,
    )


def transact(
    session: Session,
    ticket_id: int,
    work: Callable[[Ticket], list[TicketEvent]],
    *,
    commutes: bool = False,
    expected_version: int | None = None,
    lock: bool = False,
) -> list[TicketEvent]:
    """Run ``work`` on the freshly loaded ticket in one transaction, and commit.

    The retry loop of every ticket action: see ``act_many`` for the arguments.
    """
    seen = expected_version
    for attempt in range(MAX_ATTEMPTS):
        pause(attempt)
        if attempt:  # SQLite: after a lost race, wait for the write lock rather than race again
            begin_writing(session)
        try:
            ticket = load_ticket(session, ticket_id, lock=lock)
            if ticket is None:
                raise TicketChanged() if lock else NotFound()
            if seen is None:
                seen = ticket.version
            elif ticket.version != seen and not commutes:
                raise TicketChanged()
            events = work(ticket)
            session.commit()
            return events
        except (StaleDataError, DBAPIError) as error:
            session.rollback()
            if not is_conflict(error):
                raise
        except BaseException:
            session.rollback()
            raise
    raise TicketChanged()


def last_move(ticket: Ticket) -> TicketEvent | None:
    """The latest move of the ticket by someone, if any: what « retourner à l'envoyeur » undoes."""
    moves = (Action.CHANGE_CATEGORY, Action.CHANGE_DEPARTMENT)
    return next(
        (
            e
            for e in reversed(ticket.events)
            if e.kind in moves and e.category_id_before is not None and e.author_id is not None
        ),
        None,
    )


def return_to_sender(
    session: Session,
    ticket_id: int,
    *,
    user: User,
    message: str = "",
    expected_version: int | None = None,
    alert: bool = True,
    now: datetime | None = None,
) -> list[TicketEvent]:
    """« Retourner à l'envoyeur »: move the ticket back where it came from, and give
    it back to whoever sent it, when it is free there and they are available."""

    def work(ticket: Ticket) -> list[TicketEvent]:
        move = last_move(ticket)
        if move is None:
            raise NotAllowed(_l("Nobody moved this ticket here."))
        origin = session.get(Category, move.category_id_before)
        kind = (
            Action.CHANGE_DEPARTMENT
            if origin.department_id != ticket.department_id
            else Action.CHANGE_CATEGORY
        )
        events = [
            perform(ticket, kind, user=user, category=origin, message=message, alert=alert, now=now)
        ]
        sender = move.author
        membership = ticket.department.manager_of(sender)
        if ticket.status is Status.FREE and membership is not None and membership.is_available:
            events.append(
                perform(ticket, Action.ASSIGN, user=None, assignee=sender, alert=alert, now=now)
            )
        return events

    return transact(session, ticket_id, work, expected_version=expected_version)


def file_ticket(
    session: Session,
    *,
    creator: User,
    category_id: int | str,
    subject: str,
    message: str,
    now: datetime | None = None,
    staged: Sequence = (),
    request_token: str | None = None,
    **options: Any,
) -> Ticket:
    """« Créer le ticket »: create it with its staged files in one transaction, or
    change nothing.

    ``request_token`` names the form: sending the same form twice (a double
    click) gives back the ticket the first sending created. ``options`` are
    those of ``workflow.create_ticket`` (owner, priority, scope, origin).
    """
    begin_writing(session)  # SQLite: read and write under one lock, waiting for it
    existing = _ticket_of_request(session, creator, request_token)
    if existing is not None:
        return existing
    try:
        category_key = parse_id(category_id)
        category = session.get(Category, category_key) if category_key is not None else None
        if category is None:
            raise UnknownCategory()
        ticket = create_ticket(
            session,
            creator=creator,
            category=category,
            subject=subject,
            message=message,
            now=now,
            **options,
        )
        ticket.request_token = request_token
        for file in staged:
            perform(ticket, Action.UPLOAD, user=creator, attachment=file.to_attachment(), now=now)
            session.delete(file)
        session.commit()
        return ticket
    except (StaleDataError, DBAPIError) as error:
        session.rollback()
        existing = _ticket_of_request(session, creator, request_token)
        if existing is not None and is_conflict(error):  # the other click won the race
            return existing
        raise
    except BaseException:
        session.rollback()
        raise


def _ticket_of_request(session: Session, creator: User, token: str | None) -> Ticket | None:
    if not token:
        return None
    return session.scalar(
        sa.select(Ticket).where(Ticket.request_token == token, Ticket.creator_id == creator.id)
    )
