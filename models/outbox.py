"""Mail waiting to be sent: written in the same transaction as the action it tells of.

A worker delivers the rows later, so a failing SMTP server never loses an alert
and never undoes an action. One row is one recipient told of one thing (an action,
an approaching expiry, a digest); rows of one recipient about one ticket that are
due together go out as one mail.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .db import UTCDateTime, db, enum_type, utcnow
from .enums import LabelledEnum, MailKind
from .history import TicketEvent
from .tickets import Ticket
from .users import User


class DeliveryState(LabelledEnum):
    PENDING = "pending", _l("Pending")
    SENDING = "sending", _l("Sending")
    SENT = "sent", _l("Sent")
    FAILED = "failed", _l("Failed")


class Reason(LabelledEnum):
    """Why a recipient is told: decides the wording and the quick links."""

    OWNER = "owner", _l("you own this ticket")
    PREVIOUS_OWNER = "previous_owner", _l("you owned this ticket")
    MANAGER = "manager", _l("you handle this ticket")
    DEPARTMENT_MANAGER = "department_manager", _l("you are a manager of its service")
    PREVIOUS_MANAGER = "previous_manager", _l("you handled this ticket")
    CATEGORY_MEMBER = "category_member", _l("you are a member of its category")
    NEW_INVITEE = "new_invitee", _l("you have been invited to follow this ticket")
    INVITEE = "invitee", _l("you are invited to follow this ticket")
    BOOKMARK = "bookmark", _l("you bookmarked this ticket")
    MONITOR = "monitor", _l("you monitor this ticket")
    CATEGORY_ADDRESS = "category_address", _l("this address follows the ticket's category")
    DIGEST = "digest", _l("you are a manager")


class OutboxMessage(db.Model):
    __tablename__ = "outbox"
    __table_args__ = (
        sa.CheckConstraint(
            "recipient_id IS NOT NULL OR recipient_email IS NOT NULL", name="has_recipient"
        ),
        sa.CheckConstraint(
            "kind = 'digest' OR (event_id IS NOT NULL AND ticket_id IS NOT NULL)",
            name="tells_of_a_ticket",
        ),
        sa.Index("ix_outbox_state_next_attempt_at", "state", "next_attempt_at"),
        sa.Index("ix_outbox_claim", "claim"),
        # One reminder per closure and recipient, one digest per manager and day: a
        # batch run twice, or on two hosts, writes nothing more.
        sa.Index(
            "uq_outbox_expiry_reminder",
            "event_id",
            "recipient_id",
            unique=True,
            sqlite_where=sa.text("kind = 'expiry_reminder'"),
            postgresql_where=sa.text("kind = 'expiry_reminder'"),
        ),
        sa.Index(
            "uq_outbox_digest",
            "recipient_id",
            "digest_day",
            unique=True,
            sqlite_where=sa.text("kind = 'digest'"),
            postgresql_where=sa.text("kind = 'digest'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[MailKind] = mapped_column(
        enum_type(MailKind, "kind"), default=MailKind.EVENT, server_default=MailKind.EVENT.value
    )
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ticket_events.id"), index=True)
    ticket_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tickets.id"), index=True)
    recipient_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    recipient_email: Mapped[str | None] = mapped_column(sa.String(254))
    reason: Mapped[Reason] = mapped_column(enum_type(Reason, "reason"))
    digest_day: Mapped[date | None] = mapped_column(sa.Date)
    state: Mapped[DeliveryState] = mapped_column(
        enum_type(DeliveryState, "state"), default=DeliveryState.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A worker's claim on the row, valid until lease_until: past it, another may retry.
    claim: Mapped[str | None] = mapped_column(sa.String(32))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    # The Message-ID of the mail that carried this row (shared by rows sent together).
    message_id: Mapped[str | None] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[TicketEvent | None] = relationship()
    ticket: Mapped[Ticket | None] = relationship()
    recipient: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.kind.value} {self.reason.value} of event {self.event_id}>"
