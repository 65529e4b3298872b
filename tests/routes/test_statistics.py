"""« Statistiques » over HTTP: a manager's page for a year of tickets, every chart with
its table and its CSV, in a bounded number of queries; nobody else sees it; bad filters
get a message beside the field, never a 500.

The manager reads English here (their language), so that the page's words are checked
as the code says them; the French ones come from the catalogue.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from models import Category, Ticket, TicketEvent, db
from models.db import utcnow
from models.enums import Action, ActionScope, Actor, Origin, Status
from routes._statistics import TABLES
from tests.routes.test_ticket_pages import text

CHARTED = {"created", "categories", "week", "origins", "statuses", "delays",
           "spent-categories", "spent-managers", "managers", "requesters"}  # fmt: skip
STATUSES = [Status.FREE, Status.IN_PROGRESS, Status.CLOSED, Status.APPROVED]


def a_year_of_tickets(world, days: int = 365, per_day: int = 8, first_day: int = 0) -> int:
    """``per_day`` tickets a day, going back ``days`` days, written in bulk with their
    take and close entries: statuses, managers, origins and delays in turn."""
    now = utcnow()
    owners = [world.owner, world.invitee, world.newcomer, world.admin]
    managers = [world.tm, world.dm, world.colleague]
    tickets = []
    for day in range(first_day, first_day + days):
        for n in range(per_day):
            status = STATUSES[n % 4]
            handled = status is not Status.FREE
            tickets.append(
                {
                    "subject": f"Demande {day}-{n}",
                    "owner_id": owners[(day + n) % 4].id,
                    "creator_id": owners[(day + n) % 4].id,
                    "department_id": world.service.id,
                    "category_id": (world.category if n % 3 else world.sibling).id,
                    "manager_id": managers[n % 3].id if handled else None,
                    "status": status,
                    "priority": 3,
                    "scope": "private",
                    "origin": list(Origin)[n % 4],
                    "created_at": now - timedelta(days=day, hours=3 * n + 1),
                    "last_action_at": now - timedelta(days=day),
                    "reaction_seconds": 600 * (n + 1) if handled else None,
                    "resolution_seconds": 3600 * (n + 1)
                    if status.value in ("closed", "approved")
                    else None,
                    "spent_minutes": 15 * n if handled else 0,
                    "version": 1,
                }
            )
    # Core executemany (no ORM per row): the new ids follow the rows' order.
    last = db.session.scalar(sa.select(sa.func.max(Ticket.id))) or 0
    db.session.execute(Ticket.__table__.insert(), tickets)
    ids = db.session.scalars(sa.select(Ticket.id).where(Ticket.id > last).order_by(Ticket.id))
    events = []
    for ticket_id, ticket in zip(ids, tickets, strict=True):
        if ticket["manager_id"] is None:
            continue
        entry = {
            "ticket_id": ticket_id,
            "author_id": ticket["manager_id"],
            "actor": Actor.DEPARTMENT_MANAGER,
            "message": "",
            "scope": ActionScope.DEFAULT,
            "alerted": True,
        }
        taken = ticket["created_at"] + timedelta(seconds=ticket["reaction_seconds"])
        events.append(
            entry
            | {
                "kind": Action.TAKE,
                "created_at": taken,
                "status_before": Status.FREE,
                "status_after": Status.IN_PROGRESS,
                "manager_id_after": ticket["manager_id"],
            }
        )
        if ticket["resolution_seconds"]:
            events.append(
                entry
                | {
                    "kind": Action.CLOSE,
                    "created_at": taken + timedelta(minutes=1),
                    "status_before": Status.IN_PROGRESS,
                    "status_after": Status.CLOSED,
                    "manager_id_after": None,
                }
            )
    db.session.execute(TicketEvent.__table__.insert(), events)
    db.session.commit()
    return len(tickets)


def sections(page) -> dict[str, str]:
    """Each figure's section of the page, by the name of its CSV."""
    found = re.findall(
        r'<section class="hd-statistics__figure" aria-labelledby="hd-statistics-([\w-]+)">'
        r"(.*?)</section>",
        page.text,
        re.S,
    )
    return dict(found)


def table_rows(section: str) -> list[list[str]]:
    body = re.search(r"<tbody>(.*?)</tbody>", section, re.S).group(1)
    return [
        [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in
         re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]  # fmt: skip


def query_counter(app):
    with app.app_context():
        engine = db.engine

    def count(client, url: str) -> int:
        counted = []
        listener = lambda *args: counted.append(1)  # noqa: E731
        sa.event.listen(engine, "before_cursor_execute", listener)
        try:
            assert client.get(url).status_code == 200
        finally:
            sa.event.remove(engine, "before_cursor_execute", listener)
        return len(counted)

    return count


@pytest.fixture
def manager(world, browser):
    world.tm.language = "en"
    return browser(world.tm)


def days_in_the_last_twelve_months() -> int:
    """Whole days back from today still inside « Last 12 months » (in Paris time)."""
    today = utcnow().astimezone(ZoneInfo("Europe/Paris")).date()
    months = today.year * 12 + today.month - 1 - 11
    return (today - date(months // 12, months % 12 + 1, 1)).days - 1


def test_a_manager_sees_every_chart_and_table_for_a_year_of_data(world, manager, app):
    queries = query_counter(app)
    url = "/statistics?period=year"
    a_year_of_tickets(world, days=1)
    few = queries(manager, url)
    days = days_in_the_last_twelve_months()
    a_year_of_tickets(world, days=days - 1, first_day=1)
    total, quarter = 8 * days, f"{2 * days:,}"

    page = manager.get(url)
    assert page.status_code == 200
    shown = sections(page)
    assert list(shown) == list(TABLES)
    for slug, section in shown.items():
        assert ("<svg" in section) == (slug in CHARTED), slug
        assert "<table" in section and '<th scope="col">' in section, slug
        assert f"/statistics/{slug}.csv?period=year" in section, slug
    assert "<script" not in page.text and "<style" not in page.text  # our CSP allows neither
    summary = re.search(r"Tickets created from .* to .*: ([\d,]+)\.", text(page))
    assert summary.group(1) == f"{total:,}"

    months = table_rows(shown["created"])
    assert len(months) == 12 and sum(int(row[1].replace(",", "")) for row in months) == total
    assert table_rows(shown["origins"]) == [
        ["Web", quarter], ["E-mail", quarter], ["Phone", quarter], ["Other", quarter]
    ]  # fmt: skip
    assert table_rows(shown["statuses"])[:4] == [
        ["Free", quarter], ["In progress", quarter], ["Incomplete", "0"], ["Postponed", "0"]
    ]  # fmt: skip
    # As many reactions of 20, 30, 40, 60, 70 and 80 minutes: the median lies between
    # 40 and 60, the 90th percentile at 80. Resolutions of 3, 4, 7 and 8 hours.
    assert table_rows(shown["delays"]) == [
        ["Reaction time", f"{6 * days:,}", "0.8", "1.3"],
        ["Resolution time", f"{4 * days:,}", "5.5", "8.0"],
    ]
    assert table_rows(shown["longest-resolution"])[0][1:] == ["Demande 0-7", "8.0"]
    week = table_rows(shown["week"])
    assert [row[0] for row in week][:2] == ["Monday", "Tuesday"] and len(week[0]) == 25
    assert sum(int(cell.replace(",", "")) for row in week for cell in row[1:]) == total
    loads = {row[0]: row[1:] for row in table_rows(shown["managers"])}
    assert loads["Jean DUPONT (jdupont)"][2] == str(
        db.session.scalar(
            sa.select(sa.func.count()).where(
                Ticket.manager_id == world.tm.id, Ticket.status == Status.IN_PROGRESS
            )
        )
    )
    assert queries(manager, url) == few


def test_each_figure_downloads_as_csv_with_the_same_filters(world, manager):
    a_year_of_tickets(world, days=3)
    today = utcnow().date()
    first = today - timedelta(days=6)
    page = manager.get("/statistics?period=week&interval=day")
    answer = manager.get("/statistics/created.csv?period=week&interval=day")
    assert answer.status_code == 200
    assert answer.mimetype == "text/csv"
    assert answer.headers["Content-Disposition"] == (
        f"attachment; filename=statistics-created-{first.isoformat()}-{today.isoformat()}.csv"
    )
    assert answer.text.startswith("\ufeff")  # spreadsheets then read UTF-8
    rows = list(csv.reader(io.StringIO(answer.text.removeprefix("\ufeff"))))
    assert rows[0] == ["Day", "Tickets"]
    assert [row[0] for row in rows[1:]] == [
        (first + timedelta(days=n)).isoformat() for n in range(7)
    ]
    assert sum(int(row[1]) for row in rows[1:]) == sum(
        int(row[1]) for row in table_rows(sections(page)["created"])
    )
    for slug in TABLES:
        assert manager.get(f"/statistics/{slug}.csv?period=week").status_code == 200, slug
    assert manager.get("/statistics/nothing.csv").status_code == 404


def test_user_labels_are_escaped_in_the_charts_and_inert_in_the_csv(world, manager):
    hostile = Category(
        department=world.service, label='=HYPERLINK("http://x")<script>alert(1)</script>\x07'
    )
    db.session.add(hostile)
    db.session.commit()
    a_year_of_tickets(world, days=1)
    db.session.execute(sa.update(Ticket).values(category_id=hostile.id))
    db.session.commit()

    page = manager.get("/statistics?period=week")
    assert page.status_code == 200
    assert "<script" not in page.text
    chart = re.search(r"<svg.*?</svg>", sections(page)["categories"], re.S).group(0)
    assert "&lt;script&gt;" in chart and "\x07" not in chart
    rows = list(csv.reader(io.StringIO(manager.get("/statistics/categories.csv").text)))
    assert rows[1] == ["'" + hostile.label, "8"]


def test_administrators_see_every_service_and_may_choose_one(world, browser):
    world.admin.language = "en"
    admin = browser(world.admin)
    a_year_of_tickets(world, days=1)
    page = admin.get("/statistics")
    assert "All services" in text(page)
    assert f'value="{world.other_service.id}"' in page.text
    categories = table_rows(sections(page)["categories"])
    assert categories[0][0] == "INFORMATIQUE — Réseau et Wi-Fi"  # several services: named
    other = admin.get(f"/statistics?department={world.other_service.id}")
    assert other.status_code == 200
    assert "Tickets created from" in text(other) and ": 0." in text(other)


@pytest.mark.parametrize("who", ["owner", "invitee", "newcomer"])
def test_nobody_but_the_services_people_sees_statistics(world, browser, who):
    visitor = browser(getattr(world, who))
    assert visitor.get("/statistics").status_code == 404
    assert visitor.get("/statistics/created.csv").status_code == 404
    assert visitor.get("/portlet/statistics").status_code == 404
    assert "/statistics" not in visitor.get("/").text  # no tab either
    assert browser().get("/statistics").status_code == 302  # to CAS, to sign in first


BAD_INPUTS = [
    # (query string, field, message)
    ("period=custom&start=2025-02-01&end=2025-01-01", "end",
     "The last day must not come before the first."),
    ("period=custom&start=1975-01-01&end=2025-01-01", "end", "A period may last up to 5 years."),
    ("period=custom&start=2020-01-01&end=2025-01-01", "end", "A period may last up to 5 years."),
    ("period=custom&end=2025-01-01", "start", "Please give the first day."),
    ("period=custom&start=0001-01-01&end=0002-01-01", "start",
     "Please give a date between 1970 and 2100."),
    ("period=custom&start=2025-13-45&end=2025-01-01", "start", "Not a valid date value."),
    ("period=custom&start=" + "9" * 2000, "start", "Not a valid date value."),
    ("period=custom&start=2024-01-01&end=2025-06-01&interval=day", "interval",
     "One bar a day is shown for periods of up to 366 days; please choose one a month."),
    ("period=decade", "period", "Not a valid choice."),
    ("interval=hour", "interval", "Not a valid choice."),
    ("department=999999", "department", "This service does not exist."),
    ("department=abc", "department", "This service does not exist."),
    ("department=99999999999999999999", "department", "This service does not exist."),
    ("department=%00", "department", "This service does not exist."),
    ("department=OTHER", "department", "You may not see the statistics of this service."),
]  # fmt: skip


@pytest.mark.parametrize("query, field, message", BAD_INPUTS)
def test_bad_filters_are_said_beside_their_field(world, manager, query, field, message):
    query = query.replace("OTHER", str(world.other_service.id))
    for url in (f"/statistics?{query}", f"/statistics/created.csv?{query}"):
        page = manager.get(url)
        assert page.status_code == 422, url
        error = re.search(rf'<p class="hd-error" id="{field}-error">(.*?)</p>', page.text, re.S)
        assert error is not None and message in error.group(1), url
        assert "<svg" not in page.text and 'aria-invalid="true"' in page.text


def test_the_page_in_the_portal_and_the_tab_in_french(world, browser):
    a_year_of_tickets(world, days=1)
    manager = browser(world.tm)  # French, the default
    fragment = manager.get("/portlet/statistics")
    assert fragment.status_code == 200
    assert '<h3 class="hd-title">Statistiques</h3>' in fragment.text
    assert "css/statistics.css" in fragment.text
    tabs = re.search(r'<nav class="hd-tabs".*?</nav>', manager.get("/").text, re.S).group(0)
    assert 'href="/statistics"' in tabs and "Statistiques" in tabs
