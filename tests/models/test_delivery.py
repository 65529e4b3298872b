"""Delivering the outbox: claims that never hand a row out twice, leases that expire,
one mail for one author's quick actions, backoff, and « failed » after the last try.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import sqlalchemy as sa

from models import OutboxMessage, User
from models.db import utcnow
from models.delivery import (
    BACKOFF,
    GROUP_SECONDS,
    LEASE,
    backoff,
    claim_due,
    failed_alongside,
    mark_failed,
    mark_sent,
    next_due,
    outbox_counts,
    retry_failed,
)
from models.enums import Action, Status
from models.operations import act
from models.outbox import DeliveryState
from tests.factories import build_world, ticket_in

LATER = timedelta(days=1)


def quiet_ticket(session, world):
    """A ticket in progress, its earlier alerts already gone."""
    ticket = ticket_in(session, world, Status.IN_PROGRESS)
    session.execute(sa.delete(OutboxMessage))
    session.commit()
    return ticket


def comment(session, world, ticket, who: str, at):
    return act(
        session, ticket.id, Action.COMMENT, user=getattr(world, who), message=f"{who}", now=at
    )


def rows(session, **where) -> list[OutboxMessage]:
    session.expire_all()
    return list(session.scalars(sa.select(OutboxMessage).filter_by(**where)))


def test_a_claimed_row_is_never_claimed_again(session, world):
    ticket = quiet_ticket(session, world)
    comment(session, world, ticket, "tm", utcnow())
    first = claim_due(session, now=utcnow() + LATER)
    assert {mail.recipient.uid for mail in first} == {world.owner.uid, world.invitee.uid}
    assert claim_due(session, now=utcnow() + LATER) == []
    assert {row.state for row in rows(session)} == {DeliveryState.SENDING}


def test_rows_wait_for_the_grouping_delay(session, world):
    ticket = quiet_ticket(session, world)
    at = utcnow()
    comment(session, world, ticket, "tm", at)
    assert claim_due(session, now=at + timedelta(seconds=GROUP_SECONDS - 1)) == []
    assert len(claim_due(session, now=at + timedelta(seconds=GROUP_SECONDS))) == 2


# Comments on one ticket, (who, seconds after the first); how many mails the invitee
# gets, who is told of everyone's comments.
GROUPING = [
    ("one author within the delay: one mail", [("tm", 0), ("tm", GROUP_SECONDS)], [2]),
    ("one author, later: two mails", [("tm", 0), ("tm", GROUP_SECONDS + 1)], [1, 1]),
    ("another author within the delay: two mails", [("tm", 0), ("owner", 1)], [1, 1]),
    ("a chain, each within the delay: one mail", [("tm", 0), ("tm", 4), ("tm", 8)], [3]),
    ("an interruption splits the chain", [("tm", 0), ("owner", 1), ("tm", 2)], [1, 1, 1]),
]


@pytest.mark.parametrize(
    "plan, expected", [case[1:] for case in GROUPING], ids=[case[0] for case in GROUPING]
)
def test_quick_actions_of_one_author_make_one_mail(session, world, plan, expected):
    ticket = quiet_ticket(session, world)
    start = utcnow()
    for who, seconds in plan:
        comment(session, world, ticket, who, start + timedelta(seconds=seconds))
    # Due: the first action only; its companions come along (not yet due themselves).
    mails = claim_due(session, now=start + timedelta(seconds=GROUP_SECONDS), limit=1)
    mails += claim_due(session, now=start + LATER)
    to_invitee = [mail for mail in mails if mail.recipient.id == world.invitee.id]
    assert sorted(len(mail.rows) for mail in to_invitee) == sorted(expected)
    for mail in to_invitee:  # one author per mail, oldest action first
        assert len({event.author_id for event in mail.events}) == 1
        assert [e.created_at for e in mail.events] == sorted(e.created_at for e in mail.events)


def test_a_lease_abandoned_by_a_dead_worker_is_taken_again(session, world):
    ticket = quiet_ticket(session, world)
    comment(session, world, ticket, "tm", utcnow())
    now = utcnow() + LATER
    assert len(claim_due(session, now=now)) == 2  # the worker dies here, sending nothing
    assert claim_due(session, now=now + LEASE - timedelta(seconds=1)) == []
    again = claim_due(session, now=now + LEASE + timedelta(seconds=1))
    assert len(again) == 2 and {mail.attempts for mail in again} == {2}


def test_a_sent_mail_is_done(session, world):
    ticket = quiet_ticket(session, world)
    comment(session, world, ticket, "tm", utcnow())
    now = utcnow() + LATER
    for mail in claim_due(session, now=now):
        mark_sent(session, mail, message_id=f"<{mail.first.id}@test>", now=now)
    done = rows(session)
    assert {(r.state, r.claim, r.message_id) for r in done} == {
        (DeliveryState.SENT, None, f"<{r.id}@test>") for r in done
    }
    assert claim_due(session, now=now + LEASE * 2) == []
    assert next_due(session) is None


@pytest.mark.parametrize(
    "attempts, wait",
    [(1, BACKOFF[0]), (2, BACKOFF[1]), (3, BACKOFF[2]), (5, BACKOFF[4]), (9, BACKOFF[-1])],
)
def test_the_backoff_grows_then_stays(attempts, wait):
    assert backoff(attempts) == wait


def test_a_failure_waits_its_backoff_and_gives_up_after_the_last_attempt(session, world):
    ticket = quiet_ticket(session, world)
    act(session, ticket.id, Action.COMMENT, user=world.owner, message="Alors ?", scope="owner")
    now = utcnow() + LATER
    states = []
    for attempt in range(1, 4):
        (mail,) = claim_due(session, now=now)  # the manager's mail (the invitee may not read it)
        assert mail.attempts == attempt
        states.append(mark_failed(session, mail, "451 try later", max_attempts=3, now=now))
        (row,) = rows(session)
        if row.state is DeliveryState.PENDING:
            assert row.next_attempt_at == now + backoff(attempt)
            assert claim_due(session, now=row.next_attempt_at - timedelta(seconds=1)) == []
            now = row.next_attempt_at
    assert states == [DeliveryState.PENDING, DeliveryState.PENDING, DeliveryState.FAILED]
    assert (row.last_error, row.attempts) == ("451 try later", 3)
    assert claim_due(session, now=now + LATER) == []  # failed rows wait for an admin
    assert outbox_counts(session)[DeliveryState.FAILED] == 1

    assert retry_failed(session, now=now) == 1
    (row,) = rows(session)
    assert (row.state, row.attempts) == (DeliveryState.PENDING, 0)
    assert len(claim_due(session, now=now)) == 1


def test_a_permanent_failure_gives_up_at_once_and_is_sent_again_whole(session, world):
    ticket = quiet_ticket(session, world)
    start = utcnow()
    comment(session, world, ticket, "tm", start)
    comment(session, world, ticket, "tm", start + timedelta(seconds=2))
    mails = claim_due(session, now=start + LATER)
    (to_owner,) = [mail for mail in mails if mail.recipient.id == world.owner.id]
    state = mark_failed(session, to_owner, "550 no such user", permanent=True, now=start + LATER)
    assert state is DeliveryState.FAILED
    failed = rows(session, state=DeliveryState.FAILED)
    assert len(failed) == 2 and {row.recipient_id for row in failed} == {world.owner.id}
    # « Renvoyer » on one row of the mail sends the whole mail again.
    assert sorted(failed_alongside(session, failed[0].id)) == sorted(r.id for r in failed)
    assert failed_alongside(session, rows(session, recipient_id=world.invitee.id)[0].id) == []


def test_two_workers_claiming_at_once_share_the_rows(committed):
    session = committed()
    world = build_world(session)
    ticket = quiet_ticket(session, world)
    start = utcnow()
    for index in range(30):  # 60 rows, each its own mail (one minute apart)
        comment(session, world, ticket, "tm", start + timedelta(minutes=index))
    session.commit()
    barrier = threading.Barrier(2, timeout=30)
    now = start + LATER

    def worker(_):
        own = committed()
        barrier.wait()
        claimed = []
        while mails := claim_due(own, now=now, limit=7):
            claimed += [row.id for mail in mails for row in mail.rows]
        return claimed

    with ThreadPoolExecutor(2) as pool:
        first, second = pool.map(worker, range(2))
    assert not set(first) & set(second)
    assert len(first) + len(second) == 60 == len(set(first) | set(second))


def test_postgresql_skips_the_rows_another_worker_holds(committed, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("row locks: PostgreSQL only (SQLite takes one writer at a time)")
    session = committed()
    world = build_world(session)
    ticket = quiet_ticket(session, world)
    comment(session, world, ticket, "tm", utcnow())
    session.commit()
    holder = committed()
    held = holder.scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.recipient_id == world.owner.id)
        .with_for_update()
    ).all()
    assert len(held) == 1
    other = committed()
    mails = claim_due(other, now=utcnow() + LATER)  # does not wait for the holder
    assert [mail.recipient.uid for mail in mails] == [world.invitee.uid]
    holder.rollback()
    assert [mail.recipient.uid for mail in claim_due(other, now=utcnow() + LATER)] == [
        world.owner.uid
    ]
    assert other.get(User, world.owner.id) is not None
