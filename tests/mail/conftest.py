"""Mail tests: the application sending to a real SMTP server on loopback.

Time is moved forward instead of waited for: delivery runs with ``now`` past the
grouping delay or the backoff, so the suite never sleeps for the outbox.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from models import OutboxMessage, db
from models.db import utcnow
from models.delivery import GROUP_SECONDS
from portlet.mail.send import deliver_all_due
from tests.factories import build_world
from tests.routes.conftest import CAS_URL, PUBLIC_URL, Browser, twin_apps
from tests.smtp_server import SmtpServer

SENDER = "assistance@univ.example"


@pytest.fixture(scope="session")
def smtp_server():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def smtp(smtp_server):
    """The loopback SMTP server, running, empty and accepting everything."""
    smtp_server.start()
    smtp_server.reset()
    yield smtp_server
    smtp_server.start()
    smtp_server.reset()


def mail_config(database_url, tmp_path, smtp_server, **extra) -> dict:
    return {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "DATA_DIR": str(tmp_path),
        "PUBLIC_URL": PUBLIC_URL,
        "CAS_SERVER_URL": CAS_URL,
        "TESTING": True,
        "MAIL_SERVER": smtp_server.host,
        "MAIL_PORT": smtp_server.port,
        "MAIL_TIMEOUT": 5,
        "MAIL_SUPPRESS_SEND": False,  # TESTING would suppress it: here it really goes
        "MAIL_DEFAULT_SENDER": f"Assistance <{SENDER}>",
        "MAIL_DELIVERY": "off",  # each test delivers when it says so
        **extra,
    }


@pytest.fixture
def app(database_url, engine, tmp_path, smtp_server):
    """The application (requests, delivery), and a twin whose context the test runs in."""
    yield from twin_apps(mail_config(database_url, tmp_path, smtp_server), engine)


@pytest.fixture
def world(app):
    world = build_world(db.session)
    db.session.commit()
    return world


@pytest.fixture
def browser(app):
    return lambda user=None: Browser(app, user)


def soon(seconds: float = GROUP_SECONDS + 1):
    """A moment just past the grouping delay of what was done now."""
    return utcnow() + timedelta(seconds=seconds)


@pytest.fixture
def deliver(app):
    """Deliver what is due at ``now`` (by default: just after the grouping delay)."""

    def run(now=None):
        db.session.commit()
        report = deliver_all_due(app, now=now or soon())
        db.session.expire_all()
        return report

    return run


def outbox_rows(**where) -> list[OutboxMessage]:
    """The outbox as it is now (a new transaction: others' commits are seen)."""
    db.session.commit()
    db.session.expire_all()
    query = sa.select(OutboxMessage).filter_by(**where).order_by(OutboxMessage.id)
    return list(db.session.scalars(query))
