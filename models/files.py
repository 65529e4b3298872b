"""Attaching and deleting files: bytes in the storage, description and history in
the database, kept in step.
"""

from __future__ import annotations

from datetime import datetime
from typing import BinaryIO

from sqlalchemy.orm import Session

from .attachments import Attachment
from .enums import Action, ActionScope
from .errors import NotAllowed, NotFound
from .operations import act, load_ticket
from .storage import LocalStorage
from .users import User
from .validation import clean_filename
from .workflow import resolve


def attach_file(
    session: Session,
    ticket_id: int,
    *,
    user: User | None,
    storage: LocalStorage,
    filename: str,
    stream: BinaryIO,
    max_bytes: int,
    media_type: str = "application/octet-stream",
    scope: ActionScope = ActionScope.DEFAULT,
    message: str = "",
    now: datetime | None = None,
) -> Attachment:
    """Store the file, then record the upload; a failed upload leaves no bytes behind."""
    ticket = load_ticket(session, ticket_id)
    if ticket is None:
        raise NotFound()
    if resolve(ticket, Action.UPLOAD, user) is None:
        raise NotAllowed()
    stored = storage.save(stream, max_bytes)
    attachment = Attachment(
        original_name=clean_filename(filename),
        size=stored.size,
        sha256=stored.sha256,
        storage_key=stored.key,
        media_type=media_type,
    )
    try:
        act(
            session,
            ticket_id,
            Action.UPLOAD,
            user=user,
            attachment=attachment,
            scope=scope,
            message=message,
            now=now,
        )
    except BaseException:
        storage.delete(stored.key)
        raise
    return attachment


def delete_attachment(
    session: Session,
    ticket_id: int,
    attachment_id: int,
    *,
    user: User | None,
    storage: LocalStorage,
    message: str,
    now: datetime | None = None,
) -> None:
    """Record the deletion (with its reason), then remove the bytes."""
    attachment = session.get(Attachment, attachment_id)
    if attachment is None or attachment.ticket_id != ticket_id:
        raise NotFound()
    act(
        session,
        ticket_id,
        Action.DELETE_ATTACHMENT,
        user=user,
        attachment=attachment,
        message=message,
        now=now,
    )
    storage.delete(attachment.storage_key)
