"""Files: bytes in the storage, description and history in the database, kept in step.

A file chosen before its ticket exists is « staged » (stored, and listed in the
form that chose it); it becomes an attachment when the ticket is created. A
file sent with an action (a comment and its files) is attached in the action's
transaction; if that fails, its bytes are removed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, BinaryIO

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from .attachments import Attachment, StagedFile
from .db import utcnow
from .enums import Action, ActionScope
from .errors import InvalidValue, NotAllowed, NotFound
from .history import TicketEvent
from .operations import act, act_many, load_ticket
from .sniffing import media_type
from .storage import LocalStorage, StoredFile
from .transactions import begin_writing
from .users import User
from .validation import clean_filename
from .workflow import resolve

DEFAULT_MAX_FILES = 10


@dataclass(frozen=True)
class Upload:
    """A file as a form sent it."""

    filename: str
    stream: BinaryIO


def _too_many(limit: int) -> InvalidValue:
    return InvalidValue(
        _l("You can attach at most %(count)d files at a time.", count=limit), field="file"
    )


def store_upload(
    storage: LocalStorage, upload: Upload, max_bytes: int
) -> tuple[StoredFile, str, str]:
    """Store the bytes; return them with the file's safe name and real media type."""
    stored = storage.save(upload.stream, max_bytes)
    if stored.size == 0:
        storage.delete(stored.key)
        raise InvalidValue(_l("This file is empty."), field="file")
    name = clean_filename(upload.filename)
    return stored, name, media_type(stored.head, name)


def _attachment(stored: StoredFile, name: str, kind: str) -> Attachment:
    return Attachment(
        original_name=name,
        size=stored.size,
        sha256=stored.sha256,
        storage_key=stored.key,
        media_type=kind,
    )


def act_with_files(
    session: Session,
    ticket_id: int,
    steps: Sequence[tuple[Action, dict[str, Any]]],
    *,
    user: User | None,
    uploads: Sequence[Upload],
    storage: LocalStorage,
    max_bytes: int,
    max_files: int = DEFAULT_MAX_FILES,
    scope: ActionScope = ActionScope.DEFAULT,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> list[TicketEvent]:
    """Some actions and some files, in one transaction (« Ajouter commentaire » with files)."""
    if len(uploads) > max_files:
        raise _too_many(max_files)
    ticket = load_ticket(session, ticket_id)
    if ticket is None:
        raise NotFound()
    if uploads and resolve(ticket, Action.UPLOAD, user) is None:
        raise NotAllowed()
    stored: list[StoredFile] = []
    try:
        attachments = []
        for upload in uploads:
            bytes_, name, kind = store_upload(storage, upload, max_bytes)
            stored.append(bytes_)
            attachments.append(_attachment(bytes_, name, kind))
        uploads_steps = [(Action.UPLOAD, {"attachment": a, "scope": scope}) for a in attachments]
        return act_many(
            session,
            ticket_id,
            [*steps, *uploads_steps],
            user=user,
            expected_version=expected_version,
            now=now,
        )
    except BaseException:
        for bytes_ in stored:
            storage.delete(bytes_.key)
        raise


def attach_file(
    session: Session,
    ticket_id: int,
    *,
    user: User | None,
    storage: LocalStorage,
    filename: str,
    stream: BinaryIO,
    max_bytes: int,
    scope: ActionScope = ActionScope.DEFAULT,
    message: str = "",
    now: datetime | None = None,
) -> Attachment:
    """One file on its own (« Joindre un fichier »)."""
    steps = [(Action.COMMENT, {"message": message, "scope": scope})] if message.strip() else []
    events = act_with_files(
        session,
        ticket_id,
        steps,
        user=user,
        uploads=[Upload(filename, stream)],
        storage=storage,
        max_bytes=max_bytes,
        scope=scope,
        now=now,
    )
    return events[-1].attachment


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


# --- Files chosen before the ticket exists --------------------------------------------


def staged_files(session: Session, user: User, draft: str) -> list[StagedFile]:
    query = (
        sa.select(StagedFile)
        .where(StagedFile.user_id == user.id, StagedFile.draft == draft)
        .order_by(StagedFile.id)
    )
    return list(session.scalars(query))


def stage_files(
    session: Session,
    *,
    user: User,
    draft: str,
    uploads: Sequence[Upload],
    storage: LocalStorage,
    max_bytes: int,
    max_files: int = DEFAULT_MAX_FILES,
) -> list[StagedFile]:
    """« Joindre un fichier » in « Ajouter un ticket »: keep the files for this form."""
    begin_writing(session)  # SQLite: wait for the write lock rather than fail on it
    if len(staged_files(session, user, draft)) + len(uploads) > max_files:
        raise _too_many(max_files)
    stored: list[StoredFile] = []
    try:
        for upload in uploads:
            bytes_, name, kind = store_upload(storage, upload, max_bytes)
            stored.append(bytes_)
            session.add(
                StagedFile(
                    user_id=user.id,
                    draft=draft,
                    original_name=name,
                    size=bytes_.size,
                    media_type=kind,
                    sha256=bytes_.sha256,
                    storage_key=bytes_.key,
                )
            )
        session.commit()
    except BaseException:
        session.rollback()
        for bytes_ in stored:
            storage.delete(bytes_.key)
        raise
    return staged_files(session, user, draft)


def unstage_file(
    session: Session, *, user: User, draft: str, staged_id: int, storage: LocalStorage
) -> None:
    """Remove a file from the form before the ticket is created."""
    begin_writing(session)
    staged = session.get(StagedFile, staged_id)
    if staged is None or staged.user_id != user.id or staged.draft != draft:
        raise NotFound()
    session.delete(staged)
    session.commit()
    storage.delete(staged.storage_key)


def purge_staged(
    session: Session,
    storage: LocalStorage,
    *,
    older_than: timedelta = timedelta(days=1),
    now: datetime | None = None,
) -> int:
    """Files of forms never sent: their bytes and rows go after a day."""
    limit = (now or utcnow()) - older_than
    begin_writing(session)
    stale = list(session.scalars(sa.select(StagedFile).where(StagedFile.created_at < limit)))
    for staged in stale:
        session.delete(staged)
    session.commit()
    for staged in stale:
        storage.delete(staged.storage_key)
    return len(stale)
