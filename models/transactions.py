"""Transactions that lose a race are replayed, not failed.

Two writers at once: PostgreSQL reports a unique violation or a serialization
failure, SQLite « database is locked » (at once, when a reading transaction
tries to write after another one committed). Work that only depends on what it
reads again can simply run again on fresh data.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from .errors import Busy

MAX_ATTEMPTS = 5
# Pause before replaying: SQLite reports a busy writer at once instead of waiting.
BACKOFF_SECONDS = 0.05
# SQLSTATEs of a lost race: unique violation, serialization failure, deadlock.
CONFLICT_SQLSTATES = {"23505", "40001", "40P01"}

T = TypeVar("T")


def is_conflict(error: BaseException) -> bool:
    """Did this database error come from a concurrent writer rather than from a bug?"""
    if isinstance(error, StaleDataError):
        return True
    if not isinstance(error, DBAPIError):
        return False
    if getattr(error.orig, "sqlstate", None) in CONFLICT_SQLSTATES:
        return True
    text = str(error.orig)
    return "database is locked" in text or "UNIQUE constraint failed" in text


def pause(attempt: int) -> None:
    if attempt:
        time.sleep(BACKOFF_SECONDS * 2 ** (attempt - 1))


def begin_writing(session: Session) -> None:
    """Start a transaction that will write. On SQLite it takes the write lock at
    once (BEGIN IMMEDIATE), so that concurrent writers queue instead of failing."""
    session.commit()  # end whatever the request was reading
    if session.get_bind().dialect.name == "sqlite":
        session.connection(execution_options={"sqlite_begin": "immediate"})


def retrying(session: Session, work: Callable[[], T]) -> T:
    """Run ``work`` and commit; after a lost race, roll back and run it again."""
    for attempt in range(MAX_ATTEMPTS):
        pause(attempt)
        try:
            begin_writing(session)
            result = work()
            session.commit()
            return result
        except (StaleDataError, DBAPIError) as error:
            session.rollback()
            if not is_conflict(error):
                raise
        except BaseException:
            session.rollback()
            raise
    raise Busy()
