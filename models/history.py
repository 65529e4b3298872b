"""The history of a ticket: one row per action, with what it changed."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .db import UTCDateTime, db, enum_type, utcnow
from .enums import Action, ActionScope, Actor, Origin, Status, TicketScope
from .search.columns import gin_index, search_terms_type
from .tickets import SUBJECT_MAX_LENGTH, Ticket
from .users import User

# Ticket attributes whose before/after values an event keeps when an action changes them.
TRACKED_FIELDS = (
    "status",
    "manager_id",
    "owner_id",
    "subject",
    "priority",
    "scope",
    "origin",
    "department_id",
    "category_id",
    "spent_minutes",
)


def _user_fk():
    return mapped_column(sa.ForeignKey("users.id"))


class TicketEvent(db.Model):
    __tablename__ = "ticket_events"
    __table_args__ = (
        sa.Index("ix_ticket_events_ticket_id_id", "ticket_id", "id"),
        # Statistics read the actions of a period (manager load).
        sa.Index("ix_ticket_events_created_at", "created_at"),
        gin_index("ticket_events"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(sa.ForeignKey("tickets.id"))
    kind: Mapped[Action] = mapped_column(enum_type(Action, "kind"))
    # None when the application acted (assignment, recall, expiry).
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    actor: Mapped[Actor] = mapped_column(enum_type(Actor, "actor"))
    message: Mapped[str] = mapped_column(sa.Text, default="")
    scope: Mapped[ActionScope] = mapped_column(
        enum_type(ActionScope, "scope"), default=ActionScope.DEFAULT
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    status_before: Mapped[Status | None] = mapped_column(enum_type(Status, "status_before"))
    status_after: Mapped[Status] = mapped_column(enum_type(Status, "status_after"))
    manager_id_before: Mapped[int | None] = _user_fk()
    manager_id_after: Mapped[int | None] = _user_fk()
    owner_id_before: Mapped[int | None] = _user_fk()
    owner_id_after: Mapped[int | None] = _user_fk()
    subject_before: Mapped[str | None] = mapped_column(sa.String(SUBJECT_MAX_LENGTH))
    subject_after: Mapped[str | None] = mapped_column(sa.String(SUBJECT_MAX_LENGTH))
    priority_before: Mapped[int | None]
    priority_after: Mapped[int | None]
    scope_before: Mapped[TicketScope | None] = mapped_column(enum_type(TicketScope, "scope_before"))
    scope_after: Mapped[TicketScope | None] = mapped_column(enum_type(TicketScope, "scope_after"))
    origin_before: Mapped[Origin | None] = mapped_column(enum_type(Origin, "origin_before"))
    origin_after: Mapped[Origin | None] = mapped_column(enum_type(Origin, "origin_after"))
    department_id_before: Mapped[int | None] = mapped_column(sa.ForeignKey("departments.id"))
    department_id_after: Mapped[int | None] = mapped_column(sa.ForeignKey("departments.id"))
    category_id_before: Mapped[int | None] = mapped_column(sa.ForeignKey("categories.id"))
    category_id_after: Mapped[int | None] = mapped_column(sa.ForeignKey("categories.id"))
    spent_minutes_before: Mapped[int | None]
    spent_minutes_after: Mapped[int | None]
    # What the action was about, when it was about someone or something.
    invitee_id: Mapped[int | None] = _user_fk()
    attachment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("attachments.id"))
    recall_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A closure may point to the FAQ entry that answers the ticket (None once deleted).
    faq_entry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("faq_entries.id"))
    # « ne pas prévenir »: a manager may act without alerting anyone.
    alerted: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    # What search finds it by: its message and the file it names (models/search/columns.py).
    search_terms: Mapped[str | None] = mapped_column(search_terms_type(), deferred=True)

    ticket: Mapped[Ticket] = relationship(back_populates="events")
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    invitee: Mapped[User | None] = relationship(foreign_keys=[invitee_id])
    attachment: Mapped[Attachment | None] = relationship(  # noqa: F821
        foreign_keys=[attachment_id]
    )
    faq_entry: Mapped[FaqEntry | None] = relationship()  # noqa: F821

    def __repr__(self) -> str:
        return f"<TicketEvent {self.kind.value} on {self.ticket_id}>"
