"""Who changed what in the services' set-up, and when: one row per change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .db import UTCDateTime, db, utcnow
from .users import User


class AdminChange(db.Model):
    __tablename__ = "admin_changes"
    __table_args__ = (sa.Index("ix_admin_changes_department_id_id", "department_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # None when a command (not a person) made the change.
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The service concerned, None for global changes (administrators, global responses).
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("departments.id"))
    object_type: Mapped[str] = mapped_column(sa.String(40))  # department, category, manager…
    object_id: Mapped[int | None]
    verb: Mapped[str] = mapped_column(sa.String(40))  # create, update, move, delete…
    summary: Mapped[str] = mapped_column(sa.String(500))
    # {field: [before, after]} for updates.
    changes: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    actor: Mapped[User | None] = relationship()
