"""A real SMTP server on loopback (aiosmtpd), for the mail tests.

It keeps every mail it accepts as an ``email.message.EmailMessage``; it can be
stopped and started again on the same port (an outage), and told to answer
« 451 try later » or « 550 no such user » to recipients (temporary and permanent
refusals).
"""

from __future__ import annotations

import email
import email.policy
import threading
from collections import Counter
from dataclasses import dataclass
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from tests.cas_server import free_port

TEMPORARY = "451 4.3.0 Mailbox busy, try again later"
PERMANENT = "550 5.1.1 No such user here"


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage
    raw: bytes


class _Handler:
    def __init__(self, server: SmtpServer):
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        answer = self.server.answer_for(address)
        if answer:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.server.received(
            Received(envelope.mail_from, list(envelope.rcpt_tos), message, envelope.content)
        )
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self, port: int | None = None):
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self.mails: list[Received] = []
        self.refuse_all: str | None = None  # TEMPORARY or PERMANENT for every recipient
        self.refused: dict[str, str] = {}  # address -> answer
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    # What the server answers ------------------------------------------------------------

    def answer_for(self, address: str) -> str | None:
        return self.refused.get(address.lower()) or self.refuse_all

    def received(self, mail: Received) -> None:
        with self._lock:
            self.mails.append(mail)

    # Running ---------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> SmtpServer:
        if self._controller is None:
            controller = Controller(_Handler(self), hostname=self.host, port=self.port)
            controller.start()
            self._controller = controller
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def reset(self) -> None:
        with self._lock:
            self.mails.clear()
        self.refuse_all = None
        self.refused.clear()

    # Reading ---------------------------------------------------------------------------

    @property
    def messages(self) -> list[EmailMessage]:
        with self._lock:
            return [mail.message for mail in self.mails]

    def to(self, address: str) -> list[EmailMessage]:
        """The mails whose envelope went to ``address``."""
        with self._lock:
            return [mail.message for mail in self.mails if address in mail.recipients]

    def message_ids(self) -> Counter:
        """How many times each (recipient, Message-ID) arrived."""
        with self._lock:
            return Counter(
                (recipient, mail.message["Message-ID"])
                for mail in self.mails
                for recipient in mail.recipients
            )
