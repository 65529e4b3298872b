"""One delivery pass: claim the due rows, write their mails, send them through
Flask-Mail over one SMTP connection, and record the outcomes.

The pass reads the database a few times per batch, not per mail: the batch is loaded
with everything its mails need (models/delivery.py), nothing is reloaded after a
commit during the pass, and the mails sent are recorded a group at a time.

A mail that can never go (no address, a refused recipient, a mail we could not
write) is failed at once, for admins to see and send again; a server that is down
or answers « try later » gets the mail again after a backoff, up to
OUTBOX_MAX_ATTEMPTS. With MAIL_FILE_DIR set, mails are written there as .eml files
instead (the demo reads them there).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import secrets
import smtplib
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from flask import Flask, current_app, has_app_context
from flask_mail import BadHeaderError, Connection, email_dispatched
from sqlalchemy.exc import SQLAlchemyError

from models import db
from models.db import utcnow
from models.delivery import DEFAULT_MAX_ATTEMPTS, Mail, claim_due, mark_done, mark_failed
from models.outbox import DeliveryState

from .compose import Composed, Composer, Moot, Undeliverable

log = logging.getLogger(__name__)

DEFAULT_BATCH = 50
# Mails sent are recorded together, after this many or this many seconds, whichever
# comes first. The trade-off: a worker that dies between sending and recording leaves
# those rows claimed, and once their lease expires they are sent again. Larger groups
# mean fewer commits per mail, and more mails a crash may send twice.
RECORD_EVERY = 50
RECORD_SECONDS = 1.0


@dataclass
class DeliveryReport:
    """What one pass did, counted in mails."""

    rows: int = 0  # outbox rows claimed
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    moot: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def mails(self) -> int:
        return self.sent + self.retrying + self.failed + self.moot

    def __str__(self) -> str:
        return (
            f"sent: {self.sent}, to retry: {self.retrying}, failed: {self.failed}, "
            f"nothing to tell: {self.moot}"
        )


class ConnectionLost(Exception):
    """The server went away: this mail and the rest of the batch wait for a retry."""


class SmtpTransport(Connection):
    """Flask-Mail's connection, with a timeout so that a silent server never hangs a worker."""

    def __init__(self, app: Flask):
        super().__init__(app.extensions["mail"])
        self.timeout = float(app.config["MAIL_TIMEOUT"])

    def configure_host(self):
        state = self.mail
        factory = smtplib.SMTP_SSL if state.use_ssl else smtplib.SMTP
        host = factory(state.server, state.port, timeout=self.timeout)
        host.set_debuglevel(int(state.debug))
        if state.use_tls:
            host.starttls()
        if state.username and state.password:
            host.login(state.username, state.password)
        return host

    def __exit__(self, *exc) -> None:
        # The server may be gone already; the outcomes are recorded.
        with contextlib.suppress(smtplib.SMTPException, OSError):
            super().__exit__(*exc)


class FileTransport:
    """Writes each mail as an .eml file into a folder, atomically."""

    def __init__(self, app: Flask, folder: str):
        self.app = app
        self.folder = Path(folder)

    def __enter__(self) -> FileTransport:
        self.folder.mkdir(parents=True, exist_ok=True)
        return self

    def __exit__(self, *exc) -> None:
        pass

    def send(self, message) -> None:
        if message.has_bad_headers():
            raise BadHeaderError()
        message.date = message.date or time.time()
        data = message.as_bytes()
        # The recipient in the name, so that a demo user finds their mails.
        recipient = message.recipients[0]
        address = recipient[1] if isinstance(recipient, tuple) else recipient
        stem = re.sub(r"[^A-Za-z0-9.@-]", "_", address)[:100]
        name = f"{time.strftime('%Y%m%d-%H%M%S')}-{stem}-{secrets.token_hex(4)}.eml"
        handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".part")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, self.folder / name)
        email_dispatched.send(self.app, message=message)


class Outcomes:
    """Mails done (sent, or with nothing to tell), recorded a group at a time."""

    def __init__(self, session, now: datetime):
        self.session = session
        self.now = now
        self.waiting: list[tuple[Mail, str | None, str | None]] = []
        self.oldest: float | None = None  # when the first unrecorded one was done

    def done(self, mail: Mail, message_id: str | None, note: str | None = None) -> None:
        self.waiting.append((mail, message_id, note))
        self.oldest = self.oldest or time.monotonic()
        if len(self.waiting) >= RECORD_EVERY:
            self.record()
        else:
            self.record_if_old()

    def record_if_old(self) -> None:
        if self.oldest is not None and time.monotonic() - self.oldest >= RECORD_SECONDS:
            self.record()

    def record(self) -> None:
        if self.waiting:
            mark_done(self.session, self.waiting, now=self.now)
        self.waiting, self.oldest = [], None


@contextlib.contextmanager
def keeping_loaded(session):
    """Commits within the pass keep what it loaded: by default each would expire the
    whole batch, and the next mail would read it all again. Restored afterwards, so
    the session's next commit expires as usual."""
    previous = session.expire_on_commit
    session.expire_on_commit = False
    try:
        yield
    finally:
        session.expire_on_commit = previous


def transport(app: Flask):
    folder = app.config.get("MAIL_FILE_DIR")
    return FileTransport(app, folder) if folder else SmtpTransport(app)


def _smtp_error(error: BaseException) -> tuple[str, bool]:
    """What went wrong, and whether it is permanent (5xx: never try again)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        text = "; ".join(
            f"{address}: {code} {_text(answer)}"
            for address, (code, answer) in error.recipients.items()
        )
        return f"recipient refused: {text}", bool(codes) and all(code >= 500 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{error.smtp_code} {_text(error.smtp_error)}", error.smtp_code >= 500
    if isinstance(error, BadHeaderError):
        return "a header would have held a line break", True
    return f"{type(error).__name__}: {error}", False


def _text(answer) -> str:
    return answer.decode("utf-8", "replace") if isinstance(answer, bytes) else str(answer)


def _connection_lost(error: BaseException) -> bool:
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code == 421  # the server is closing the connection
    # SMTPException derives from OSError: only socket errors are left here.
    return isinstance(error, OSError) and not isinstance(error, smtplib.SMTPException)


def deliver_due(
    app: Flask | None = None, *, now: datetime | None = None, limit: int = DEFAULT_BATCH
) -> DeliveryReport:
    """Deliver what is due at ``now`` (up to ``limit`` rows): one pass."""
    app = app or current_app._get_current_object()
    if has_app_context() and current_app._get_current_object() is app:
        return _deliver(app, now or utcnow(), limit)
    with app.app_context():
        try:
            return _deliver(app, now or utcnow(), limit)
        finally:
            db.session.remove()


def deliver_all_due(
    app: Flask | None = None, *, now: datetime | None = None, limit: int = DEFAULT_BATCH
) -> DeliveryReport:
    """Pass after pass until what is due is done (each pass one connection)."""
    total = DeliveryReport()
    while True:
        report = deliver_due(app, now=now, limit=limit)
        for name in ("rows", "sent", "retrying", "failed", "moot"):
            setattr(total, name, getattr(total, name) + getattr(report, name))
        total.errors += report.errors
        if report.rows < limit:
            return total


def _deliver(app: Flask, now: datetime, limit: int) -> DeliveryReport:
    session = db.session()  # the Session itself, not its proxy: keeping_loaded sets it
    max_attempts = int(app.config.get("OUTBOX_MAX_ATTEMPTS") or DEFAULT_MAX_ATTEMPTS)
    mails = claim_due(session, now=now, limit=limit)
    report = DeliveryReport(rows=sum(len(mail.rows) for mail in mails))
    if not mails:
        return report

    def failed(mail: Mail, error: str, *, permanent: bool) -> None:
        state = mark_failed(
            session, mail, error, permanent=permanent, max_attempts=max_attempts, now=now
        )
        given_up = state is DeliveryState.FAILED
        report.failed += given_up
        report.retrying += not given_up
        report.errors.append(error)
        log.warning(
            "mail %s to %r (outbox %s, attempt %s) %s: %s",
            "failed" if given_up else "delayed",
            mail.address,
            ",".join(str(row.id) for row in mail.rows),
            mail.attempts,
            "given up" if given_up else "will be retried",
            error,
        )

    with keeping_loaded(session):
        outcomes = Outcomes(session, now)
        try:
            ready = _compose_all(session, mails, now, outcomes, report, failed)
            if ready:
                _send_all(app, ready, outcomes, report, failed)
        finally:
            outcomes.record()
    return report


def _compose_all(session, mails, now, outcomes, report, failed) -> list[tuple[Mail, Composed]]:
    """Write every mail first (their approval tokens are committed with them), so
    that no transaction stays open while the SMTP server answers."""
    composer = Composer(session, now=now)
    ready: list[tuple[Mail, Composed]] = []
    for mail in mails:
        try:
            composed = composer.compose(mail)
            session.commit()  # ends the reading; no SQL at all when the mail read nothing
        except Moot as moot:
            _drop_writes(session, composer, moot)
            outcomes.done(mail, None, str(moot))
            report.moot += 1
        except Undeliverable as error:
            _drop_writes(session, composer, error)
            failed(mail, str(error), permanent=True)
        except Exception as error:  # noqa: BLE001 - a mail we cannot write never goes
            _drop_writes(session, composer, error)
            log.exception("could not write the mail of outbox %s", [row.id for row in mail.rows])
            failed(
                mail, f"could not write the mail: {type(error).__name__}: {error}", permanent=True
            )
        else:
            ready.append((mail, composed))
    return ready


def _drop_writes(session, composer: Composer, error: Exception) -> None:
    """End the transaction of a mail that will not go, undoing what it wrote. A
    rollback expires all the batch loaded (the next mails would read it again): only
    when the mail wrote something, or the database failed."""
    if composer.wrote or isinstance(error, SQLAlchemyError):
        session.rollback()
    else:
        session.commit()


def _send_all(app, ready, outcomes, report, failed) -> None:
    waiting = list(ready)
    try:
        with transport(app) as connection:
            while waiting:
                mail, composed = waiting[0]
                outcomes.record_if_old()  # a slow send never holds back older outcomes
                try:
                    connection.send(composed.message)
                except Exception as error:  # noqa: BLE001 - classified, logged, recorded
                    if _connection_lost(error):
                        raise ConnectionLost(_smtp_error(error)[0]) from error
                    text, permanent = _smtp_error(error)
                    waiting.pop(0)
                    failed(mail, text, permanent=permanent)
                else:
                    waiting.pop(0)
                    outcomes.done(mail, composed.message_id)
                    report.sent += 1
    except ConnectionLost as lost:
        for mail, _ in waiting:
            failed(mail, str(lost), permanent=False)
    except Exception as error:  # noqa: BLE001 - the server could not be reached at all
        text = _smtp_error(error)[0]
        for mail, _ in waiting:
            failed(mail, f"cannot reach the mail server: {text}", permanent=False)
