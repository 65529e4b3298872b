"""The scheduled work, in one place: what ``assistance batch all`` runs from cron, and
what ``assistance worker`` runs every few minutes beside delivery. Each step is safe on
several hosts at once (row locks, or a unique index that makes the second insert a no-op).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import Flask

from models import db
from models.batches import (
    expire_due_tickets,
    queue_digests,
    recall_due_tickets,
    remind_before_expiry,
)
from models.db import utcnow
from models.files import purge_staged
from models.storage import LocalStorage


def expire(app: Flask, now: datetime) -> str:
    result = expire_due_tickets(db.session, now=now)
    return f"expired: {result.done}, skipped: {result.skipped}"


def recall(app: Flask, now: datetime) -> str:
    result = recall_due_tickets(db.session, now=now)
    return f"recalled: {result.done}, skipped: {result.skipped}"


def remind_expiry(app: Flask, now: datetime, days: int | None = None) -> str:
    days = int(app.config["EXPIRY_REMINDER_DAYS"]) if days is None else days
    if days <= 0:
        return "expiry reminders: off"
    return f"expiry reminders queued: {remind_before_expiry(db.session, days=days, now=now)}"


def digest(app: Flask, now: datetime) -> str:
    zone = app.config["BABEL_DEFAULT_TIMEZONE"]
    return f"digests queued: {queue_digests(db.session, zone=zone, now=now)}"


def purge_uploads(app: Flask, now: datetime) -> str:
    storage = LocalStorage(app.config["ATTACHMENTS_DIR"])
    return f"purged: {purge_staged(db.session, storage, now=now)}"


# In this order: an expired ticket needs no reminder; the digest tells of what is left.
STEPS: dict[str, Callable[[Flask, datetime], str]] = {
    "expire": expire,
    "recall": recall,
    "remind-expiry": remind_expiry,
    "digest": digest,
    "purge-uploads": purge_uploads,
}


def run_all(app: Flask, now: datetime | None = None) -> list[str]:
    """Every step, each in its own transaction: one failing does not stop the others."""
    now = now or utcnow()
    lines = []
    for name, step in STEPS.items():
        try:
            lines.append(f"{name}: {step(app, now)}")
        except Exception as error:  # noqa: BLE001 - reported; the next run tries again
            db.session.rollback()
            app.logger.exception("scheduled step %s failed", name)
            lines.append(f"{name}: failed ({type(error).__name__}: {error})")
    return lines
