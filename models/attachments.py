"""Files attached to a ticket: their description here, their bytes in a storage."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .db import UTCDateTime, db, enum_type, utcnow
from .enums import ActionScope
from .tickets import Ticket
from .users import User

FILENAME_MAX_LENGTH = 255


class Attachment(db.Model):
    __tablename__ = "attachments"
    __table_args__ = (sa.CheckConstraint("size >= 0", name="size"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(sa.ForeignKey("tickets.id"), index=True)
    original_name: Mapped[str] = mapped_column(sa.String(FILENAME_MAX_LENGTH))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    media_type: Mapped[str] = mapped_column(sa.String(127))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    storage_key: Mapped[str] = mapped_column(sa.String(100), unique=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    scope: Mapped[ActionScope] = mapped_column(
        enum_type(ActionScope, "scope"), default=ActionScope.DEFAULT
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A deleted file keeps its description (the history names it); its bytes are gone.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    ticket: Mapped[Ticket] = relationship(back_populates="attachments")
    author: Mapped[User | None] = relationship()

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def __repr__(self) -> str:
        return f"<Attachment {self.original_name!r} of {self.ticket_id}>"


class StagedFile(db.Model):
    """A file chosen in a form not sent yet (« Joindre un fichier » before « Créer le
    ticket »): its bytes are stored, it belongs to that form (its draft) and its user."""

    __tablename__ = "staged_files"
    __table_args__ = (sa.Index("ix_staged_files_user_id_draft", "user_id", "draft"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    draft: Mapped[str] = mapped_column(sa.String(64))
    original_name: Mapped[str] = mapped_column(sa.String(FILENAME_MAX_LENGTH))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    media_type: Mapped[str] = mapped_column(sa.String(127))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    storage_key: Mapped[str] = mapped_column(sa.String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def to_attachment(self) -> Attachment:
        return Attachment(
            original_name=self.original_name,
            size=self.size,
            media_type=self.media_type,
            sha256=self.sha256,
            storage_key=self.storage_key,
        )
