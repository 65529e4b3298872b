"""When things go wrong: the server is down, refuses, or the input is hostile.
Nothing is lost, nothing is sent twice, nothing crashes, and admins see what failed.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from datetime import timedelta

import sqlalchemy as sa

from models import Ticket, TicketEvent, User, db
from models.db import utcnow
from models.delivery import BACKOFF
from models.enums import Action, Status
from models.operations import act, file_ticket
from models.outbox import DeliveryState
from portlet.mail.compose import Composer
from tests.factories import ticket_in
from tests.mail.conftest import outbox_rows, soon
from tests.mail.helpers import readable, text_of
from tests.routes.conftest import PUBLIC_URL
from tests.smtp_server import PERMANENT, TEMPORARY


def states() -> Counter:
    return Counter(row.state for row in outbox_rows())


def hundred_actions(world) -> list[int]:
    """Four tickets filed, taken, then discussed: 100 actions, a minute apart."""
    clock = utcnow() - timedelta(hours=3)
    tickets, done = [], 0
    for number in range(4):
        ticket = file_ticket(
            db.session,
            creator=world.owner,
            category_id=world.category.id,
            subject=f"Panne n°{number}",
            message="Plus rien ne marche.",
            now=clock,
        )
        db.session.commit()
        tickets.append(ticket.id)
        clock += timedelta(minutes=1)
        act(db.session, ticket.id, Action.TAKE, user=world.tm, now=clock)
        clock += timedelta(minutes=1)
        done += 2
    while done < 100:
        ticket_id = tickets[done % 4]
        who = world.owner if done % 2 else world.tm
        act(db.session, ticket_id, Action.COMMENT, user=who, message=f"Message {done}", now=clock)
        clock += timedelta(minutes=1)
        done += 1
    assert db.session.scalar(sa.select(sa.func.count(TicketEvent.id))) == 100
    return tickets


def test_a_mail_server_outage_loses_nothing_and_sends_nothing_twice(world, smtp, deliver):
    smtp.stop()
    hundred_actions(world)
    rows = outbox_rows()
    expected = Counter(row.recipient.email for row in rows)  # actions a minute apart: a mail each
    now = utcnow()

    down = deliver(now)
    assert (down.sent, down.retrying, down.failed) == (0, len(rows), 0)
    assert states() == {DeliveryState.PENDING: len(rows)}
    assert {(r.attempts, r.next_attempt_at) for r in outbox_rows()} == {(1, now + BACKOFF[0])}
    assert all("cannot reach the mail server" in r.last_error for r in outbox_rows())
    assert deliver(now + BACKOFF[0] / 2).rows == 0  # nothing is due before its backoff

    smtp.start()
    clock, passes = now + BACKOFF[0], 0
    while deliver(clock).rows:
        passes += 1
        clock += BACKOFF[0]
    assert passes >= 1 and states() == {DeliveryState.SENT: len(rows)}

    received = smtp.message_ids()
    assert set(received.values()) == {1}  # every (recipient, Message-ID) exactly once
    assert Counter(recipient for recipient, _ in received) == expected
    assert {r.message_id for r in outbox_rows()} == {message_id for _, message_id in received}


def test_a_temporary_refusal_is_retried_with_backoff(world, smtp, deliver):
    ticket = ticket_in(db.session, world, Status.IN_PROGRESS, invite=False)
    deliver(soon(3600 * 24))
    smtp.reset()
    smtp.refuse_all = TEMPORARY
    act(db.session, ticket.id, Action.CLOSE, user=world.tm, message="Réglé.")
    now = soon()
    report = deliver(now)
    assert (report.sent, report.retrying) == (0, 1) and "451" in report.errors[0]
    (row,) = outbox_rows(state=DeliveryState.PENDING)
    assert row.next_attempt_at == now + BACKOFF[0] and "451" in row.last_error

    smtp.refuse_all = None
    assert deliver(now + BACKOFF[0]).sent == 1
    assert len(smtp.to(world.owner.email)) == 1


def test_a_permanent_refusal_fails_at_once_and_an_admin_sends_it_again(
    world, smtp, deliver, browser
):
    ticket = ticket_in(db.session, world, Status.IN_PROGRESS)
    deliver(soon(3600 * 24))
    smtp.reset()
    smtp.refused[world.owner.email] = PERMANENT
    act(db.session, ticket.id, Action.CLOSE, user=world.tm, message="Réglé.")
    report = deliver()
    assert (report.sent, report.failed) == (1, 1)  # the invitee's mail went all the same
    (failed,) = outbox_rows(state=DeliveryState.FAILED)
    assert failed.recipient_id == world.owner.id and "550" in failed.last_error
    assert failed.attempts == 1

    admin = browser(world.admin)
    page = admin.get("/services/mail")
    assert page.status_code == 200
    assert "Échec : <strong>1</strong>" in page.text and "550 5.1.1 No such user here" in page.text
    assert f"Test ESUP (esup9992) &lt;{world.owner.email}&gt;" in page.text
    assert browser(world.tm).get("/services/mail").status_code == 404  # admins only
    assert browser(world.tm).post("/services/mail/retry").status_code == 404

    del smtp.refused[world.owner.email]
    data = {"hd-csrf_token": csrf_token(page.text), "hd-row": str(failed.id)}
    answer = admin.post("/services/mail/retry", data=data)  # « Renvoyer »
    assert answer.status_code == 303
    assert answer.headers["Location"] == f"{PUBLIC_URL}/services/mail"
    assert outbox_rows(id=failed.id)[0].state is DeliveryState.PENDING
    assert deliver().sent == 1
    (resent,) = smtp.to(world.owner.email)
    assert "Réglé." in text_of(resent)
    assert "Tous les courriels ont été envoyés." in admin.get("/services/mail").text


def csrf_token(markup: str) -> str:
    return re.search(r'name="hd-csrf_token" value="([^"]+)"', markup).group(1)


def test_sending_again_needs_the_forms_token(world, smtp, deliver, browser):
    ticket = ticket_in(db.session, world, Status.IN_PROGRESS, invite=False)
    deliver(soon(3600 * 24))
    smtp.refuse_all = PERMANENT
    act(db.session, ticket.id, Action.CLOSE, user=world.tm, message="Réglé.")
    deliver()
    admin = browser(world.admin)
    refused = admin.post("/services/mail/retry", data={})
    assert refused.status_code == 422 and states()[DeliveryState.FAILED] == 1
    page = admin.get("/services/mail")
    done = admin.post("/services/mail/retry", data={"hd-csrf_token": csrf_token(page.text)})
    assert done.status_code == 303 and states()[DeliveryState.FAILED] == 0
    assert "Courriels à renvoyer : 1." in admin.get("/services/mail").text


def test_a_header_injection_in_a_subject_or_a_name_stays_text(world, smtp, deliver):
    ticket = ticket_in(db.session, world, Status.IN_PROGRESS, invite=False)
    deliver(soon(3600 * 24))
    smtp.reset()
    # Older data, or another path in: the domain itself would have cleaned these.
    db.session.execute(
        sa.update(Ticket)
        .where(Ticket.id == ticket.id)
        .values(subject="Panne\r\nBcc: evil@example.org")
    )
    db.session.execute(
        sa.update(User)
        .where(User.id == world.owner.id)
        .values(display_name="Test\r\nBcc: evil2@example.org")
    )
    db.session.commit()
    act(db.session, ticket.id, Action.COMMENT, user=world.tm, message="Une question.")
    assert deliver().sent == 1
    (mail,) = smtp.mails
    assert mail.recipients == [world.owner.email]
    message = mail.message
    assert message["Bcc"] is None and message["Cc"] is None
    assert (
        message["Subject"]
        == f"[information INFORMATIQUE n°{ticket.id}] Panne Bcc: evil@example.org"
    )
    assert "evil" not in message["To"].addresses[0].addr_spec


def test_a_five_megabyte_message_is_cut_with_a_link_to_read_more(world, smtp, deliver):
    ticket = ticket_in(db.session, world, Status.IN_PROGRESS, invite=False)
    deliver(soon(3600 * 24))
    smtp.reset()
    event = act(db.session, ticket.id, Action.COMMENT, user=world.tm, message="court")
    huge = "Journal d'erreurs. " * (5 * 1024 * 1024 // 19)
    db.session.execute(
        sa.update(TicketEvent).where(TicketEvent.id == event.id).values(message=huge)
    )
    db.session.commit()
    started = time.perf_counter()
    assert deliver().sent == 1
    assert time.perf_counter() - started < 5
    ((mail, raw),) = [(m.message, m.raw) for m in smtp.mails]
    assert len(raw) < 100_000
    assert max(len(line) for line in raw.splitlines()) <= 998  # SMTP's limit
    body = text_of(mail)
    assert "[…]" in body and "Lire la suite sur la page du ticket" in readable(mail)


def test_a_recipient_without_an_address_is_never_a_crash(world, smtp, deliver):
    ticket = ticket_in(db.session, world, Status.IN_PROGRESS)
    deliver(soon(3600 * 24))
    smtp.reset()
    world.invitee.email = None
    db.session.commit()
    act(db.session, ticket.id, Action.COMMENT, user=world.tm, message="Une question.")
    assert {row.recipient_id for row in outbox_rows(state=DeliveryState.PENDING)} == {
        world.owner.id
    }  # nobody to write to: no row

    act(db.session, ticket.id, Action.CLOSE, user=world.tm, message="Réglé.")
    world.owner.email = "esup9992@univ.example\r\nBcc: evil@example.org"  # changed since
    db.session.commit()
    report = deliver()
    assert (report.sent, report.failed) == (0, 1)  # one mail: the comment and the closure
    failed = outbox_rows(state=DeliveryState.FAILED)
    assert {row.recipient_id for row in failed} == {world.owner.id}
    assert all("not a usable e-mail address" in row.last_error for row in failed)
    world.owner.email = None
    db.session.commit()
    act(db.session, ticket.id, Action.COMMENT, user=world.invitee, message="Et alors ?")
    assert deliver().failed == 0  # the owner has no address now: nothing queued for her
    assert smtp.messages and all(m["Bcc"] is None for m in smtp.messages)


def test_a_mail_that_cannot_be_written_fails_at_once_and_says_why(
    world, smtp, deliver, monkeypatch
):
    ticket = ticket_in(db.session, world, Status.IN_PROGRESS)
    deliver(soon(3600 * 24))
    smtp.reset()

    def broken(self, mail, ticket, view_url):
        raise ValueError("template exploded")

    monkeypatch.setattr(Composer, "_links", broken)
    act(db.session, ticket.id, Action.COMMENT, user=world.tm, message="Une question.")
    report = deliver()
    assert (report.sent, report.failed, report.retrying) == (0, 2, 0)
    assert {row.last_error for row in outbox_rows(state=DeliveryState.FAILED)} == {
        "could not write the mail: ValueError: template exploded"
    }
    assert not smtp.messages
