"""How delivery runs: the ``assistance worker`` command, in-process after a commit
(the embedded SQLite default), or into a folder of .eml files (the demo)."""

from __future__ import annotations

import email
import email.policy
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from models import Ticket, db
from models.db import utcnow
from models.delivery import GROUP_SECONDS
from models.enums import Status
from models.outbox import DeliveryState
from portlet.app import create_app
from portlet.mail.inline import EXTENSION
from portlet.mail.send import deliver_all_due
from tests.factories import ticket_in
from tests.mail.conftest import mail_config, outbox_rows
from tests.mail.helpers import readable, send_form
from tests.routes.conftest import Browser

ROOT = Path(__file__).resolve().parents[2]


def past_ticket(world, status=Status.IN_PROGRESS):
    """A ticket whose alerts are all due already (its story started hours ago)."""
    ticket = ticket_in(db.session, world, status, start=utcnow() - timedelta(hours=6))
    db.session.commit()
    return ticket


def wait_for(condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_the_worker_command_runs_one_pass(app, world, smtp):
    past_ticket(world)
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "sent: 6, to retry: 0, failed: 0" in result.output
    assert len(smtp.messages) == 6
    assert {row.state for row in outbox_rows()} == {DeliveryState.SENT}
    again = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert "sent: 0" in again.output and len(smtp.messages) == 6


def test_the_worker_delivers_until_sigterm(app, world, smtp, database_url, tmp_path):
    """The real command, in its own process, stopped the way a service manager stops it.
    It runs the scheduled work too: a closure nobody approved in time expires, and its
    owner hears of it."""
    ticket = ticket_in(db.session, world, Status.CLOSED)  # closed two months ago
    db.session.commit()
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "ASSISTANCE_DATA_DIR": str(tmp_path),
        "ASSISTANCE_MAIL_SERVER": smtp.host,
        "ASSISTANCE_MAIL_PORT": str(smtp.port),
        "ASSISTANCE_PUBLIC_URL": "http://assistance.test",
    }
    script = Path(sys.executable).parent / "assistance"
    worker = subprocess.Popen(
        [str(script), "worker", "--interval", "0.2"],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        expiry = f"[expiration INFORMATIQUE n°{ticket.id}]"
        assert wait_for(
            lambda: any(m["Subject"].startswith(expiry) for m in smtp.to(world.owner.email)),
            seconds=30,
        )
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=15)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0, output
    assert "sent: " in output and output.rstrip().endswith("Stopped.")
    assert set(smtp.message_ids().values()) == {1}  # each mail once to each recipient
    assert {row.state for row in outbox_rows()} == {DeliveryState.SENT}
    assert db.session.get(Ticket, ticket.id).status is Status.EXPIRED


@pytest.fixture
def inline_app(database_url, engine, tmp_path, smtp_server):
    app = create_app(mail_config(database_url, tmp_path, smtp_server, MAIL_DELIVERY="inline"))
    yield app
    # The thread first, and for good: a pass still running (slow on a loaded machine)
    # would open a connection in the new pool, left for the garbage collector to close.
    inline = app.extensions[EXTENSION]
    inline.stop(timeout=120)
    assert not inline.running
    with app.app_context():
        db.engine.dispose()


def test_in_process_delivery_sends_after_the_commit(inline_app, world, smtp):
    ticket = ticket_in(db.session, world, Status.IN_PROGRESS, invite=False)
    db.session.commit()
    inline = inline_app.extensions[EXTENSION]
    # The rows of an action wait a few seconds for its author's next one: move time on.
    inline.clock = lambda: utcnow() + timedelta(seconds=GROUP_SECONDS + 1)
    manager = Browser(inline_app, world.tm)
    assert manager.get(f"/tickets/{ticket.id}").status_code == 200
    assert inline.running  # started by the first request: earlier rows go out
    assert wait_for(lambda: len(smtp.messages) == 4)  # the creation (3) and the take (1)

    answer = send_form(manager, f"/tickets/{ticket.id}/comment", message="Pouvez-vous passer ?")
    assert answer.status_code == 303
    # Woken by the commit: without it the thread would sleep for half a minute.
    assert wait_for(lambda: len(smtp.to(world.owner.email)) == 2, seconds=5)
    comment = smtp.to(world.owner.email)[-1]
    assert comment["Subject"].startswith("[information ") and "Pouvez-vous passer ?" in readable(
        comment
    )
    assert wait_for(lambda: {r.state for r in outbox_rows()} == {DeliveryState.SENT})
    with inline_app.app_context():
        db.engine.dispose()
    assert wait_for(lambda: not inline.running)


def test_a_batch_outside_a_request_leaves_its_rows_to_the_next_look(inline_app, world, smtp):
    with inline_app.app_context():
        past_ticket(world.reload(db.session))
    assert not inline_app.extensions[EXTENSION].running
    assert not smtp.messages


@pytest.mark.parametrize(
    "url, given, mode",
    [
        ("sqlite:////tmp/x.sqlite3", None, "inline"),
        ("postgresql://u@h/d", None, "worker"),
        ("sqlite:////tmp/x.sqlite3", "worker", "worker"),
        ("postgresql://u@h/d", "off", "off"),
    ],
)
def test_the_embedded_default_delivers_in_process(tmp_path, url, given, mode):
    config = {"DATA_DIR": str(tmp_path), "SQLALCHEMY_DATABASE_URI": url}
    if given:
        config["MAIL_DELIVERY"] = given
    app = create_app(config)
    assert app.config["MAIL_DELIVERY"] == mode
    assert (EXTENSION in app.extensions) == (mode == "inline")


def test_an_unknown_delivery_mode_is_refused(tmp_path):
    with pytest.raises(ValueError, match="MAIL_DELIVERY"):
        create_app({"DATA_DIR": str(tmp_path), "MAIL_DELIVERY": "pigeon"})


def test_mails_go_to_a_folder_when_asked(world, smtp, database_url, tmp_path):
    folder = tmp_path / "mail"
    files_app = create_app(mail_config(database_url, tmp_path, smtp, MAIL_FILE_DIR=str(folder)))
    smtp.stop()  # no server needed
    past_ticket(world)
    try:
        assert deliver_all_due(files_app).sent == 6
    finally:
        with files_app.app_context():
            db.engine.dispose()
    files = sorted(folder.glob("*.eml"))
    assert len(files) == 6 and not list(folder.glob("*.part"))
    message = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert message["Subject"].startswith("[") and message.get_body(("html",)) is not None
    assert {row.state for row in outbox_rows()} == {DeliveryState.SENT}
