"""« Approuver la clôture » from a mail: one click for its recipient, signed in; a
tampered, expired, reused or someone else's link acts for nobody and says why."""

from __future__ import annotations

from datetime import timedelta

import pytest

from models import Ticket, db
from models.db import utcnow
from models.enums import Action, Status
from models.mail_tokens import ActionToken, issue_token
from tests.factories import ticket_in
from tests.routes.conftest import CAS_URL, PUBLIC_URL
from tests.routes.test_ticket_pages import text


def approve_link(app, world, ticket, **extra) -> str:
    token = issue_token(
        db.session,
        user=world.owner,
        ticket=ticket,
        action=Action.APPROVE_CLOSURE,
        secret=app.config["SECRET_KEY"],
        **extra,
    )
    db.session.commit()
    return f"/mail/act/{token}"


def status_of(ticket) -> Status:
    db.session.expire_all()
    return db.session.get(Ticket, ticket.id).status


def test_the_owner_approves_in_one_click_and_only_once(app, world, browser):
    ticket = ticket_in(db.session, world, Status.CLOSED)
    link = approve_link(app, world, ticket)
    owner = browser(world.owner)
    answer = owner.get(link)
    assert answer.status_code == 303
    assert answer.location == f"{PUBLIC_URL}/tickets/{ticket.id}"
    assert status_of(ticket) is Status.APPROVED
    assert "C'est fait : Approuver." in text(owner.get(f"/tickets/{ticket.id}"))

    again = owner.get(link)
    assert again.status_code == 410
    assert "Ce lien a déjà été utilisé." in text(again)
    assert f"/tickets/{ticket.id}" in again.text  # the usual way, through the ticket


def test_someone_not_signed_in_signs_in_first_and_comes_back(app, world, browser):
    ticket = ticket_in(db.session, world, Status.CLOSED)
    link = approve_link(app, world, ticket)
    answer = browser().get(link)
    assert answer.status_code == 302 and answer.location.startswith(CAS_URL)
    assert status_of(ticket) is Status.CLOSED


@pytest.mark.parametrize(
    "spoil, code, says",
    [
        (lambda link: link[:-3] + "abc", 404, "Ce lien n'est pas valide"),
        (lambda link: link + "x", 404, "Ce lien n'est pas valide"),
        (lambda link: "/mail/act/" + "A" * 5000, 404, "Ce lien n'est pas valide"),
        (lambda link: "/mail/act/%00%0d%0a", 404, "Ce lien n'est pas valide"),
    ],
)
def test_a_changed_link_acts_for_nobody(app, world, browser, spoil, code, says):
    ticket = ticket_in(db.session, world, Status.CLOSED)
    answer = browser(world.owner).get(spoil(approve_link(app, world, ticket)))
    assert answer.status_code == code
    assert says in text(answer)
    assert status_of(ticket) is Status.CLOSED


def test_an_expired_link_acts_for_nobody(app, world, browser):
    ticket = ticket_in(db.session, world, Status.CLOSED)
    link = approve_link(app, world, ticket, now=utcnow() - timedelta(days=40))
    answer = browser(world.owner).get(link)
    assert answer.status_code == 410
    assert "Ce lien a expiré." in text(answer)
    assert status_of(ticket) is Status.CLOSED


def test_a_forwarded_link_cannot_act_for_someone_else(app, world, browser):
    ticket = ticket_in(db.session, world, Status.CLOSED)
    link = approve_link(app, world, ticket)
    stranger = browser(world.newcomer).get(link)
    assert stranger.status_code == 403
    assert "Ce lien a été envoyé à quelqu'un d'autre" in text(stranger)
    assert ticket.subject not in stranger.text  # not even the ticket's subject
    manager = browser(world.tm).get(link)
    assert manager.status_code == 403 and f"/tickets/{ticket.id}" in manager.text
    assert status_of(ticket) is Status.CLOSED
    # The owner's click still works: a refused attempt does not use the link up.
    assert browser(world.owner).get(link).status_code == 303
    assert status_of(ticket) is Status.APPROVED


def test_a_link_to_a_ticket_no_longer_closed_says_where_it_stands(app, world, browser):
    ticket = ticket_in(db.session, world, Status.CLOSED)
    link = approve_link(app, world, ticket)
    owner = browser(world.owner)
    owner.submit(f"/tickets/{ticket.id}/refuse_closure", message="Toujours en panne.")
    assert status_of(ticket) is Status.IN_PROGRESS
    answer = owner.get(link)
    assert answer.status_code == 409
    assert "Le ticket n'attend plus cela" in text(answer)
    assert status_of(ticket) is Status.IN_PROGRESS
    token = db.session.query(ActionToken).one()
    assert token.used_at is None
