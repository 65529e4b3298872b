"""Transactions that lose a race are replayed: several logins of one person at once."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from models import LoginSession, User
from models.errors import Busy
from models.logins import sign_in
from models.transactions import MAX_ATTEMPTS, retrying


def test_work_that_lost_a_race_runs_again_then_gives_up_clearly(session):
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise StaleDataError("someone else wrote first")
        return "done"

    assert retrying(session, flaky) == "done" and len(calls) == 3

    def hopeless():
        raise StaleDataError("always")

    with pytest.raises(Busy):
        retrying(session, hopeless)

    def broken():
        raise ValueError("a bug is not a race")

    with pytest.raises(ValueError):
        retrying(session, broken)
    assert MAX_ATTEMPTS >= 3


def test_one_person_signing_in_from_several_tabs_at_once(committed):
    """The portal's fragment, its iframe and its widget sign the same user in together."""
    barrier, errors = threading.Barrier(6, timeout=30), []

    def login(number: int):
        session = committed()
        try:
            session.execute(sa.select(User.id)).all()  # a request reads first, then writes
            barrier.wait()
            sign_in(
                session,
                "etudiant",
                {"displayName": "Camille MARTIN", "mail": "c@u.fr"},
                ticket=f"ST-parallel-{number}",
            )
        except Exception as error:  # noqa: BLE001 - collected for the assertion
            errors.append(error)

    threads = [threading.Thread(target=login, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    check = committed()
    assert errors == []
    assert check.scalar(sa.select(sa.func.count(LoginSession.id))) == 6
    assert check.scalar(sa.select(sa.func.count(User.id))) == 1
