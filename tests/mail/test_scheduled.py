"""The scheduled mails, as cron or the worker run them: the reminder before a closure
expires, the expiry itself, the recall of a postponed ticket, and the managers' digest."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from models import db
from models.batches import expiry_date
from models.db import utcnow
from models.enums import Action, Status
from models.operations import act
from models.outbox import DeliveryState, MailKind
from tests.factories import ticket_in
from tests.mail.conftest import outbox_rows
from tests.mail.helpers import html_of, links_of, readable, text_of

PARIS = ZoneInfo("Europe/Paris")


def run(app, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def at(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S%z")


def only_new(smtp, before: int):
    return smtp.messages[before:]


def test_the_owner_is_reminded_before_a_closure_expires_then_told_it_did(app, world, smtp, deliver):
    start = datetime.now(PARIS) - timedelta(hours=2)
    ticket = ticket_in(db.session, world, Status.CLOSED, start=start)
    db.session.commit()
    expires = expiry_date(db.session.get(type(ticket), ticket.id))
    two_days_before, too_early = expires - timedelta(days=2), expires - timedelta(days=5)
    deliver(too_early)  # the mails of the ticket's story

    # Too early: nothing; within the configured three days: one reminder, once.
    assert "queued: 0" in run(app, "batch", "remind-expiry", "--now", at(too_early))
    assert "queued: 1" in run(app, "batch", "remind-expiry", "--now", at(two_days_before))
    assert "queued: 0" in run(app, "batch", "remind-expiry", "--now", at(two_days_before))
    before = len(smtp.messages)
    deliver(two_days_before + timedelta(seconds=1))
    print([(m["To"], m["Subject"]) for m in only_new(smtp, before)])
    (reminder,) = only_new(smtp, before)
    assert reminder["To"].addresses[0].addr_spec == world.owner.email
    assert reminder["Subject"].startswith(f"[approbation attendue INFORMATIQUE n°{ticket.id}]")
    text = readable(reminder)
    assert str(expires.astimezone(PARIS).year) in text
    assert {"Approuver la clôture", "Refuser la clôture"} <= set(links_of(reminder))
    assert "Approuver la clôture" in text_of(reminder)

    # Nobody approved: the batch expires the ticket, and the expiry mail says so.
    after = expires + timedelta(minutes=1)
    assert "expired: 1" in run(app, "batch", "expire", "--now", at(after))
    before = len(smtp.messages)
    deliver(after + timedelta(minutes=1))
    to_owner = [m for m in only_new(smtp, before) if world.owner.email in m["To"]]
    (expired,) = to_owner
    assert expired["Subject"].startswith(f"[expiration INFORMATIQUE n°{ticket.id}]")
    assert "Approuver la clôture" not in links_of(expired)


def test_a_postponed_ticket_recalled_tells_its_manager(app, world, smtp, deliver):
    ticket = ticket_in(db.session, world, Status.POSTPONED, invite=False, attach=False)
    db.session.commit()
    deliver()
    before = len(smtp.messages)
    assert "recalled: 1" in run(app, "batch", "recall")
    deliver()
    recalled = [m for m in only_new(smtp, before) if world.tm.email in m["To"]]
    (mail,) = recalled
    assert mail["Subject"].startswith(f"[rappel INFORMATIQUE n°{ticket.id}]")
    assert db.session.get(type(ticket), ticket.id).status is Status.IN_PROGRESS


def test_managers_get_their_digest_at_their_hour_on_weekdays(app, world, smtp, deliver):
    old = ticket_in(db.session, world, Status.FREE, invite=False, attach=False)
    recent = utcnow() - timedelta(hours=1)
    mine = ticket_in(
        db.session, world, Status.IN_PROGRESS, start=recent, invite=False, attach=False
    )
    world.colleague.preferences = {"digest": False}
    world.dm.preferences = {"digest_hour": 11}
    db.session.commit()
    deliver()
    monday_nine = datetime(2026, 11, 30, 9, 0, tzinfo=PARIS)
    saturday = datetime(2026, 11, 28, 9, 0, tzinfo=PARIS)

    assert "queued: 0" in run(app, "batch", "digest", "--now", at(saturday))
    # Only jdupont at 9:00 (lbernard's hour is 11, pmoreau wants none), once a day.
    assert "queued: 1" in run(app, "batch", "digest", "--now", at(monday_nine))
    assert "queued: 0" in run(app, "batch", "digest", "--now", at(monday_nine))
    assert "queued: 1" in run(app, "batch", "digest", "--now", at(monday_nine.replace(hour=11)))
    before = len(smtp.messages)
    deliver(monday_nine.replace(hour=12))
    digests = only_new(smtp, before)
    assert sorted(m["To"].addresses[0].addr_spec for m in digests) == sorted(
        [world.tm.email, world.dm.email]
    )
    (to_tm,) = [m for m in digests if world.tm.email in m["To"]]
    text = text_of(to_tm)
    assert f"- n°{mine.id} [En cours]" in text  # handled by him, touched lately
    assert f"! n°{old.id} [Libre]" in text  # free and idle for weeks: highlighted
    assert "Tickets que vous gérez : 1" in text and "Tickets libres : 1" in text
    assert 'style="background:#fff1c2"' in html_of(to_tm)
    assert to_tm["Subject"].startswith("[Assistance]")
    rows = outbox_rows(kind=MailKind.DIGEST)
    assert {row.state for row in rows} == {DeliveryState.SENT} and len(rows) == 2


def test_batch_all_runs_every_step_in_order(app, world):
    ticket = ticket_in(db.session, world, Status.CLOSED, invite=False, attach=False)
    act(db.session, ticket.id, Action.COMMENT, user=world.owner, message="Merci !")
    db.session.commit()
    lines = run(app, "batch", "all").splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "expire",
        "recall",
        "remind-expiry",
        "digest",
        "purge-uploads",
    ]
