"""Statistics of the services: where tickets come from, how long they wait, who
handles them. « Identifier les problèmes récurrents » for the managers.

Every figure covers the tickets *created* in a period (local days in the site's time
zone) in some services, except the managers' load, which counts what happened in the
period. Each one is aggregated by the database (GROUP BY, percentiles), in a fixed
number of queries however many tickets there are; Python only names the rows.

Who sees what: a service's managers see its statistics, administrators every service's.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from .enums import OPEN_STATUSES, Action, Origin, Status
from .errors import InvalidValue
from .history import TicketEvent
from .local_time import LocalTime, as_date
from .queries import managed_departments
from .services import Category, Department, DepartmentManager
from .tickets import Ticket
from .users import User

T = TypeVar("T")

TOP = 10  # rows of a ranking before « others »
LONGEST = 5  # longest tickets listed for each delay
MAX_YEARS = 5  # the longest period one may ask for
MAX_DAILY_DAYS = 366  # past a year, one bar a day is unreadable
AUTO_DAILY_DAYS = 92  # shorter periods are shown per day unless asked otherwise
EARLIEST, LATEST = date(1970, 1, 1), date(2100, 12, 31)


class Period(enum.StrEnum):
    WEEK = "week"  # the last 7 days
    MONTH = "month"  # the last 30 days
    YEAR = "year"  # the last 12 months, from the first of the month
    CUSTOM = "custom"


class Interval(enum.StrEnum):
    DAY = "day"
    MONTH = "month"


# ---------------------------------------------------------------- who and when


def viewable_departments(session: Session, user: User | None) -> list[Department]:
    """The services whose statistics this user sees: those whose queue they see."""
    return managed_departments(session, user) if user is not None else []


def chosen_departments(
    session: Session, viewable: list[Department], department_id: int | None, given: bool
) -> list[Department]:
    """The services asked for: all viewable ones when none is given, else that one."""
    if not given:
        return viewable
    if department_id is None or session.get(Department, department_id) is None:
        raise InvalidValue(_l("This service does not exist."), field="department")
    chosen = [d for d in viewable if d.id == department_id]
    if not chosen:
        raise InvalidValue(
            _l("You may not see the statistics of this service."), field="department"
        )
    return chosen


def local_today(zone: str, now: datetime) -> date:
    return now.astimezone(ZoneInfo(zone)).date()


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, month=3, day=1)


@dataclass(frozen=True)
class Span:
    """Local days ``first``…``last`` (both included), shown per day or per month."""

    first: date
    last: date
    interval: Interval
    zone: str

    @property
    def start(self) -> datetime:
        """The UTC instant the first local day begins."""
        return _midnight(self.first, self.zone)

    @property
    def end(self) -> datetime:
        """The UTC instant the day after the last one begins (excluded)."""
        return _midnight(self.last + timedelta(days=1), self.zone)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def buckets(self) -> list[date]:
        """Every day, or every month's first day, of the span, in order."""
        if self.interval is Interval.DAY:
            return [self.first + timedelta(days=n) for n in range(self.days)]
        months, month = [], self.first.replace(day=1)
        while month <= self.last:
            months.append(month)
            month = (month + timedelta(days=32)).replace(day=1)
        return months


def _midnight(day: date, zone: str) -> datetime:
    return datetime.combine(day, time(), ZoneInfo(zone)).astimezone(UTC)


def choose_span(
    period: Period,
    today: date,
    zone: str,
    *,
    first: date | None = None,
    last: date | None = None,
    interval: Interval | None = None,
) -> Span:
    """The days a report covers; raises InvalidValue naming the field at fault."""
    if period is Period.WEEK:
        first, last = today - timedelta(days=6), today
    elif period is Period.MONTH:
        first, last = today - timedelta(days=29), today
    elif period is Period.YEAR:
        months = today.year * 12 + today.month - 1 - 11
        first, last = date(months // 12, months % 12 + 1, 1), today
    else:
        if first is None:
            raise InvalidValue(_l("Please give the first day."), field="start")
        if last is None:
            raise InvalidValue(_l("Please give the last day."), field="end")
        for day, name in ((first, "start"), (last, "end")):
            if not EARLIEST <= day <= LATEST:
                raise InvalidValue(
                    _l(
                        "Please give a date between %(first)s and %(last)s.",
                        first=EARLIEST.year,
                        last=LATEST.year,
                    ),
                    field=name,
                )
        if last < first:
            raise InvalidValue(_l("The last day must not come before the first."), field="end")
        if last >= _years_later(first, MAX_YEARS):
            raise InvalidValue(
                _l("A period may last up to %(years)d years.", years=MAX_YEARS), field="end"
            )
    days = (last - first).days + 1
    if interval is None:
        interval = Interval.DAY if days <= AUTO_DAILY_DAYS else Interval.MONTH
    elif interval is Interval.DAY and days > MAX_DAILY_DAYS:
        raise InvalidValue(
            _l(
                "One bar a day is shown for periods of up to %(days)d days; "
                "please choose one a month.",
                days=MAX_DAILY_DAYS,
            ),
            field="interval",
        )
    return Span(first, last, interval, zone)


@dataclass(frozen=True)
class Scope:
    """What a report covers: some services, over a span."""

    department_ids: tuple[int, ...]
    span: Span
    dialect: str

    @classmethod
    def of(cls, session: Session, departments: Sequence[Department], span: Span) -> Scope:
        dialect = session.get_bind().dialect.name
        return cls(tuple(sorted(d.id for d in departments)), span, dialect)

    @property
    def local(self) -> LocalTime:
        return LocalTime(self.dialect, self.span.zone, self.span.start, self.span.end)

    def created(self) -> list[sa.ColumnElement[bool]]:
        """Tickets of these services created in the span."""
        return [
            Ticket.department_id.in_(self.department_ids),
            Ticket.created_at >= self.span.start,
            Ticket.created_at < self.span.end,
        ]


# ---------------------------------------------------------------- the figures


@dataclass
class Ranked(Generic[T]):
    """The first rows of a ranking, and what the others add up to."""

    rows: list[tuple[T, int]]
    others: int = 0


@dataclass
class Delays:
    """Reaction or resolution delays, in seconds, of the tickets that have one."""

    count: int
    median: float | None
    p90: float | None
    longest: list[tuple[int, str, int]] = field(default_factory=list)  # id, subject, seconds


@dataclass
class ManagerLoad:
    user: User
    taken: int  # tickets that became theirs in the period (taken or assigned)
    closed: int  # tickets they closed in the period
    open: int  # tickets of theirs open now


def _grouped(session: Session, key: sa.ColumnElement, where) -> list[tuple]:
    """(key, count) rows. The key is computed in a subquery, so that engines which
    cannot match a GROUP BY expression holding parameters still group by it."""
    inner = sa.select(key.label("key")).where(*where).subquery()
    query = sa.select(inner.c.key, sa.func.count()).group_by(inner.c.key)
    return [tuple(row) for row in session.execute(query)]


def total_created(session: Session, scope: Scope) -> int:
    return session.scalar(sa.select(sa.func.count(Ticket.id)).where(*scope.created())) or 0


def created_over_time(session: Session, scope: Scope) -> list[tuple[date, int]]:
    """Tickets created each day (or month) of the span, empty ones included."""
    local = scope.local
    bucket = (local.day if scope.span.interval is Interval.DAY else local.month)(Ticket.created_at)
    counts = {as_date(key): count for key, count in _grouped(session, bucket, scope.created())}
    return [(day, counts.get(day, 0)) for day in scope.span.buckets()]


def by_weekday_and_hour(session: Session, scope: Scope) -> list[list[int]]:
    """A 7×24 grid: tickets created each local weekday (Monday first) and hour."""
    local = scope.local
    inner = (
        sa.select(
            local.weekday(Ticket.created_at).label("weekday"),
            local.hour(Ticket.created_at).label("hour"),
        )
        .where(*scope.created())
        .subquery()
    )
    grid = [[0] * 24 for _ in range(7)]
    rows = session.execute(
        sa.select(inner.c.weekday, inner.c.hour, sa.func.count()).group_by(
            inner.c.weekday, inner.c.hour
        )
    )
    for weekday, hour, count in rows:
        grid[int(weekday)][int(hour)] = count
    return grid


def _per_member(session: Session, scope: Scope, column, members) -> list[tuple]:
    counts = dict(
        session.execute(
            sa.select(column, sa.func.count()).where(*scope.created()).group_by(column)
        ).all()
    )
    return [(member, counts.get(member, 0)) for member in members]


def by_origin(session: Session, scope: Scope) -> list[tuple[Origin, int]]:
    return _per_member(session, scope, Ticket.origin, Origin)


def by_status(session: Session, scope: Scope) -> list[tuple[Status, int]]:
    """What became of the tickets created in the span."""
    return _per_member(session, scope, Ticket.status, Status)


def _ranking(session: Session, scope: Scope, key, value, top: int) -> tuple[list[tuple], int]:
    """The ``top`` keys by ``value`` (largest first, then by key), and the others' sum."""
    where = scope.created()
    measure = sa.func.count() if value is None else sa.func.coalesce(sa.func.sum(value), 0)
    first = session.execute(
        sa.select(key, measure)
        .where(*where)
        .group_by(key)
        .having(measure > 0)
        .order_by(measure.desc(), sa.nulls_last(key))
        .limit(top)
    ).all()
    everything = session.scalar(sa.select(measure).where(*where)) or 0
    return [tuple(row) for row in first], int(everything) - sum(int(n) for _, n in first)


def _categories(session: Session, ids) -> dict[int, Category]:
    """Categories by id, with their services' whole trees, so that their full labels
    (and their services) need no more queries."""
    if not ids:
        return {}
    departments = sa.select(Category.department_id).where(Category.id.in_(ids))
    everything = session.scalars(
        sa.select(Category).where(Category.department_id.in_(departments))
    ).all()
    session.scalars(sa.select(Department).where(Department.id.in_(departments))).all()
    return {category.id: category for category in everything}


def _users(session: Session, ids) -> dict[int, User]:
    ids = [i for i in ids if i is not None]
    if not ids:
        return {}
    return {user.id: user for user in session.scalars(sa.select(User).where(User.id.in_(ids)))}


def by_category(session: Session, scope: Scope, top: int = TOP) -> Ranked[Category]:
    """The recurring problems: the categories with the most tickets."""
    rows, others = _ranking(session, scope, Ticket.category_id, None, top)
    categories = _categories(session, [key for key, _ in rows])
    return Ranked([(categories[key], count) for key, count in rows], others)


def spent_by_category(session: Session, scope: Scope, top: int = TOP) -> Ranked[Category]:
    """Minutes spent on the tickets of each category."""
    rows, others = _ranking(session, scope, Ticket.category_id, Ticket.spent_minutes, top)
    categories = _categories(session, [key for key, _ in rows])
    return Ranked([(categories[key], int(minutes)) for key, minutes in rows], others)


def spent_by_manager(session: Session, scope: Scope, top: int = TOP) -> Ranked[User | None]:
    """Minutes spent on the tickets each manager handles (None: no manager now)."""
    rows, others = _ranking(session, scope, Ticket.manager_id, Ticket.spent_minutes, top)
    users = _users(session, [key for key, _ in rows])
    return Ranked([(users.get(key), int(minutes)) for key, minutes in rows], others)


def top_requesters(session: Session, scope: Scope, top: int = TOP) -> Ranked[User]:
    rows, others = _ranking(session, scope, Ticket.owner_id, None, top)
    users = _users(session, [key for key, _ in rows])
    return Ranked([(users[key], count) for key, count in rows], others)


def _percentiles(session: Session, scope: Scope, column, wanted: tuple[int, ...]):
    """The count of non-null values and their percentiles (PostgreSQL's percentile_cont:
    linear interpolation between the closest ranks)."""
    where = [*scope.created(), column.is_not(None)]
    if scope.dialect == "postgresql":
        row = session.execute(
            sa.select(
                sa.func.count(column),
                *[sa.func.percentile_cont(p / 100).within_group(column) for p in wanted],
            ).where(*where)
        ).one()
        return row[0], [None if v is None else float(v) for v in row[1:]]
    count = session.scalar(sa.select(sa.func.count(column)).where(*where)) or 0
    values = []
    for percent in wanted:
        if not count:
            values.append(None)
            continue
        # The rank p·(n−1), kept exact: whole part and hundredths.
        low, hundredths = divmod(percent * (count - 1), 100)
        pair = session.scalars(
            sa.select(column)
            .where(*where)
            .order_by(column)
            .offset(low)
            .limit(2 if hundredths else 1)
        ).all()
        value = float(pair[0])
        if hundredths:
            value += (pair[1] - pair[0]) * hundredths / 100
        values.append(value)
    return count, values


def _delays(session: Session, scope: Scope, column, longest: int) -> Delays:
    count, (median, p90) = _percentiles(session, scope, column, (50, 90))
    rows = session.execute(
        sa.select(Ticket.id, Ticket.subject, column)
        .where(*scope.created(), column.is_not(None))
        .order_by(column.desc(), Ticket.id)
        .limit(longest)
    ).all()
    return Delays(count, median, p90, [tuple(row) for row in rows])


def reaction_delays(session: Session, scope: Scope, longest: int = LONGEST) -> Delays:
    """From creation to a manager's first action."""
    return _delays(session, scope, Ticket.reaction_seconds, longest)


def resolution_delays(session: Session, scope: Scope, longest: int = LONGEST) -> Delays:
    """From creation to the closure (tickets reopened since count no more)."""
    return _delays(session, scope, Ticket.resolution_seconds, longest)


def manager_load(session: Session, scope: Scope) -> list[ManagerLoad]:
    """For each manager of these services (and anyone who handled their tickets):
    tickets that became theirs and tickets they closed in the span, and open now."""
    in_span = [
        TicketEvent.ticket_id == Ticket.id,
        Ticket.department_id.in_(scope.department_ids),
        TicketEvent.created_at >= scope.span.start,
        TicketEvent.created_at < scope.span.end,
    ]
    became = TicketEvent.manager_id_after
    taken = dict(
        session.execute(
            sa.select(became, sa.func.count(sa.distinct(TicketEvent.ticket_id)))
            .where(*in_span, became.is_not(None))
            .group_by(became)
        ).all()
    )
    closer = TicketEvent.author_id
    closed = dict(
        session.execute(
            sa.select(closer, sa.func.count(sa.distinct(TicketEvent.ticket_id)))
            .where(*in_span, TicketEvent.kind == Action.CLOSE, closer.is_not(None))
            .group_by(closer)
        ).all()
    )
    open_now = dict(
        session.execute(
            sa.select(Ticket.manager_id, sa.func.count())
            .where(
                Ticket.department_id.in_(scope.department_ids),
                Ticket.status.in_(sorted(OPEN_STATUSES)),
                Ticket.manager_id.is_not(None),
            )
            .group_by(Ticket.manager_id)
        ).all()
    )
    members = session.scalars(
        sa.select(DepartmentManager.user_id).where(
            DepartmentManager.department_id.in_(scope.department_ids)
        )
    ).all()
    users = _users(session, set(members) | set(taken) | set(closed) | set(open_now))
    loads = [
        ManagerLoad(user, taken.get(uid, 0), closed.get(uid, 0), open_now.get(uid, 0))
        for uid, user in users.items()
    ]
    return sorted(loads, key=lambda load: (-load.taken, -load.closed, -load.open, load.user.label))
