"""In-process delivery for the embedded default (SQLite, no worker to run).

A commit made by a request that wrote outbox rows wakes one thread per process,
which sends what is due, sleeps until the next row falls due (rows wait a few
seconds so that one author's quick actions go out as one mail), and looks again
every POLL_SECONDS for rows left by failures or by other processes. The thread
starts with the first request or the first such commit, and stops when the
application's database engine is disposed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from flask import Flask, current_app, has_request_context
from flask_sqlalchemy.session import Session as FlaskSession

from models import db
from models.db import utcnow
from models.delivery import next_due
from models.outbox import OutboxMessage

from .send import deliver_all_due

log = logging.getLogger(__name__)

EXTENSION = "assistance.inline_mail"
POLL_SECONDS = 30.0
# Never spin: even a row due « now » that another process holds waits this long.
MIN_WAIT_SECONDS = 0.5
_WROTE = "assistance.outbox_written"


class InlineDelivery:
    def __init__(self, app: Flask):
        self.app = app
        self.clock: Callable[[], datetime] = utcnow  # tests move time forward
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._watched: set[int] = set()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        with self._lock:
            if self.running and not self._stopping.is_set():
                return
            if self.running:
                self._thread.join(timeout=POLL_SECONDS)
            self._stopping.clear()
            self._watch_engine()
            self._thread = threading.Thread(target=self._run, name="assistance-mail", daemon=True)
            self._thread.start()

    def wake(self) -> None:
        self.start()
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def _watch_engine(self) -> None:
        with self.app.app_context():
            engine = db.engine
        if id(engine) not in self._watched:
            self._watched.add(id(engine))
            sa.event.listen(engine, "engine_disposed", lambda _engine: self._on_dispose())

    def _on_dispose(self) -> None:
        self._stopping.set()
        self._wake.set()

    def _run(self) -> None:
        log.debug("in-process delivery starts")
        while not self._stopping.is_set():
            self._wake.clear()
            wait = POLL_SECONDS
            try:
                with self.app.app_context():
                    try:
                        report = deliver_all_due(self.app, now=self.clock())
                        upcoming = next_due(db.session)
                    finally:
                        db.session.remove()
                if upcoming is not None:
                    seconds = (upcoming - self.clock()).total_seconds()
                    wait = min(POLL_SECONDS, max(MIN_WAIT_SECONDS, seconds + 0.05))
                log.debug("in-process delivery: %s; next look in %.1f s", report, wait)
            except Exception:  # noqa: BLE001 - keep the thread alive; say why
                log.exception("in-process mail delivery failed; trying again in %s s", wait)
            self._wake.wait(wait)


def _after_flush(session, _context) -> None:
    if any(isinstance(instance, OutboxMessage) for instance in session.new):
        session.info[_WROTE] = True


def _after_commit(session) -> None:
    if not session.info.pop(_WROTE, False) or not has_request_context():
        return  # commands (batches) leave their rows to the web process's next look
    inline = current_app.extensions.get(EXTENSION)
    if inline is not None:
        log.debug("outbox rows committed: waking in-process delivery")
        inline.wake()


def _after_rollback(session) -> None:
    session.info.pop(_WROTE, None)


def init_app(app: Flask) -> None:
    if app.config["MAIL_DELIVERY"] != "inline":
        return
    inline = app.extensions[EXTENSION] = InlineDelivery(app)
    for name, listener in (
        ("after_flush", _after_flush),
        ("after_commit", _after_commit),
        ("after_rollback", _after_rollback),
    ):
        if not sa.event.contains(FlaskSession, name, listener):
            sa.event.listen(FlaskSession, name, listener)

    @app.before_request
    def _start_delivery() -> None:
        if not inline.running:
            inline.start()  # rows left by a previous run, or by a batch, go out too
