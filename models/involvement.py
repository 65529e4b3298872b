"""How users follow tickets besides owning or handling them.

Invitations let someone else read and comment; bookmarks, the recently viewed
list, read markers and explicit monitoring are each user's own.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .db import UTCDateTime, db, utcnow
from .tickets import Ticket
from .users import User


class _UserTicketLink:
    """One row per (user, ticket)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    ticket_id: Mapped[int] = mapped_column(sa.ForeignKey("tickets.id"), index=True)


class Invitation(_UserTicketLink, db.Model):
    __tablename__ = "invitations"
    __table_args__ = (sa.UniqueConstraint("ticket_id", "user_id"),)

    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="invitations")
    user: Mapped[User] = relationship(foreign_keys="Invitation.user_id")


class Bookmark(_UserTicketLink, db.Model):
    __tablename__ = "bookmarks"
    __table_args__ = (sa.UniqueConstraint("user_id", "ticket_id"),)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RecentView(_UserTicketLink, db.Model):
    """The « Historique »: tickets a user opened lately, capped per user."""

    __tablename__ = "recent_views"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "ticket_id"),
        sa.Index("ix_recent_views_user_id_viewed_at", "user_id", "viewed_at"),
    )

    viewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReadMarker(_UserTicketLink, db.Model):
    """A ticket is unread for a user when it changed after this."""

    __tablename__ = "read_markers"
    __table_args__ = (sa.UniqueConstraint("user_id", "ticket_id"),)

    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Monitor(_UserTicketLink, db.Model):
    """« Surveiller ce ticket »: alerts on every action the user may see."""

    __tablename__ = "monitors"
    __table_args__ = (sa.UniqueConstraint("user_id", "ticket_id"),)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
