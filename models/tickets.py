"""The ticket: one request of one owner, handled by one service."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .db import UTCDateTime, db, enum_type, utcnow
from .enums import DEFAULT_PRIORITY, OPEN_STATUSES, Origin, Status, TicketScope
from .search.columns import gin_index, search_terms_type
from .services import Category, Department
from .users import User

# The open statuses as SQL, for partial indexes (the queue's default filter).
OPEN_PREDICATE = sa.text(
    "status IN (" + ", ".join(f"'{status.value}'" for status in sorted(OPEN_STATUSES)) + ")"
)

SUBJECT_MAX_LENGTH = 200


def _in(column: str, statuses) -> str:
    return f"{column} IN ({', '.join(repr(s.value) for s in sorted(statuses))})"


class Ticket(db.Model):
    __tablename__ = "tickets"
    __table_args__ = (
        sa.CheckConstraint("priority BETWEEN 1 AND 5", name="priority"),
        sa.CheckConstraint("spent_minutes >= 0", name="spent_minutes"),
        # « Libre » means nobody handles it; the other open statuses always have a manager.
        sa.CheckConstraint("status <> 'free' OR manager_id IS NULL", name="free_has_no_manager"),
        sa.CheckConstraint(
            "NOT "
            + _in("status", {Status.IN_PROGRESS, Status.INCOMPLETE, Status.POSTPONED})
            + " OR manager_id IS NOT NULL",
            name="handled_has_manager",
        ),
        sa.CheckConstraint("recall_at IS NULL OR status = 'postponed'", name="recall_if_postponed"),
        sa.Index("ix_tickets_department_status", "department_id", "status", "last_action_at"),
        sa.Index("ix_tickets_status_last_action", "status", "last_action_at"),
        # A service's open tickets, newest action first: the queue's first page reads 20
        # entries of it, however many thousand tickets the service has open.
        sa.Index(
            "ix_tickets_open_queue",
            "department_id",
            "last_action_at",
            "id",
            postgresql_where=OPEN_PREDICATE,
            sqlite_where=OPEN_PREDICATE,
        ),
        # Statistics read a service's tickets created in a period.
        sa.Index("ix_tickets_department_created", "department_id", "created_at"),
        # Shared (public, intranet) tickets, among many private ones: search's visibility.
        sa.Index("ix_tickets_scope", "scope"),
        gin_index("tickets"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(sa.String(SUBJECT_MAX_LENGTH))
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    creator_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    manager_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    department_id: Mapped[int] = mapped_column(sa.ForeignKey("departments.id"))
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("categories.id"), index=True)
    status: Mapped[Status] = mapped_column(enum_type(Status, "status"), default=Status.FREE)
    priority: Mapped[int] = mapped_column(default=DEFAULT_PRIORITY)
    scope: Mapped[TicketScope] = mapped_column(enum_type(TicketScope, "scope"))
    origin: Mapped[Origin] = mapped_column(enum_type(Origin, "origin"), default=Origin.WEB)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_action_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Seconds from creation to the first reaction of a manager, and to the closure.
    reaction_seconds: Mapped[int | None]
    resolution_seconds: Mapped[int | None]
    spent_minutes: Mapped[int] = mapped_column(default=0, server_default="0")
    recall_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The form that created it: a second click on « Créer le ticket » finds this ticket.
    request_token: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    # Optimistic lock: every UPDATE says « WHERE version = <what I read> ».
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    # What search finds it by: its subject (models/search/columns.py).
    search_terms: Mapped[str | None] = mapped_column(search_terms_type("A"), deferred=True)

    __mapper_args__ = {"version_id_col": version}

    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    creator: Mapped[User] = relationship(foreign_keys=[creator_id])
    manager: Mapped[User | None] = relationship(foreign_keys=[manager_id])
    department: Mapped[Department] = relationship()
    category: Mapped[Category] = relationship()
    events: Mapped[list[TicketEvent]] = relationship(  # noqa: F821
        back_populates="ticket", order_by="TicketEvent.id", cascade="all, delete-orphan"
    )
    attachments: Mapped[list[Attachment]] = relationship(  # noqa: F821
        back_populates="ticket", order_by="Attachment.id", cascade="all, delete-orphan"
    )
    invitations: Mapped[list[Invitation]] = relationship(  # noqa: F821
        back_populates="ticket", order_by="Invitation.id", cascade="all, delete-orphan"
    )

    @property
    def number(self) -> int:
        """The « n° » users quote: the ticket's id."""
        return self.id

    def is_invited(self, user: User | None) -> bool:
        return user is not None and any(i.user_id == user.id for i in self.invitations)

    def __repr__(self) -> str:
        return f"<Ticket {self.id} {self.status.value}>"
