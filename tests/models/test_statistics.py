"""Statistics: each figure checked exactly on a small world of known tickets, on both
engines, in Paris time (days and hours across the daylight-saving changes)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from models import Category, Ticket
from models.enums import Origin, Status
from models.errors import InvalidValue
from models.statistics import (
    Interval,
    Period,
    Scope,
    Span,
    by_category,
    by_origin,
    by_status,
    by_weekday_and_hour,
    choose_span,
    chosen_departments,
    created_over_time,
    manager_load,
    reaction_delays,
    resolution_delays,
    spent_by_category,
    spent_by_manager,
    top_requesters,
    total_created,
    viewable_departments,
)
from tests.factories import make_user, ticket_in

PARIS = "Europe/Paris"


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def add_tickets(session, world, *rows: dict) -> list[int]:
    """Tickets written straight into the table, each with what a row gives."""
    base = {
        "subject": "Demande",
        "owner_id": world.owner.id,
        "creator_id": world.owner.id,
        "department_id": world.service.id,
        "category_id": world.category.id,
        "status": Status.FREE,
        "priority": 3,
        "scope": "private",
        "origin": Origin.WEB,
        "spent_minutes": 0,
        "version": 1,
    }
    ids = []
    for row in rows:
        values = base | row
        values.setdefault("last_action_at", values["created_at"])
        ids.append(session.execute(sa.insert(Ticket).values(**values)).inserted_primary_key[0])
    session.commit()
    return ids


def scope_of(session, world, first: date, last: date, interval=Interval.DAY, departments=None):
    span = Span(first, last, interval, PARIS)
    return Scope.of(session, departments or [world.service], span)


# --------------------------------------------------------------- days and hours


# Paris moves to summer time on 30 March 2025 at 01:00 UTC (02:00 → 03:00) and back
# on 26 October 2025 at 01:00 UTC (03:00 → 02:00).
DAYS_ACROSS_DST = [
    # (UTC instant, local day, local weekday (Monday 0), local hour)
    (utc(2025, 3, 29, 22, 59, 59), date(2025, 3, 29), 5, 23),
    (utc(2025, 3, 29, 23, 0, 0), date(2025, 3, 30), 6, 0),
    (utc(2025, 3, 30, 0, 59, 59), date(2025, 3, 30), 6, 1),
    (utc(2025, 3, 30, 1, 0, 0), date(2025, 3, 30), 6, 3),
    (utc(2025, 3, 30, 21, 59, 59), date(2025, 3, 30), 6, 23),
    (utc(2025, 3, 30, 22, 0, 0), date(2025, 3, 31), 0, 0),
    (utc(2025, 10, 25, 21, 59, 59), date(2025, 10, 25), 5, 23),
    (utc(2025, 10, 25, 22, 0, 0), date(2025, 10, 26), 6, 0),
    (utc(2025, 10, 26, 0, 59, 59), date(2025, 10, 26), 6, 2),
    (utc(2025, 10, 26, 1, 0, 0), date(2025, 10, 26), 6, 2),
    (utc(2025, 10, 26, 22, 59, 59), date(2025, 10, 26), 6, 23),
    (utc(2025, 10, 26, 23, 0, 0), date(2025, 10, 27), 0, 0),
]


def test_tickets_count_on_their_paris_day_across_both_changes_of_time(session, world):
    add_tickets(session, world, *[{"created_at": instant} for instant, *_ in DAYS_ACROSS_DST])
    expected: dict[date, int] = {}
    for _instant, day, _weekday, _hour in DAYS_ACROSS_DST:
        expected[day] = expected.get(day, 0) + 1
    for first, last in (
        (date(2025, 3, 29), date(2025, 3, 31)),
        (date(2025, 10, 25), date(2025, 10, 27)),
    ):
        counts = dict(created_over_time(session, scope_of(session, world, first, last)))
        assert counts == {day: n for day, n in expected.items() if first <= day <= last}


def test_the_period_begins_and_ends_at_paris_midnight(session, world):
    add_tickets(session, world, *[{"created_at": instant} for instant, *_ in DAYS_ACROSS_DST])
    # 30 March alone: from 29 March 23:00 UTC to 30 March 22:00 UTC (a 23-hour day).
    scope = scope_of(session, world, date(2025, 3, 30), date(2025, 3, 30))
    assert created_over_time(session, scope) == [(date(2025, 3, 30), 4)]
    assert total_created(session, scope) == 4
    # 26 October alone lasts 25 hours.
    scope = scope_of(session, world, date(2025, 10, 26), date(2025, 10, 26))
    assert total_created(session, scope) == 4


def test_tickets_count_on_their_weekday_and_paris_hour(session, world):
    add_tickets(session, world, *[{"created_at": instant} for instant, *_ in DAYS_ACROSS_DST])
    grid = by_weekday_and_hour(
        session, scope_of(session, world, date(2025, 3, 1), date(2025, 10, 31), Interval.MONTH)
    )
    expected = [[0] * 24 for _ in range(7)]
    for _instant, _day, weekday, hour in DAYS_ACROSS_DST:
        expected[weekday][hour] += 1
    assert grid == expected


def test_months_follow_the_paris_calendar_and_empty_ones_show(session, world):
    add_tickets(
        session,
        world,
        {"created_at": utc(2025, 3, 31, 21, 59)},  # 31 March, 23:59 in Paris
        {"created_at": utc(2025, 3, 31, 22, 30)},  # 1 April, 00:30 in Paris
        {"created_at": utc(2025, 12, 31, 23, 30)},  # 1 January 2026 in Paris
    )
    scope = scope_of(session, world, date(2025, 3, 15), date(2026, 1, 10), Interval.MONTH)
    counts = created_over_time(session, scope)
    assert counts[:3] == [(date(2025, 3, 1), 1), (date(2025, 4, 1), 1), (date(2025, 5, 1), 0)]
    assert counts[-2:] == [(date(2025, 12, 1), 0), (date(2026, 1, 1), 1)]
    assert len(counts) == 11


# --------------------------------------------------------------- delays


DELAYS = [
    # (reaction seconds of each ticket, count, median, 90th percentile)
    ([], 0, None, None),
    ([600], 1, 600, 600),
    ([10, 20, 30, 40, 1000], 5, 30, 616),  # rank 0.9 × 4 = 3.6: 40 + 0.6 × 960
    ([400, 100, 300, 200], 4, 250, 370),  # rank 1.5 and 2.7
    ([5, 5, 5, None, None], 3, 5, 5),  # tickets nobody reacted to yet are left out
]


@pytest.mark.parametrize("values, count, median, p90", DELAYS)
def test_reaction_delays_median_and_90th_percentile(session, world, values, count, median, p90):
    created = utc(2025, 5, 5, 9)
    add_tickets(session, world, *[{"created_at": created, "reaction_seconds": v} for v in values])
    delays = reaction_delays(session, scope_of(session, world, date(2025, 5, 1), date(2025, 5, 31)))
    assert (delays.count, delays.median, delays.p90) == (
        count,
        pytest.approx(median),
        pytest.approx(p90),
    )


def test_the_longest_resolutions_are_listed_longest_first(session, world):
    created = utc(2025, 5, 5, 9)
    ids = add_tickets(
        session,
        world,
        *[
            {"created_at": created, "resolution_seconds": seconds, "subject": f"Ticket {seconds}"}
            for seconds in (3600, None, 86400, 60, 7200)
        ],
    )
    delays = resolution_delays(
        session, scope_of(session, world, date(2025, 5, 1), date(2025, 5, 31)), longest=3
    )
    assert delays.longest == [
        (ids[2], "Ticket 86400", 86400),
        (ids[4], "Ticket 7200", 7200),
        (ids[0], "Ticket 3600", 3600),
    ]
    assert (delays.count, delays.median) == (4, 5400)


def test_the_workflow_clocks_feed_the_delays(session, world):
    """Taken one hour after its creation, closed one hour later (tests/factories.py)."""
    start = utc(2025, 5, 5, 9)
    ticket_in(session, world, Status.CLOSED, start=start, invite=False, attach=False)
    scope = scope_of(session, world, date(2025, 5, 1), date(2025, 5, 31))
    assert reaction_delays(session, scope).median == 3600
    assert resolution_delays(session, scope).median == 7200


# --------------------------------------------------------------- rankings


def test_categories_rank_by_tickets_with_the_others_added_up(session, world):
    printers = Category(department=world.service, label="Imprimantes", parent=world.sibling)
    session.add(printers)
    session.commit()
    when = utc(2025, 5, 5, 9)
    add_tickets(
        session,
        world,
        *[{"created_at": when, "category_id": world.category.id}] * 3,
        *[{"created_at": when, "category_id": printers.id}] * 2,
        {"created_at": when, "category_id": world.sibling.id},
        {
            "created_at": when,
            "category_id": world.other_category.id,
            "department_id": world.other_service.id,
        },
    )
    scope = scope_of(session, world, date(2025, 5, 1), date(2025, 5, 31))
    ranked = by_category(session, scope, top=2)
    assert [(c.full_label, n) for c, n in ranked.rows] == [
        ("Réseau et Wi-Fi", 3),
        ("Messagerie / Imprimantes", 2),
    ]
    assert ranked.others == 1  # the other service's ticket is not counted


def test_origins_and_statuses_count_every_member(session, world):
    when = utc(2025, 5, 5, 9)
    add_tickets(
        session,
        world,
        {"created_at": when, "origin": Origin.PHONE},
        {"created_at": when, "origin": Origin.PHONE, "status": Status.CANCELLED},
        {"created_at": when, "origin": Origin.EMAIL, "status": Status.CANCELLED},
        {"created_at": when - timedelta(days=30), "origin": Origin.EMAIL},  # April
    )
    scope = scope_of(session, world, date(2025, 5, 1), date(2025, 5, 31))
    assert by_origin(session, scope) == [
        (Origin.WEB, 0),
        (Origin.EMAIL, 1),
        (Origin.PHONE, 2),
        (Origin.OTHER, 0),
    ]
    statuses = dict(by_status(session, scope))
    assert list(statuses) == list(Status)
    assert (statuses[Status.FREE], statuses[Status.CANCELLED], sum(statuses.values())) == (1, 2, 3)


def test_spent_time_adds_up_by_category_and_by_manager(session, world):
    when = utc(2025, 5, 5, 9)
    add_tickets(
        session,
        world,
        {
            "created_at": when,
            "spent_minutes": 30,
            "manager_id": world.tm.id,
            "status": Status.IN_PROGRESS,
        },
        {
            "created_at": when,
            "spent_minutes": 45,
            "manager_id": world.tm.id,
            "status": Status.IN_PROGRESS,
            "category_id": world.sibling.id,
        },
        {
            "created_at": when,
            "spent_minutes": 90,
            "manager_id": world.dm.id,
            "status": Status.IN_PROGRESS,
            "category_id": world.sibling.id,
        },
        {"created_at": when, "spent_minutes": 15},  # nobody handles it now
        {
            "created_at": when,
            "spent_minutes": 0,
            "manager_id": world.colleague.id,
            "status": Status.IN_PROGRESS,
        },
    )
    scope = scope_of(session, world, date(2025, 5, 1), date(2025, 5, 31))
    by_category_ = spent_by_category(session, scope)
    assert [(c.label, m) for c, m in by_category_.rows] == [
        ("Messagerie", 135),
        ("Réseau et Wi-Fi", 45),
    ]
    by_manager = spent_by_manager(session, scope, top=2)
    assert [(u.uid if u else None, m) for u, m in by_manager.rows] == [
        ("lbernard", 90),
        ("jdupont", 75),
    ]
    assert by_manager.others == 15  # the free ticket; nobody with no minute is listed


def test_the_top_requesters(session, world):
    other = make_user(session, "etudiant", "Étudiant DEMO")
    session.commit()
    when = utc(2025, 5, 5, 9)
    add_tickets(
        session,
        world,
        *[{"created_at": when}] * 3,
        *[{"created_at": when, "owner_id": other.id}] * 2,
        {"created_at": when, "owner_id": world.invitee.id},
    )
    ranked = top_requesters(
        session, scope_of(session, world, date(2025, 5, 1), date(2025, 5, 31)), top=2
    )
    assert [(u.uid, n) for u, n in ranked.rows] == [("esup9992", 3), ("etudiant", 2)]
    assert ranked.others == 1


def test_each_managers_load(session, world):
    start = datetime.now(UTC) - timedelta(days=3)
    ticket_in(session, world, Status.IN_PROGRESS, start=start, invite=False, attach=False)
    ticket_in(session, world, Status.CLOSED, start=start, invite=False, attach=False)
    ticket_in(session, world, Status.FREE, start=start, invite=False, attach=False)
    today = datetime.now(UTC).date()
    loads = manager_load(
        session, scope_of(session, world, today - timedelta(days=10), today + timedelta(days=1))
    )
    assert [(load.user.uid, load.taken, load.closed, load.open) for load in loads] == [
        ("jdupont", 2, 1, 1),
        ("lbernard", 0, 0, 0),
        ("pmoreau", 0, 0, 0),
    ]


# --------------------------------------------------------------- who and when


def test_managers_see_their_services_and_administrators_every_one(session, world):
    labels = lambda user: [d.label for d in viewable_departments(session, user)]  # noqa: E731
    assert labels(world.tm) == ["INFORMATIQUE"]
    assert labels(world.admin) == ["HYGIENE - SECURITE", "INFORMATIQUE"]
    assert labels(world.owner) == []
    assert labels(None) == []


@pytest.mark.parametrize(
    "who, asked, given, expected",
    [
        ("tm", None, False, ["INFORMATIQUE"]),
        ("tm", "service", True, ["INFORMATIQUE"]),
        ("admin", None, False, ["HYGIENE - SECURITE", "INFORMATIQUE"]),
        ("admin", "other_service", True, ["HYGIENE - SECURITE"]),
        ("tm", "other_service", True, "You may not see the statistics of this service."),
        ("tm", 999_999, True, "This service does not exist."),
        ("tm", None, True, "This service does not exist."),
    ],
)
def test_choosing_a_service(session, world, who, asked, given, expected):
    user = getattr(world, who)
    department_id = getattr(world, asked).id if isinstance(asked, str) else asked
    viewable = viewable_departments(session, user)
    if isinstance(expected, str):
        with pytest.raises(InvalidValue) as error:
            chosen_departments(session, viewable, department_id, given)
        assert (str(error.value.message), error.value.field) == (expected, "department")
    else:
        chosen = chosen_departments(session, viewable, department_id, given)
        assert [d.label for d in chosen] == expected


TODAY = date(2025, 3, 10)  # a Monday


def day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


SPANS = [
    # (period, first day given, last day given, interval asked: days and interval shown)
    ("week", None, None, None, "2025-03-04 2025-03-10 day"),
    ("month", None, None, None, "2025-02-09 2025-03-10 day"),
    ("year", None, None, None, "2024-04-01 2025-03-10 month"),
    ("year", None, None, "day", "2024-04-01 2025-03-10 day"),
    ("week", "2020-01-01", "2020-02-01", None, "2025-03-04 2025-03-10 day"),
    ("custom", "2025-01-01", "2025-01-01", None, "2025-01-01 2025-01-01 day"),
    ("custom", "2025-01-01", "2025-04-02", None, "2025-01-01 2025-04-02 day"),
    ("custom", "2025-01-01", "2025-04-03", None, "2025-01-01 2025-04-03 month"),
    ("custom", "2020-02-29", "2025-02-28", None, "2020-02-29 2025-02-28 month"),
]


@pytest.mark.parametrize("period, first, last, interval, shown", SPANS)
def test_choosing_the_days(period, first, last, interval, shown):
    span = choose_span(
        Period(period),
        TODAY,
        PARIS,
        first=day(first),
        last=day(last),
        interval=Interval(interval) if interval else None,
    )
    assert f"{span.first} {span.last} {span.interval}" == shown


WRONG_DAYS = [
    # (first day, last day, interval: field, message)
    (None, "2025-01-01", None, "start", "Please give the first day."),
    ("2025-01-01", None, None, "end", "Please give the last day."),
    ("2025-01-02", "2025-01-01", None, "end", "The last day must not come before the first."),
    ("2020-01-01", "2025-01-01", None, "end", "A period may last up to 5 years."),
    ("1975-01-01", "2025-01-01", None, "end", "A period may last up to 5 years."),
    ("0001-01-01", "0002-01-01", None, "start", "Please give a date between 1970 and 2100."),
    ("2100-01-01", "9999-12-31", None, "end", "Please give a date between 1970 and 2100."),
    ("2024-01-01", "2025-01-01", "day", "interval", "One bar a day is shown for periods of up "
     "to 366 days; please choose one a month."),
]  # fmt: skip


@pytest.mark.parametrize("first, last, interval, field, message", WRONG_DAYS)
def test_wrong_days_are_refused_naming_the_field(first, last, interval, field, message):
    with pytest.raises(InvalidValue) as error:
        choose_span(
            Period.CUSTOM,
            TODAY,
            PARIS,
            first=day(first),
            last=day(last),
            interval=Interval(interval) if interval else None,
        )
    assert (error.value.field, str(error.value.message)) == (field, message)


def test_a_span_is_its_paris_days():
    span = Span(date(2025, 3, 30), date(2025, 3, 30), Interval.DAY, PARIS)
    assert (span.start, span.end) == (utc(2025, 3, 29, 23), utc(2025, 3, 30, 22))
    months = Span(date(2024, 11, 15), date(2025, 2, 1), Interval.MONTH, PARIS).buckets()
    assert months == [date(2024, 11, 1), date(2024, 12, 1), date(2025, 1, 1), date(2025, 2, 1)]
