"""Calendar parts of a UTC timestamp column in a time zone, computed by the database.

PostgreSQL converts with its own time zone database (``timezone(zone, column)``, i.e.
``AT TIME ZONE``), then truncates or extracts. SQLite knows no time zone: the UTC
offsets in force over the period are worked out here, from Python's zoneinfo, and a
CASE adds the right one to each row before ``strftime``. Both engines then agree on
which local day, weekday and hour a row falls in, across daylight-saving changes.

Every expression gives the same Python values on both engines once passed through
``as_date``/``int``: a local date (the day, or the month's first day), the weekday
(Monday is 0) and the hour.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

# Offsets change at most twice a year; one probe a day finds every change.
_PROBE = timedelta(days=1)


def _offset(zone: ZoneInfo, instant: datetime) -> int:
    return int(instant.astimezone(zone).utcoffset().total_seconds())


def utc_offsets(zone: ZoneInfo, start: datetime, end: datetime) -> list[tuple[datetime, int]]:
    """The offsets in force from ``start`` to ``end``: (UTC instant it starts, seconds)."""
    changes = [(start, _offset(zone, start))]
    probe = start
    while probe < end:
        following = min(probe + _PROBE, end)
        if _offset(zone, following) != changes[-1][1]:
            # Bisect to the second: the change lies in (low, high].
            low, high = int(probe.timestamp()), int(following.timestamp())
            while high - low > 1:
                middle = (low + high) // 2
                seen = _offset(zone, datetime.fromtimestamp(middle, UTC))
                low, high = (middle, high) if seen == changes[-1][1] else (low, middle)
            at = datetime.fromtimestamp(high, UTC)
            changes.append((at, _offset(zone, at)))
        probe = following
    return changes


def as_date(value) -> date:
    """A bucket from either engine (a timestamp, a date or ``YYYY-MM-DD``) as a date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


@dataclass(frozen=True)
class LocalTime:
    """Local calendar parts of UTC timestamps between ``start`` and ``end``."""

    dialect: str
    zone: str
    start: datetime
    end: datetime

    def day(self, column) -> sa.ColumnElement:
        return self._truncated(column, "day", "%Y-%m-%d")

    def month(self, column) -> sa.ColumnElement:
        return self._truncated(column, "month", "%Y-%m-01")

    def weekday(self, column) -> sa.ColumnElement:
        """Monday 0 … Sunday 6."""
        if self.dialect == "postgresql":
            return sa.cast(sa.extract("isodow", self._local(column)), sa.Integer) - 1
        sunday_first = sa.cast(sa.func.strftime("%w", column, self._modifier(column)), sa.Integer)
        return (sunday_first + 6) % 7

    def hour(self, column) -> sa.ColumnElement:
        if self.dialect == "postgresql":
            return sa.cast(sa.extract("hour", self._local(column)), sa.Integer)
        return sa.cast(sa.func.strftime("%H", column, self._modifier(column)), sa.Integer)

    def _truncated(self, column, unit: str, pattern: str) -> sa.ColumnElement:
        if self.dialect == "postgresql":
            return sa.func.date_trunc(unit, self._local(column))
        return sa.func.strftime(pattern, column, self._modifier(column))

    def _local(self, column) -> sa.ColumnElement:
        # timestamptz → the wall-clock time in the zone (timestamp without time zone).
        return sa.func.timezone(self.zone, column)

    def _modifier(self, column) -> sa.ColumnElement:
        """SQLite's date modifier adding the offset in force at each row's instant."""
        offsets = utc_offsets(ZoneInfo(self.zone), self.start, self.end)
        if len(offsets) == 1:
            return sa.literal(_seconds(offsets[0][1]))
        return sa.case(
            *[
                (column < offsets[i + 1][0], _seconds(seconds))
                for i, (_at, seconds) in enumerate(offsets[:-1])
            ],
            else_=_seconds(offsets[-1][1]),
        )


def _seconds(offset: int) -> str:
    return f"{offset:+d} seconds"
