"""The mails as their recipients read them: language, subject, threading, what each
may read, and the quick links the workflow table gives each of them."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from models import OutboxMessage, Ticket, TicketEvent, db
from models.db import utcnow
from models.enums import Action, ActionScope, Status
from models.operations import act, file_ticket
from models.outbox import Reason
from models.quick_links import quick_links
from portlet.mail.compose import (
    LINK_LABELS,
    header_safe,
    subject_event,
    thread_root,
)
from portlet.mail.links import MailUrls
from tests.factories import ticket_in
from tests.mail.conftest import soon
from tests.mail.helpers import (
    html_of,
    is_alternative,
    links_of,
    path_of,
    quick_link_labels,
    readable,
    text_of,
)
from tests.routes.conftest import PUBLIC_URL


def new_ticket(world, subject="Imprimante HS", **options):
    ticket = file_ticket(
        db.session,
        creator=world.owner,
        category_id=world.category.id,
        subject=subject,
        message="L'imprimante du 2e étage n'imprime plus.",
        **options,
    )
    db.session.commit()
    return ticket


def only(messages):
    assert len(messages) == 1, [m["Subject"] for m in messages]
    return messages[0]


def test_each_recipient_reads_the_mail_in_their_language(world, smtp, deliver):
    world.tm.language = "en"
    ticket = new_ticket(world)
    report = deliver()
    assert (report.sent, report.failed, report.retrying) == (3, 0, 0)  # the category's members

    english = only(smtp.to(world.tm.email))
    french = only(smtp.to(world.dm.email))
    assert english["Subject"] == f"[creation INFORMATIQUE #{ticket.id}] Imprimante HS"
    assert french["Subject"] == f"[création INFORMATIQUE n°{ticket.id}] Imprimante HS"
    assert (english["Content-Language"], french["Content-Language"]) == ("en", "fr")
    for message in (english, french):
        assert is_alternative(message)  # an HTML part and a plain-text part
        assert "L'imprimante du 2e étage n'imprime plus." in text_of(message)
        assert "L&#39;imprimante du 2e étage" in html_of(message)
        assert message["Auto-Submitted"] == "auto-generated"
        assert message["X-Assistance-Ticket"] == str(ticket.id)
        assert message["From"] == "Assistance <assistance@univ.example>"
    assert "Quick links" in readable(english) and "Liens rapides" in readable(french)
    assert "Test ESUP (esup9992) created the ticket." in readable(english)
    assert "Test ESUP (esup9992) a créé le ticket." in readable(french)
    assert "vous êtes membre de sa catégorie" in readable(french)  # why they get it
    assert links_of(french)["Choisir les courriels que vous recevez"] == f"{PUBLIC_URL}/preferences"
    assert not smtp.to(world.owner.email)  # the author is never told of their own action


def test_a_tickets_mails_thread_under_its_creation_mail(world, smtp, deliver):
    ticket = new_ticket(world)
    root = thread_root(ticket.id, "assistance.test")
    deliver()
    start = utcnow()
    act(db.session, ticket.id, Action.TAKE, user=world.tm, now=start)
    act(
        db.session,
        ticket.id,
        Action.REQUEST_INFORMATION,
        user=world.tm,
        message="Quel modèle ?",
        now=start + timedelta(seconds=2),
    )
    act(
        db.session,
        ticket.id,
        Action.COMMENT,
        user=world.owner,
        message="Une HP LaserJet.",
        now=start + timedelta(seconds=60),
    )
    deliver(start + timedelta(minutes=5))

    creation = smtp.to(world.dm.email)[0]
    assert creation["Message-ID"] == root and creation["In-Reply-To"] is None
    # Take and request within seconds: one mail, named by the more significant event.
    to_owner = only(smtp.to(world.owner.email))
    assert to_owner["Subject"] == f"[prise en charge INFORMATIQUE n°{ticket.id}] Imprimante HS"
    assert "a pris le ticket en charge" in readable(to_owner)
    assert "a demandé plus d'information" in readable(to_owner) and "Quel modèle ?" in readable(
        to_owner
    )
    answer = only(smtp.to(world.tm.email)[1:])
    assert answer["Subject"] == f"[information INFORMATIQUE n°{ticket.id}] Imprimante HS"
    others = [m for m in smtp.messages if m["Message-ID"] != root]
    assert others and all(m["In-Reply-To"] == root == m["References"] for m in others)
    ids = [m["Message-ID"] for m in smtp.messages]
    assert len(set(ids)) == len(ids) - 2  # the creation mail to three managers shares the root
    # The manager never gets his own take and request; the owner never gets her answer.
    assert [m["Subject"].split()[0] for m in smtp.to(world.tm.email)] == [
        "[création",
        "[information",
    ]


def test_an_internal_note_never_reaches_the_owner(world, smtp, deliver):
    ticket = ticket_in(db.session, world, Status.IN_PROGRESS, invite=False)
    deliver(soon(3600 * 24))
    smtp.reset()
    start = utcnow()
    act(
        db.session,
        ticket.id,
        Action.COMMENT,
        user=world.dm,
        message="Note interne : utilisateur déjà venu trois fois.",
        scope=ActionScope.MANAGER,
        now=start,
    )
    act(
        db.session,
        ticket.id,
        Action.CLOSE,
        user=world.tm,
        message="C'est réparé.",
        now=start + timedelta(minutes=1),
    )
    deliver(start + timedelta(minutes=10))

    note = only(smtp.to(world.tm.email))
    assert "Note interne" in readable(note) and "(Gestionnaires seulement)" in readable(note)
    closure = only(smtp.to(world.owner.email))
    assert "C'est réparé." in text_of(closure)
    assert "Note interne" not in html_of(closure) + text_of(closure)  # nor in its history


SIGNIFICANCE = [
    ([Action.ASSIGN, Action.CREATE], "création"),
    ([Action.TAKE, Action.CLOSE], "clôture"),
    ([Action.TAKE, Action.REQUEST_INFORMATION], "prise en charge"),
    ([Action.COMMENT, Action.REFUSE_CLOSURE], "refus clôture"),
    ([Action.COMMENT, Action.APPROVE_CLOSURE], "approbation clôture"),
    ([Action.POSTPONE], "gel"),
    ([Action.CANCEL_POSTPONEMENT], "rappel"),
    ([Action.COMMENT, Action.UPLOAD], "information"),
    ([Action.DELETE_ATTACHMENT], "suppression pièce jointe"),
    ([Action.EXPIRE], "expiration"),
    ([Action.CHANGE_PRIORITY, Action.UPLOAD], "alerte"),
]


@pytest.mark.parametrize("kinds, word", SIGNIFICANCE)
def test_the_subject_names_the_most_significant_action(app, kinds, word):
    events = [TicketEvent(kind=kind) for kind in kinds]
    with force_locale("fr"):
        assert str(subject_event(events)) == word


def expected_labels(ticket, user) -> list[str]:
    """What the workflow table lets ``user`` do, as the mail's quick links say it."""
    with force_locale("fr"):
        return ["Consulter le ticket"] + [
            str(LINK_LABELS[link.action, link.then]) for link in quick_links(ticket, user)
        ]


# (status the ticket is brought to, who is told of the last step, links they get)
LINKS = [
    (
        Status.CLOSED,
        "owner",
        [
            "Consulter le ticket",
            "Ajouter un commentaire",
            "Approuver la clôture",
            "Refuser la clôture",
        ],
    ),
    (
        Status.INCOMPLETE,
        "owner",
        ["Consulter le ticket", "Ajouter un commentaire"],
    ),
    (
        Status.CLOSED,
        "invitee",
        ["Consulter le ticket", "Ajouter un commentaire"],
    ),
    (
        Status.REFUSED,
        "owner",
        ["Consulter le ticket", "Ajouter un commentaire", "Ré-ouvrir"],
    ),
]


@pytest.mark.parametrize("status, who, labels", LINKS)
def test_quick_links_are_what_the_workflow_table_allows_each_recipient(
    world, smtp, deliver, status, who, labels
):
    ticket = ticket_in(db.session, world, status, start=utcnow() - timedelta(hours=3))
    deliver(soon(3600 * 24))
    recipient = getattr(world, who)
    last = smtp.to(recipient.email)[-1]
    assert quick_link_labels(last) == labels == expected_labels(ticket, recipient)


def test_managers_get_take_links_on_a_new_ticket(world, smtp, deliver):
    ticket = new_ticket(world)
    deliver()
    for manager in (world.tm, world.dm, world.colleague):
        labels = quick_link_labels(only(smtp.to(manager.email)))
        assert labels == expected_labels(db.session.get(Ticket, ticket.id), manager)
        assert labels[:4] == [
            "Consulter le ticket",
            "Prendre en charge",
            "Prendre en charge et clore",
            "Prendre en charge et demander des informations",
        ]
    links = links_of(only(smtp.to(world.tm.email)))
    assert links["Prendre en charge"] == f"{PUBLIC_URL}/tickets/{ticket.id}/take"
    assert links["Prendre en charge et clore"] == f"{PUBLIC_URL}/tickets/{ticket.id}/take-and/close"


def test_the_approval_link_acts_once_for_its_recipient_only(world, smtp, deliver, browser):
    ticket = ticket_in(db.session, world, Status.CLOSED, start=utcnow() - timedelta(hours=3))
    deliver(soon(3600 * 24))
    closure = smtp.to(world.owner.email)[-1]
    approve = links_of(closure)["Approuver la clôture"]
    assert approve.startswith(f"{PUBLIC_URL}/mail/act/")
    assert "une seule fois" in readable(closure)

    forwarded = browser(world.tm).get(path_of(approve))  # a forwarded mail acts for nobody else
    assert forwarded.status_code == 403
    assert db.session.get(Ticket, ticket.id).status is Status.CLOSED

    owner = browser(world.owner)
    done = owner.get(path_of(approve))
    assert done.status_code == 303
    assert done.headers["Location"] == f"{PUBLIC_URL}/tickets/{ticket.id}"
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).status is Status.APPROVED
    again = owner.get(path_of(approve))
    assert again.status_code == 410 and "déjà été utilisé" in again.text

    refuse = links_of(closure)["Refuser la clôture"]
    page = owner.get(path_of(refuse))  # the usual page, which asks why (here: too late)
    assert page.status_code in (200, 403, 409)


def test_refusing_a_closure_from_the_mail_asks_why(world, smtp, deliver, browser):
    ticket = ticket_in(db.session, world, Status.CLOSED, start=utcnow() - timedelta(hours=3))
    deliver(soon(3600 * 24))
    refuse = links_of(smtp.to(world.owner.email)[-1])["Refuser la clôture"]
    assert refuse == f"{PUBLIC_URL}/tickets/{ticket.id}/refuse_closure"
    page = browser(world.owner).get(path_of(refuse))
    assert page.status_code == 200 and "Pourquoi refusez-vous la clôture ?" in page.text


def test_the_comment_link_shows_the_question_it_answers(world, smtp, deliver, browser):
    ticket = ticket_in(db.session, world, Status.IN_PROGRESS, start=utcnow() - timedelta(hours=3))
    act(db.session, ticket.id, Action.REQUEST_INFORMATION, user=world.tm, message="Quel modèle ?")
    act(
        db.session,
        ticket.id,
        Action.COMMENT,
        user=world.tm,
        message="Note interne : voir le fournisseur.",
        scope=ActionScope.MANAGER,
        now=utcnow() + timedelta(minutes=1),
    )
    deliver(soon(3600))
    request = [m for m in smtp.to(world.owner.email) if m["Subject"].startswith("[demande ")]
    comment = links_of(request[-1])["Ajouter un commentaire"]
    page = browser(world.owner).get(path_of(comment))
    assert page.status_code == 200
    assert "Jean DUPONT (jdupont) a écrit" in page.text and "Quel modèle ?" in page.text
    assert "Note interne" not in page.text  # the last message she may read, not the last one
    manager_page = browser(world.tm).get(path_of(comment))
    assert "Note interne : voir le fournisseur." in manager_page.text


def test_a_bare_category_address_gets_the_ticket_link_only(world, smtp, deliver):
    ticket = new_ticket(world)
    act(
        db.session,
        ticket.id,
        Action.COMMENT,
        user=world.dm,
        message="Note interne pour l'équipe.",
        scope=ActionScope.MANAGER,
    )
    events = db.session.get(Ticket, ticket.id).events
    for event in events:  # what models/notifications writes for a category's address
        db.session.add(
            OutboxMessage(
                event=event,
                ticket_id=ticket.id,
                recipient_email="reseau@univ.example",
                reason=Reason.CATEGORY_ADDRESS,
                created_at=event.created_at,
                next_attempt_at=event.created_at,
            )
        )
    deliver(soon(60))
    mails = smtp.to("reseau@univ.example")
    assert len(mails) == 1  # the internal note alone would tell it nothing: not sent
    (mail,) = mails
    assert quick_link_labels(mail) == ["Consulter le ticket"]
    assert "pas le compte d'une personne" in readable(mail)
    assert "cette adresse suit la catégorie du ticket" in readable(mail)
    assert "Note interne" not in html_of(mail) + text_of(mail)
    assert mail["To"] == "reseau@univ.example" and mail["Content-Language"] == "fr"
    (note_row,) = [
        row
        for row in db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.recipient_email.is_not(None))
        )
        if row.event.scope is ActionScope.MANAGER
    ]
    assert note_row.message_id is None and "nothing" in note_row.last_error


def test_a_new_invitee_is_told_who_invited_them(world, smtp, deliver):
    ticket = new_ticket(world)
    deliver()
    act(db.session, ticket.id, Action.INVITE, user=world.owner, invitee=world.newcomer)
    deliver()
    invitation = only(smtp.to(world.newcomer.email))
    assert invitation["Subject"] == f"[invitation INFORMATIQUE n°{ticket.id}] Imprimante HS"
    assert (
        f"Vous avez été invité par Test ESUP (esup9992) à suivre le ticket n°{ticket.id}."
        in readable(invitation)
    )


def test_links_go_through_the_portal_when_it_is_configured(app, world, smtp, deliver):
    app.config["PORTAL_URL_TEMPLATE"] = "https://ent.univ-x.fr/render.uP?pP_goto={path}"
    ticket = ticket_in(db.session, world, Status.CLOSED, start=utcnow() - timedelta(hours=3))
    deliver(soon(3600 * 24))
    links = links_of(smtp.to(world.owner.email)[-1])
    assert links["Consulter le ticket"] == (
        f"https://ent.univ-x.fr/render.uP?pP_goto=%2Fportlet%2Ftickets%2F{ticket.id}"
    )
    # The one-click link is ours alone: it opens the full page, signing in through CAS.
    assert links["Approuver la clôture"].startswith(f"{PUBLIC_URL}/mail/act/")


@pytest.mark.parametrize("portal", [None, "https://ent.univ-x.fr/p/render.uP?pP_goto={path}"])
def test_mail_links_are_the_deep_links_of_the_pages(app, portal):
    """Built without a request, they are byte for byte what a request would build."""
    from routes._urls import deep_link

    app.config["PORTAL_URL_TEMPLATE"] = portal
    urls = MailUrls(app)
    with app.test_request_context():
        for endpoint, values in [
            ("tickets.view", {"ticket_id": 7}),
            ("tickets.action_page", {"ticket_id": 7, "action": Action.REFUSE_CLOSURE}),
            ("tickets.take_and", {"ticket_id": 7, "action": Action.CLOSE}),
        ]:
            assert urls.deep(endpoint, **values) == deep_link(endpoint, **values)


@pytest.mark.parametrize(
    "value, safe",
    [
        ("Panne\r\nBcc: evil@example.org", "Panne Bcc: evil@example.org"),
        ("a\nb\tc\x00d\u2028e\u200bf", "a b c d e f"),
        ("  spaces   everywhere ", "spaces everywhere"),
        ("x" * 400, "x" * 249 + "…"),
    ],
)
def test_header_values_are_one_line(value, safe):
    assert header_safe(value) == safe


def test_a_service_that_loses_a_ticket_hears_of_the_move_alone(world, smtp, deliver):
    ticket = ticket_in(db.session, world, Status.IN_PROGRESS, attach=False)
    act(db.session, ticket.id, Action.COMMENT, user=world.owner, message="Toujours en panne.")
    act(
        db.session,
        ticket.id,
        Action.CHANGE_DEPARTMENT,
        user=world.dm,
        category=world.other_category,
        now=utcnow() + timedelta(minutes=1),
    )
    deliver(soon(120))
    # The colleague, a member of the previous category, may no longer open the ticket.
    (mail,) = [m for m in smtp.to(world.colleague.email) if "Toujours" not in readable(m)]
    text = readable(mail)
    assert "vous ne pouvez plus l'ouvrir" in text
    assert "HYGIENE - SECURITE" in text
    assert not links_of(mail) or all("/tickets/" not in url for url in links_of(mail).values())
    assert "Plus tôt" not in text and "Liens rapides" not in text
