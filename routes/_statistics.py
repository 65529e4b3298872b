"""The statistics page's tables, in the reader's language, from the domain's figures.

Each table is built on demand, so a CSV costs only its own queries; on the page, the
figures two tables share (delays) are fetched once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import time
from functools import cached_property

from babel.dates import get_day_names
from flask_babel import format_date, format_decimal, format_time, get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from models import statistics as stats

from ._charts import DOT, GROUPED, HBAR, LINE, PIE, Row, Table
from ._urls import view_url

OTHERS = _l("Others")


class Figures:
    """The domain's figures for one scope, each fetched when first needed."""

    def __init__(self, session: Session, scope: stats.Scope, several_services: bool):
        self.session, self.scope, self.several = session, scope, several_services

    @cached_property
    def total(self) -> int:
        return stats.total_created(self.session, self.scope)

    @cached_property
    def reaction(self) -> stats.Delays:
        return stats.reaction_delays(self.session, self.scope)

    @cached_property
    def resolution(self) -> stats.Delays:
        return stats.resolution_delays(self.session, self.scope)

    def category_label(self, category) -> str:
        if self.several:
            return f"{category.department.label} — {category.full_label}"
        return category.full_label


def _number(value, decimals: int = 0) -> str:
    if value is None:
        return "—"
    return format_decimal(value, format="#,##0" + ("." + "0" * decimals if decimals else ""))


def _row(label, values, decimals: int | list[int] = 0, **extra) -> Row:
    """A row of values, rounded as shown (``decimals``: for all, or one per value)."""
    places = decimals if isinstance(decimals, list) else [decimals] * len(values)
    values = [
        v if v is None or isinstance(v, str) else (round(v, n) if n else v)
        for v, n in zip(values, places, strict=True)
    ]
    shown = [
        v if isinstance(v, str) else _number(v, n) for v, n in zip(values, places, strict=True)
    ]
    return Row(str(label), values, shown, **extra)


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else seconds / 3600


def _ranked(ranked: stats.Ranked, name: Callable, per_hour: bool = False) -> list[Row]:
    """The ranking's rows, then « Others »; minutes shown as hours when ``per_hour``."""

    def row(label, value):
        return _row(label, [value / 60], 1) if per_hour else _row(label, [value])

    rows = [row(name(item), value) for item, value in ranked.rows]
    if ranked.others:
        rows.append(row(OTHERS, ranked.others))
    return rows


def created(figures: Figures) -> Table:
    daily = figures.scope.span.interval is stats.Interval.DAY
    counts = stats.created_over_time(figures.session, figures.scope)
    rows = [
        _row(
            format_date(day, "medium") if daily else format_date(day, "MMMM y"),
            [count],
            csv_label=day.isoformat() if daily else day.strftime("%Y-%m"),
        )
        for day, count in counts
    ]
    return Table(
        "created",
        _l("Tickets created"),
        [_l("Day") if daily else _l("Month"), _l("Tickets")],
        rows,
        LINE,
        chart_labels=[format_date(day, "d MMM" if daily else "MMM y") for day, _ in counts],
    )


def categories(figures: Figures) -> Table:
    ranked = stats.by_category(figures.session, figures.scope)
    return Table(
        "categories",
        _l("Tickets by category"),
        [_l("Category"), _l("Tickets")],
        _ranked(ranked, figures.category_label),
        HBAR,
        note=_l("The recurring problems: the categories with the most tickets."),
    )


def week(figures: Figures) -> Table:
    grid = stats.by_weekday_and_hour(figures.session, figures.scope)
    days = get_day_names("wide", locale=get_locale())
    return Table(
        "week",
        _l("Tickets by day of the week and hour"),
        [_l("Day"), *[format_time(time(hour), "HH:mm") for hour in range(24)]],
        [_row(days[weekday], counts) for weekday, counts in enumerate(grid)],
        DOT,
        note=_l("When the tickets were created, in local time."),
    )


def origins(figures: Figures) -> Table:
    counts = stats.by_origin(figures.session, figures.scope)
    return Table(
        "origins",
        _l("Tickets by origin"),
        [_l("Origin"), _l("Tickets")],
        [_row(origin.label, [count]) for origin, count in counts],
        PIE,
    )


def statuses(figures: Figures) -> Table:
    counts = stats.by_status(figures.session, figures.scope)
    return Table(
        "statuses",
        _l("Status of the tickets created"),
        [_l("Status"), _l("Tickets")],
        [_row(status.label, [count]) for status, count in counts],
        HBAR,
        note=_l("What became of the tickets created in the period."),
    )


def delays(figures: Figures) -> Table:
    rows = [
        _row(label, [d.count, _hours(d.median), _hours(d.p90)], [0, 1, 1])
        for label, d in (
            (_l("Reaction time"), figures.reaction),
            (_l("Resolution time"), figures.resolution),
        )
    ]
    return Table(
        "delays",
        _l("Reaction and resolution times"),
        [_l("Time"), _l("Tickets measured"), _l("Median (hours)"), _l("90th percentile (hours)")],
        rows,
        GROUPED,
        series=[1, 2],
        note=_l(
            "Reaction: from the creation to a manager's first action. "
            "Resolution: from the creation to the closure."
        ),
    )


def _longest(slug: str, title, delays: stats.Delays) -> Table:
    rows = [
        _row(
            _l("no. %(number)s", number=ticket_id),
            [subject, _hours(seconds)],
            [0, 1],
            csv_label=str(ticket_id),
            url=view_url("tickets.view", ticket_id=ticket_id),
        )
        for ticket_id, subject, seconds in delays.longest
    ]
    return Table(slug, title, [_l("Ticket"), _l("Subject"), _l("Hours")], rows)


def longest_reaction(figures: Figures) -> Table:
    return _longest("longest-reaction", _l("Longest reaction times"), figures.reaction)


def longest_resolution(figures: Figures) -> Table:
    return _longest("longest-resolution", _l("Longest resolution times"), figures.resolution)


def spent_categories(figures: Figures) -> Table:
    ranked = stats.spent_by_category(figures.session, figures.scope)
    return Table(
        "spent-categories",
        _l("Time spent by category"),
        [_l("Category"), _l("Hours")],
        _ranked(ranked, figures.category_label, per_hour=True),
        HBAR,
    )


def spent_managers(figures: Figures) -> Table:
    ranked = stats.spent_by_manager(figures.session, figures.scope)
    return Table(
        "spent-managers",
        _l("Time spent by manager"),
        [_l("Manager"), _l("Hours")],
        _ranked(ranked, lambda user: user.label if user else _l("No manager"), per_hour=True),
        HBAR,
        note=_l("The time spent on each ticket counts for its manager now."),
    )


def managers(figures: Figures) -> Table:
    loads = stats.manager_load(figures.session, figures.scope)
    return Table(
        "managers",
        _l("Load of each manager"),
        [_l("Manager"), _l("Taken or assigned"), _l("Closed"), _l("Open now")],
        [_row(load.user.label, [load.taken, load.closed, load.open]) for load in loads],
        GROUPED,
        series=[0, 1, 2],
        note=_l("Tickets taken or assigned and tickets closed in the period; open ones today."),
    )


def requesters(figures: Figures) -> Table:
    ranked = stats.top_requesters(figures.session, figures.scope)
    return Table(
        "requesters",
        _l("Top requesters"),
        [_l("Requester"), _l("Tickets")],
        _ranked(ranked, lambda user: user.label),
        HBAR,
    )


# In the page's order; the keys are the CSV's names.
TABLES: dict[str, Callable[[Figures], Table]] = {
    "created": created,
    "categories": categories,
    "week": week,
    "origins": origins,
    "statuses": statuses,
    "delays": delays,
    "longest-reaction": longest_reaction,
    "longest-resolution": longest_resolution,
    "spent-categories": spent_categories,
    "spent-managers": spent_managers,
    "managers": managers,
    "requesters": requesters,
}


def csv_rows(table: Table) -> list[list[str]]:
    """The table as CSV rows; a cell a spreadsheet would take for a formula is quoted."""
    header = [str(h) for h in table.headers]
    body = [
        [row.csv_label or row.label, *["" if v is None else v for v in row.values]]
        for row in table.rows
    ]
    return [[_inert(cell) for cell in line] for line in [header, *body]]


def _inert(cell) -> str:
    if isinstance(cell, (int, float)):
        return str(cell)
    text = str(cell)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def span_label(span: stats.Span) -> tuple[str, str]:
    return format_date(span.first, "long"), format_date(span.last, "long")
