"""People who file and handle tickets, keyed on their CAS uid."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .db import UTCDateTime, db, utcnow

LANGUAGES = ("fr", "en")

# What a user who never opened the preferences page gets.
DEFAULT_PREFERENCES: dict[str, Any] = {
    "notify_own_tickets": True,
    "notify_invited_tickets": True,
    "notify_bookmarked_tickets": True,
    "notify_expiry": True,
    # Managers: alerts about their services' tickets at all, and the daily digest.
    "notify_as_manager": True,
    "digest": True,
    "digest_hour": 8,  # local time
    "digest_weekends": False,
}


class User(db.Model):
    __tablename__ = "users"
    __table_args__ = (sa.CheckConstraint("language IN ('fr', 'en')", name="language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(sa.String(128), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(200), default="")
    email: Mapped[str | None] = mapped_column(sa.String(254))
    language: Mapped[str] = mapped_column(sa.String(2), default="fr", server_default="fr")
    preferences: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    # Attributes released by CAS at the last login (affiliation, entity…), as lists.
    attributes: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    is_admin: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def preference(self, name: str) -> Any:
        return (self.preferences or {}).get(name, DEFAULT_PREFERENCES[name])

    @property
    def label(self) -> str:
        """How the history names someone: « Test ESUP (esup9992) »."""
        return f"{self.display_name} ({self.uid})" if self.display_name else self.uid

    def __repr__(self) -> str:
        return f"<User {self.uid}>"
