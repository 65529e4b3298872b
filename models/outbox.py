"""Mail waiting to be sent: written in the same transaction as the action it tells of.

A worker delivers the rows later, so a failing SMTP server never loses an alert
and never undoes an action.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .db import UTCDateTime, db, enum_type, utcnow
from .enums import LabelledEnum
from .history import TicketEvent
from .tickets import Ticket
from .users import User


class DeliveryState(LabelledEnum):
    PENDING = "pending", _l("Pending")
    SENT = "sent", _l("Sent")
    FAILED = "failed", _l("Failed")


class Reason(LabelledEnum):
    """Why a recipient is told: decides the wording and the quick links."""

    OWNER = "owner", _l("you own this ticket")
    PREVIOUS_OWNER = "previous_owner", _l("you owned this ticket")
    MANAGER = "manager", _l("you handle this ticket")
    PREVIOUS_MANAGER = "previous_manager", _l("you handled this ticket")
    CATEGORY_MEMBER = "category_member", _l("you are a member of its category")
    NEW_INVITEE = "new_invitee", _l("you have been invited to follow this ticket")
    INVITEE = "invitee", _l("you are invited to follow this ticket")
    BOOKMARK = "bookmark", _l("you bookmarked this ticket")
    MONITOR = "monitor", _l("you monitor this ticket")


class OutboxMessage(db.Model):
    __tablename__ = "outbox"
    __table_args__ = (
        sa.CheckConstraint(
            "recipient_id IS NOT NULL OR recipient_email IS NOT NULL", name="has_recipient"
        ),
        sa.Index("ix_outbox_state_next_attempt_at", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("ticket_events.id"), index=True)
    ticket_id: Mapped[int] = mapped_column(sa.ForeignKey("tickets.id"), index=True)
    recipient_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    recipient_email: Mapped[str | None] = mapped_column(sa.String(254))
    reason: Mapped[Reason] = mapped_column(enum_type(Reason, "reason"))
    state: Mapped[DeliveryState] = mapped_column(
        enum_type(DeliveryState, "state"), default=DeliveryState.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[TicketEvent] = relationship()
    ticket: Mapped[Ticket] = relationship()
    recipient: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.reason.value} of event {self.event_id}>"
