"""Writing one mail of the outbox: a Flask-Mail message in its recipient's language,
with an HTML and a plain-text part from the Jinja2 templates in ``mail/``.

A mail tells one recipient only what they may read (an internal note never reaches
the owner), offers them the quick links the workflow table gives them, and threads
with the ticket's other mails (Message-ID, In-Reply-To, References). Every header
value is stripped of line breaks and control characters, and long messages are cut
with a link to the ticket.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.charset import QP, Charset
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import force_locale, format_date, get_translations, gettext
from flask_babel import lazy_gettext as _l
from flask_mail import Message
from jinja2 import pass_context
from markupsafe import Markup
from sqlalchemy.orm import Session

from models import Category, Department, Ticket, TicketEvent, User
from models.delivery import Mail
from models.digest import digest_for
from models.enums import PRIORITY_LABELS, Action, ActionScope, MailKind, Status
from models.history import TRACKED_FIELDS
from models.mail_tokens import issue_token
from models.notifications import reads_as_former
from models.outbox import Reason
from models.permissions import can_view, can_view_event
from models.quick_links import QuickLink, quick_links
from routes._presenters import FIELD_LABELS

from .links import MailUrls

# The event a subject names when several actions go out together: the first of this
# list among them, as the original orders them; any other action is an « alerte ».
SUBJECT_EVENTS: list[tuple[frozenset[Action], Any]] = [
    (frozenset({Action.CREATE}), _l("creation")),
    (frozenset({Action.CLOSE, Action.CLOSE_BY_OWNER}), _l("closure")),
    (frozenset({Action.FREE}), _l("release")),
    (frozenset({Action.CANCEL}), _l("cancellation")),
    (frozenset({Action.EXPIRE}), _l("expiry")),
    (frozenset({Action.REFUSE}), _l("refusal")),
    (frozenset({Action.REOPEN}), _l("reopening")),
    (frozenset({Action.APPROVE_CLOSURE}), _l("closure approval")),
    (frozenset({Action.REFUSE_CLOSURE}), _l("closure refusal")),
    (frozenset({Action.ASSIGN}), _l("assignment")),
    (frozenset({Action.TAKE}), _l("taking")),
    (frozenset({Action.POSTPONE}), _l("postponement")),
    (frozenset({Action.CANCEL_POSTPONEMENT}), _l("recall")),
    (frozenset({Action.REQUEST_INFORMATION}), _l("request")),
    (frozenset({Action.COMMENT}), _l("information")),
    (frozenset({Action.INVITE}), _l("invitation")),
    (frozenset({Action.DELETE_ATTACHMENT}), _l("attachment deletion")),
]
ALERT = _l("alert")
INVITATION = _l("invitation")
REMINDER = _l("approval awaited")

LINK_LABELS = {
    (Action.TAKE, None): _l("Take"),
    (Action.TAKE, Action.CLOSE): _l("Take and close"),
    (Action.TAKE, Action.REQUEST_INFORMATION): _l("Take and request information"),
    (Action.CLOSE, None): _l("Close"),
    (Action.FREE, None): _l("Release"),
    (Action.REQUEST_INFORMATION, None): _l("Request information"),
    (Action.COMMENT, None): _l("Add a comment"),
    (Action.REOPEN, None): _l("Reopen"),
    (Action.REFUSE, None): _l("Refuse"),
    (Action.APPROVE_CLOSURE, None): _l("Approve the closure"),
    (Action.REFUSE_CLOSURE, None): _l("Refuse the closure"),
    (Action.ASSIGN, None): _l("Assign"),
    (Action.POSTPONE, None): _l("Postpone"),
}
# The one-click approval link lasts this long.
TOKEN_DAYS = 30
# A message longer than this is cut in « what happened », shorter in the history.
MESSAGE_CHARS = 8000
HISTORY_MESSAGE_CHARS = 600
HISTORY_ENTRIES = 10
SUBJECT_CHARS = 250


def _body_charset() -> Charset:
    """UTF-8 bodies in quoted-printable: lines stay under SMTP's 998 characters
    however long a paragraph (Flask-Mail registers UTF-8 as raw 8-bit)."""
    charset = Charset("utf-8")
    charset.body_encoding = QP
    return charset


BODY_CHARSET = _body_charset()


class Moot(Exception):
    """Nothing is left to tell this recipient (the ticket moved on, or they may no
    longer read it): the rows are done without a mail."""


class Undeliverable(Exception):
    """This mail can never go (no address, a malformed one): failed at once."""


@dataclass
class Link:
    label: Any
    url: str
    action: Action | None = None
    one_click: bool = False
    primary: bool = False


@dataclass
class Entry:
    """One history entry as a recipient may read it."""

    event: TicketEvent
    author: str
    changes: list[tuple[Any, str, str]]
    message: str
    cut: bool
    restricted: Any = None  # the scope's label when the entry is not for everyone


@dataclass
class Composed:
    message: Message
    message_id: str
    address: str
    language: str
    links: list[Link] = field(default_factory=list)


# --- Header safety ---------------------------------------------------------------------

_SPACES = re.compile(r"\s+")


def header_safe(value: object, limit: int = SUBJECT_CHARS) -> str:
    """One line of printable text: line breaks, tabs and control or format characters
    become spaces, so that no value can start a header of its own."""
    text = "".join(
        " " if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") else char
        for char in str(value or "")
    )
    text = _SPACES.sub(" ", text).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def clean_address(address: str | None) -> str:
    """The address, if it is one plain address; Undeliverable otherwise."""
    if not address:
        raise Undeliverable("the recipient has no e-mail address")
    name, parsed = parseaddr(address)
    if (
        parsed != address.strip()
        or name
        or parsed.count("@") != 1
        or any(unicodedata.category(char)[0] in ("C", "Z") for char in parsed)
        or not all(parsed.split("@"))
    ):
        raise Undeliverable(f"not a usable e-mail address: {header_safe(address, 100)!r}")
    return parsed


def mail_domain(config) -> str:
    domain = config.get("MAIL_MESSAGE_ID_DOMAIN") or urlsplit(config["PUBLIC_URL"]).hostname
    domain = re.sub(r"[^A-Za-z0-9.-]", "", domain or "") or "localhost"
    return domain


def thread_root(ticket_id: int, domain: str) -> str:
    """The Message-ID every mail of a ticket answers: its creation mail's."""
    return f"<assistance.ticket-{ticket_id}@{domain}>"


def language_of(recipient: User | None, config) -> str:
    if recipient is not None and recipient.language in config["LANGUAGES"]:
        return recipient.language
    return config["BABEL_DEFAULT_LOCALE"]


def cut(text: str, limit: int) -> tuple[str, bool]:
    if len(text or "") <= limit:
        return text or "", False
    return text[:limit].rstrip() + " […]", True


def templates_gettext(translations) -> dict[str, Any]:
    """``gettext`` and ``ngettext`` for the mail templates (``_()`` calls the first),
    bound to one language's catalogue and formatting as Jinja's « newstyle » ones do.
    Flask-Babel's look the language up in the app context at each call, and a mail
    makes a hundred: passed in the render context, these win over them."""

    @pass_context
    def translated(context, string: str, **variables) -> str:
        text = translations.gettext(string)
        return (Markup(text) if context.eval_ctx.autoescape else text) % variables

    @pass_context
    def translated_plural(context, singular: str, plural: str, count: int, **variables) -> str:
        variables.setdefault("num", count)
        text = translations.ngettext(singular, plural, count)
        return (Markup(text) if context.eval_ctx.autoescape else text) % variables

    return {"gettext": translated, "ngettext": translated_plural}


# --- Reading the ticket as the recipient may -------------------------------------------


def may_read(recipient: User | None, event: TicketEvent) -> bool:
    """A bare address is nobody we know: it reads only entries meant for everyone
    who follows the ticket, never a restricted one."""
    if recipient is None:
        return event.scope is ActionScope.DEFAULT
    return can_view_event(recipient, event)


def _value(session: Session, name: str, value) -> str:
    if value is None:
        return ""
    if name in ("manager_id", "owner_id"):
        user = session.get(User, value)
        return user.label if user else ""
    if name == "department_id":
        department = session.get(Department, value)
        return department.label if department else ""
    if name == "category_id":
        category = session.get(Category, value)
        return category.full_label if category else ""
    if name == "priority":
        return str(PRIORITY_LABELS.get(value, value))
    return str(getattr(value, "label", value))


def entry(session: Session, event: TicketEvent, limit: int) -> Entry:
    changes = []
    if event.kind is not Action.CREATE:
        for name in TRACKED_FIELDS:
            before, after = getattr(event, f"{name}_before"), getattr(event, f"{name}_after")
            if name == "status" and before == after:
                continue
            if before != after and (before is not None or after is not None):
                changes.append(
                    (
                        FIELD_LABELS[name],
                        _value(session, name, before),
                        _value(session, name, after),
                    )
                )
    message, was_cut = cut(event.message, limit)
    author = event.author.label if event.author else gettext("the application")
    restricted = event.scope.label if event.scope is not ActionScope.DEFAULT else None
    return Entry(event, author, changes, message, was_cut, restricted)


def subject_event(events: list[TicketEvent]):
    kinds = {event.kind for event in events}
    for actions, word in SUBJECT_EVENTS:
        if kinds & actions:
            return word
    return ALERT


def subject_line(word, ticket: Ticket) -> str:
    return header_safe(
        gettext(
            "[%(event)s %(service)s #%(number)s] %(subject)s",
            event=str(word),
            service=ticket.department.label,
            number=ticket.number,
            subject=ticket.subject,
        )
    )


# --- The mail --------------------------------------------------------------------------


class Composer:
    """Writes the mails of one delivery pass (needs an app context)."""

    def __init__(self, session: Session, *, now: datetime):
        self.app = current_app._get_current_object()
        self.config = self.app.config
        self.session = session
        self.now = now
        self.urls = MailUrls(self.app)
        self.domain = mail_domain(self.config)
        # Whether writing the current mail wrote to the database (an approval token).
        self.wrote = False

    def compose(self, mail: Mail) -> Composed:
        self.wrote = False
        address = clean_address(mail.address)
        language = language_of(mail.recipient, self.config)
        with force_locale(language):
            if mail.kind is MailKind.DIGEST:
                subject, context, template = self._digest(mail)
                message_id = self._message_id(f"digest-{mail.first.recipient_id}", mail)
                headers = {}
            else:
                if mail.kind is MailKind.EXPIRY_REMINDER:
                    subject, context, template = self._reminder(mail)
                else:
                    subject, context, template = self._event(mail)
                ticket = mail.ticket
                root = thread_root(ticket.id, self.domain)
                creation = any(event.kind is Action.CREATE for event in mail.events)
                message_id = root if creation else self._message_id(f"ticket-{ticket.id}", mail)
                headers = {"X-Assistance-Ticket": str(ticket.id)}
                if not creation:
                    headers |= {"In-Reply-To": root, "References": root}
            context |= {
                "subject": subject,
                "language": language,
                "reason": mail.first.reason.label,
                "bare": mail.recipient is None,
                "preferences_url": self.urls.preferences(),
                "home_url": self.urls.deep("home.index"),
            }
            context |= templates_gettext(get_translations())
            html = render_template(f"mail/{template}.html", **context)
            text = render_template(f"mail/{template}.txt", **context)
        recipient_name = header_safe(mail.recipient.display_name, 100) if mail.recipient else ""
        message = Message(
            subject=subject,
            recipients=[(recipient_name, address) if recipient_name else address],
            body=text,
            html=html,
            sender=self._sender(),
            charset=BODY_CHARSET,
            extra_headers={
                **headers,
                "Auto-Submitted": "auto-generated",
                "X-Auto-Response-Suppress": "All",
                "List-Id": f"Assistance <assistance.{self.domain}>",
                "Content-Language": language,
            },
        )
        message.msgId = message_id
        return Composed(message, message_id, address, language, context.get("links", []))

    def _sender(self) -> str | tuple[str, str]:
        sender = self.config.get("MAIL_DEFAULT_SENDER") or f"assistance@{self.domain}"
        if isinstance(sender, (tuple, list)):
            return (header_safe(sender[0], 100), clean_address(sender[1]))
        name, address = parseaddr(sender)
        return (header_safe(name, 100), clean_address(address)) if name else clean_address(address)

    def _message_id(self, what: str, mail: Mail) -> str:
        return f"<assistance.{what}.{mail.first.id}.{secrets.token_hex(8)}@{self.domain}>"

    # Ticket mails ---------------------------------------------------------------------

    def _ticket_context(self, mail: Mail, ticket: Ticket) -> dict:
        recipient = mail.recipient
        if recipient is not None and not can_view(recipient, ticket):
            if _former_reader(recipient, mail):
                return self._former_context(ticket)
            raise Moot("the recipient may no longer read this ticket")
        told = {event.id for event in mail.events}
        earlier = [
            event
            for event in reversed(ticket.events)
            if event.id not in told and may_read(recipient, event)
        ]
        view_url = self.urls.deep("tickets.view", ticket_id=ticket.id)
        return {
            "ticket": ticket,
            "view_url": view_url,
            "links": self._links(mail, ticket, view_url),
            "history": [
                entry(self.session, event, HISTORY_MESSAGE_CHARS)
                for event in earlier[:HISTORY_ENTRIES]
            ],
            "history_more": max(0, len(earlier) - HISTORY_ENTRIES),
            "priority": PRIORITY_LABELS.get(ticket.priority, ticket.priority),
        }

    def _former_context(self, ticket: Ticket) -> dict:
        """For someone the action itself took the ticket from (its previous service,
        manager or category): this action alone, no history, no link to a page they
        may no longer open."""
        return {
            "ticket": ticket,
            "view_url": None,
            "links": [],
            "history": [],
            "history_more": 0,
            "priority": PRIORITY_LABELS.get(ticket.priority, ticket.priority),
        }

    def _links(self, mail: Mail, ticket: Ticket, view_url: str) -> list[Link]:
        links = [Link(_l("View the ticket"), view_url)]
        recipient = mail.recipient
        if recipient is None:
            return links  # a bare address signs in as nobody: the ticket's page only
        for quick in quick_links(ticket, recipient, self.now):
            links.append(self._link(quick, ticket, recipient))
        return links

    def _link(self, quick: QuickLink, ticket: Ticket, recipient: User) -> Link:
        label = LINK_LABELS[quick.action, quick.then]
        if quick.then is not None:
            url = self.urls.deep("tickets.take_and", ticket_id=ticket.id, action=quick.then)
        elif quick.one_click:
            self.wrote = True
            token = issue_token(
                self.session,
                user=recipient,
                ticket=ticket,
                action=quick.action,
                secret=self.config["SECRET_KEY"],
                days=TOKEN_DAYS,
                now=self.now,
            )
            url = self.urls.page("mail_links.act", token=token)
        else:
            url = self.urls.deep("tickets.action_page", ticket_id=ticket.id, action=quick.action)
        primary = quick.then is None and (
            quick.action in (Action.APPROVE_CLOSURE, Action.TAKE)
            or (quick.action is Action.COMMENT and ticket.status is Status.INCOMPLETE)
        )
        return Link(label, url, quick.action, quick.one_click, primary)

    def _event(self, mail: Mail) -> tuple[str, dict, str]:
        ticket = mail.ticket
        recipient = mail.recipient
        readable = [event for event in mail.events if may_read(recipient, event)]
        if recipient is not None and not readable and _former_reader(recipient, mail):
            readable = [event for event in mail.events if reads_as_former(recipient, event)]
        if not readable:
            raise Moot("nothing in these actions is for this recipient to read")
        context = self._ticket_context(mail, ticket)
        invited_by = None
        invitation = next(
            (
                event
                for event in readable
                if event.kind is Action.INVITE
                and recipient is not None
                and event.invitee_id == recipient.id
            ),
            None,
        )
        if mail.first.reason is Reason.NEW_INVITEE or invitation is not None:
            word = INVITATION  # « [invitation …] »: the mail that brings them in
            if invitation is not None:
                invited_by = (
                    invitation.author.label if invitation.author else gettext("the application")
                )
        else:
            word = subject_event(readable)
        context |= {
            "happened": [entry(self.session, event, MESSAGE_CHARS) for event in readable],
            "invited_by": invited_by,
            "token_days": TOKEN_DAYS,
        }
        return subject_line(word, ticket), context, "ticket"

    def _reminder(self, mail: Mail) -> tuple[str, dict, str]:
        ticket = mail.ticket
        if not ticket.status.awaits_approval:
            raise Moot("the ticket no longer awaits approval")
        days = ticket.category.effective("expiry_days")
        if days <= 0:
            raise Moot("tickets of this category never expire")
        context = self._ticket_context(mail, ticket)
        context |= {
            "expires_on": _day(ticket.last_action_at + timedelta(days=days)),
            "token_days": TOKEN_DAYS,
        }
        return subject_line(REMINDER, ticket), context, "expiry_reminder"

    # The digest -----------------------------------------------------------------------

    def _digest(self, mail: Mail) -> tuple[str, dict, str]:
        manager = mail.recipient
        if manager is None:
            raise Undeliverable("a digest goes to a manager, not to a bare address")
        sections = digest_for(self.session, manager, self.now)
        if not sections:
            raise Moot("no open ticket in the manager's services")
        urls = {
            item.ticket.id: self.urls.deep("tickets.view", ticket_id=item.ticket.id)
            for section in sections
            for part in (section.managed, section.member, section.free)
            for item in part.tickets
        }
        subject = header_safe(
            gettext(
                "[Assistance] Your tickets on %(day)s",
                day=_day(mail.first.digest_day or self.now.date()),
            )
        )
        context = {
            "sections": sections,
            "ticket_urls": urls,
            "queue_url": self.urls.deep("dashboard.index"),
            "links": [],
        }
        return subject, context, "digest"


def _former_reader(recipient: User, mail: Mail) -> bool:
    return any(reads_as_former(recipient, event) for event in mail.events)


def _day(day) -> str:
    return format_date(day, "long")
