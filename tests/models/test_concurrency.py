"""Two people acting on one ticket at the same moment, on two real connections.

Both read the ticket, both decide, then both write at once (a barrier holds
each session just before its first write). Whatever the order the database picks,
exactly one state change wins, the other person is told the ticket changed,
and nothing anyone wrote is lost.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa
from sqlalchemy import event as sa_event

from models import Ticket, TicketEvent, User
from models.enums import Action, Status
from models.errors import TicketChanged
from models.operations import act
from tests.factories import build_world, ticket_in

ROUNDS = 3


def race(committed, ticket_id: int, *moves):
    """Run each (uid, action, inputs) in its own thread and session, writing together.

    Returns what each move returned, or the exception it raised.
    """
    barrier = threading.Barrier(len(moves), timeout=30)

    def run(uid, action, inputs):
        session = committed()
        user = session.scalar(sa.select(User).where(User.uid == uid))
        waited = []

        @sa_event.listens_for(session, "before_flush")
        def wait_for_the_others(*_):
            if not waited:  # the first attempt only: retries go on alone
                waited.append(True)
                barrier.wait()

        try:
            event = act(session, ticket_id, action, user=user, **inputs)
            return event.kind
        except Exception as error:  # noqa: BLE001 - the loser's error is the result
            barrier.abort() if not waited else None
            return error

    with ThreadPoolExecutor(len(moves)) as pool:
        return list(pool.map(lambda move: run(*move), moves))


def history(session, ticket_id):
    return list(
        session.scalars(
            sa.select(TicketEvent.kind)
            .where(TicketEvent.ticket_id == ticket_id)
            .order_by(TicketEvent.id)
        )
    )


@pytest.fixture
def university(committed):
    session = committed()
    world = build_world(session)
    return session, world


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_managers_take_the_same_free_ticket_and_one_wins(university, committed, round_):
    session, world = university
    ticket = ticket_in(session, world, Status.FREE)
    results = race(
        committed,
        ticket.id,
        (world.dm.uid, Action.TAKE, {}),
        (world.colleague.uid, Action.TAKE, {}),
    )

    winners = [r for r in results if r is Action.TAKE]
    losers = [r for r in results if isinstance(r, TicketChanged)]
    assert (len(winners), len(losers)) == (1, 1), results
    session.rollback()  # a fresh snapshot: SQLite keeps the one of the open transaction
    ticket = session.get(Ticket, ticket.id)
    assert history(session, ticket.id).count(Action.TAKE) == 1
    winner = [world.dm, world.colleague][results.index(Action.TAKE)]
    assert (ticket.status, ticket.manager_id) == (Status.IN_PROGRESS, winner.id)


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_the_owner_approves_while_a_manager_reopens_and_one_wins(university, committed, round_):
    session, world = university
    ticket = ticket_in(session, world, Status.CLOSED)
    results = race(
        committed,
        ticket.id,
        (world.owner.uid, Action.APPROVE_CLOSURE, {}),
        (world.dm.uid, Action.REOPEN, {"message": "Fermé trop tôt."}),
    )

    assert sum(isinstance(r, TicketChanged) for r in results) == 1, results
    session.rollback()  # a fresh snapshot: SQLite keeps the one of the open transaction
    ticket = session.get(Ticket, ticket.id)
    kinds = history(session, ticket.id)
    if results[0] is Action.APPROVE_CLOSURE:
        assert ticket.status is Status.APPROVED and Action.REOPEN not in kinds
    else:
        assert ticket.status is Status.IN_PROGRESS and Action.APPROVE_CLOSURE not in kinds


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_comments_written_at_the_same_moment_are_all_kept(university, committed, round_):
    session, world = university
    ticket = ticket_in(session, world, Status.INCOMPLETE)
    results = race(
        committed,
        ticket.id,
        (world.owner.uid, Action.COMMENT, {"message": "Bâtiment B, salle 101."}),
        (world.tm.uid, Action.CLOSE, {"message": "Réglé à distance."}),
        (world.invitee.uid, Action.COMMENT, {"message": "Même souci chez moi."}),
    )

    assert results[0] is Action.COMMENT and results[2] is Action.COMMENT, results
    session.rollback()  # a fresh snapshot: SQLite keeps the one of the open transaction
    kinds = history(session, ticket.id)
    assert kinds.count(Action.COMMENT) == 2
    ticket = session.get(Ticket, ticket.id)
    if results[1] is Action.CLOSE:  # the manager closed first; the answers came after
        assert ticket.status is Status.CLOSED
    else:  # the owner answered first: the manager must see it before closing
        assert isinstance(results[1], TicketChanged)
        assert ticket.status is Status.IN_PROGRESS


def test_an_action_on_an_old_view_of_the_ticket_is_refused(university, committed):
    session, world = university
    ticket = ticket_in(session, world, Status.IN_PROGRESS)
    seen = ticket.version
    act(session, ticket.id, Action.REQUEST_INFORMATION, user=world.tm, message="Quel bâtiment ?")
    other = committed()
    owner = other.get(User, world.owner.id)
    with pytest.raises(TicketChanged):
        act(other, ticket.id, Action.CLOSE_BY_OWNER, user=owner, expected_version=seen)
    # A comment written on the old view still lands: it depends on nothing that changed.
    event = act(
        other, ticket.id, Action.COMMENT, user=owner, expected_version=seen, message="Bâtiment B."
    )
    assert event.status_after is Status.IN_PROGRESS
