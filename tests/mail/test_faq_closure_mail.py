"""A closure pointing to a FAQ entry: the owner's mail links the entry."""

from __future__ import annotations

from models import db
from models.enums import Action, Status
from models.faq import add_entry
from models.operations import act
from tests.factories import ticket_in
from tests.mail.helpers import html_of, links_of, text_of
from tests.routes.conftest import PUBLIC_URL


def test_the_closure_mail_links_the_faq_entry_that_answers(world, smtp, deliver):
    entry = add_entry(
        db.session, actor=world.dm, department=world.service, title="Se connecter au Wi-Fi eduroam"
    )
    ticket = ticket_in(db.session, world, Status.IN_PROGRESS)
    deliver()
    smtp.reset()
    act(db.session, ticket.id, Action.CLOSE, user=world.tm, message="Voir la FAQ.", faq_entry=entry)
    deliver()
    (mail,) = smtp.to(world.owner.email)
    url = f"{PUBLIC_URL}/faq/{entry.id}"
    assert links_of(mail)["Se connecter au Wi-Fi eduroam"] == url
    assert "Voir la FAQ." in html_of(mail)
    assert url in text_of(mail) and "Se connecter au Wi-Fi eduroam" in text_of(mail)
