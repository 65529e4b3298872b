"""Attachments: bytes stored atomically, described in the history, deleted with a reason."""

from __future__ import annotations

import hashlib
import io

import pytest

from models.enums import Action, Status
from models.errors import MessageRequired, NotAllowed
from models.files import attach_file, delete_attachment
from models.storage import FileTooLarge, LocalStorage
from models.validation import clean_filename
from tests.factories import make_user

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 2000


@pytest.fixture
def storage(tmp_path):
    return LocalStorage(tmp_path / "attachments")


def stored_files(storage):
    return sorted(p for p in storage.root.rglob("*") if p.is_file())


def test_a_file_is_stored_and_described(session, world, make_ticket, storage):
    ticket = make_ticket(Status.FREE, attach=False)
    attachment = attach_file(
        session,
        ticket.id,
        user=world.owner,
        storage=storage,
        filename="C:\\Users\\moi\\capture écran.png",
        stream=io.BytesIO(PNG),
        media_type="image/png",
        max_bytes=20 << 20,
    )
    assert (attachment.original_name, attachment.size) == ("capture écran.png", len(PNG))
    assert attachment.sha256 == hashlib.sha256(PNG).hexdigest()
    with storage.open(attachment.storage_key) as stored:
        assert stored.read() == PNG
    upload = ticket.events[-1]
    assert (upload.kind, upload.attachment, upload.author) == (
        Action.UPLOAD,
        attachment,
        world.owner,
    )
    assert [p.name for p in stored_files(storage)] == [attachment.storage_key]


def test_a_file_over_the_limit_is_refused_and_leaves_nothing(session, world, make_ticket, storage):
    ticket = make_ticket(Status.FREE, attach=False)
    with pytest.raises(FileTooLarge) as error:
        attach_file(
            session,
            ticket.id,
            user=world.owner,
            storage=storage,
            filename="big.bin",
            stream=io.BytesIO(b"x" * 3000),
            max_bytes=2048,
        )
    assert error.value.field == "file"
    assert stored_files(storage) == [] and ticket.attachments == []


def test_someone_who_may_not_upload_stores_nothing(session, world, make_ticket, storage):
    ticket = make_ticket(Status.FREE, attach=False)
    stranger = make_user(session, "inconnu", "Un INCONNU")
    session.commit()
    with pytest.raises(NotAllowed):
        attach_file(
            session,
            ticket.id,
            user=stranger,
            storage=storage,
            filename="x.txt",
            stream=io.BytesIO(b"x"),
            max_bytes=2048,
        )
    assert stored_files(storage) == []


def test_deleting_a_file_needs_a_reason_then_removes_its_bytes(
    session, world, make_ticket, storage
):
    ticket = make_ticket(Status.IN_PROGRESS, attach=False)
    attachment = attach_file(
        session,
        ticket.id,
        user=world.owner,
        storage=storage,
        filename="mot-de-passe.png",
        stream=io.BytesIO(PNG),
        max_bytes=1 << 20,
    )
    with pytest.raises(MessageRequired):
        delete_attachment(
            session, ticket.id, attachment.id, user=world.owner, storage=storage, message=""
        )
    assert len(stored_files(storage)) == 1
    delete_attachment(
        session,
        ticket.id,
        attachment.id,
        user=world.owner,
        storage=storage,
        message="Capture contenant mon mot de passe.",
    )
    assert attachment.is_deleted and stored_files(storage) == []
    assert ticket.events[-1].kind is Action.DELETE_ATTACHMENT


@pytest.mark.parametrize(
    ("given", "cleaned"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\boot.ini", "boot.ini"),
        (".bashrc", "bashrc"),
        ("a\x00b\u202ec.txt", "abc.txt"),
        ("", "fichier"),
        ("x" * 300 + ".pdf", "x" * 251 + ".pdf"),
    ],
)
def test_file_names_are_made_safe(given, cleaned):
    assert clean_filename(given) == cleaned
