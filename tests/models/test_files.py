"""Attachments: bytes stored atomically, described in the history, deleted with a reason."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta

import pytest

from models.db import utcnow
from models.enums import Action, Status
from models.errors import InvalidValue, MessageRequired, NotAllowed, NotFound
from models.files import (
    Upload,
    act_with_files,
    attach_file,
    delete_attachment,
    purge_staged,
    stage_files,
    staged_files,
    unstage_file,
)
from models.operations import file_ticket
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
        max_bytes=20 << 20,
    )
    assert (attachment.original_name, attachment.size) == ("capture écran.png", len(PNG))
    assert attachment.sha256 == hashlib.sha256(PNG).hexdigest()
    assert attachment.media_type == "image/png"  # from its bytes
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


def test_an_empty_file_is_refused_and_leaves_nothing(session, world, make_ticket, storage):
    ticket = make_ticket(Status.FREE, attach=False)
    with pytest.raises(InvalidValue) as error:
        attach_file(
            session,
            ticket.id,
            user=world.owner,
            storage=storage,
            filename="vide.txt",
            stream=io.BytesIO(b""),
            max_bytes=2048,
        )
    assert error.value.field == "file" and stored_files(storage) == []


def test_a_comment_and_its_files_are_one_transaction(session, world, make_ticket, storage):
    ticket = make_ticket(Status.INCOMPLETE, attach=False)
    uploads = [
        Upload("journal.txt", io.BytesIO(b"erreur 49")),
        Upload("photo.png", io.BytesIO(PNG)),
    ]
    events = act_with_files(
        session,
        ticket.id,
        [(Action.COMMENT, {"message": "Voici les pièces."})],
        user=world.owner,
        uploads=uploads,
        storage=storage,
        max_bytes=1 << 20,
    )
    assert [e.kind for e in events] == [Action.COMMENT, Action.UPLOAD, Action.UPLOAD]
    assert ticket.status is Status.IN_PROGRESS
    assert [a.media_type for a in ticket.attachments] == ["text/plain", "image/png"]

    bad = [Upload("ok.txt", io.BytesIO(b"ok")), Upload("vide.txt", io.BytesIO(b""))]
    with pytest.raises(InvalidValue):
        act_with_files(
            session,
            ticket.id,
            [(Action.COMMENT, {"message": "Encore."})],
            user=world.owner,
            uploads=bad,
            storage=storage,
            max_bytes=1 << 20,
        )
    assert len(stored_files(storage)) == 2 and len(ticket.attachments) == 2  # nothing half-done
    too_many = [Upload(f"f{i}.txt", io.BytesIO(b"x")) for i in range(200)]
    with pytest.raises(InvalidValue, match="10"):
        act_with_files(
            session,
            ticket.id,
            [],
            user=world.owner,
            uploads=too_many,
            storage=storage,
            max_bytes=1 << 20,
        )


def test_files_chosen_before_creation_become_the_tickets(session, world, storage):
    draft = "draft-1"
    staged = stage_files(
        session,
        user=world.owner,
        draft=draft,
        storage=storage,
        max_bytes=1 << 20,
        uploads=[Upload("a.txt", io.BytesIO(b"A")), Upload("b.png", io.BytesIO(PNG))],
    )
    assert [f.original_name for f in staged] == ["a.txt", "b.png"]
    unstage_file(session, user=world.owner, draft=draft, staged_id=staged[0].id, storage=storage)
    with pytest.raises(NotFound):  # another user's draft is not theirs to touch
        unstage_file(
            session, user=world.invitee, draft=draft, staged_id=staged[1].id, storage=storage
        )
    remaining = staged_files(session, world.owner, draft)

    ticket = file_ticket(
        session,
        creator=world.owner,
        category_id=world.category.id,
        subject="Photo",
        message="Voir la photo.",
        staged=remaining,
        request_token="form-1",
    )
    assert [a.original_name for a in ticket.attachments] == ["b.png"]
    assert staged_files(session, world.owner, draft) == []
    assert len(stored_files(storage)) == 1

    again = file_ticket(
        session,
        creator=world.owner,
        category_id=world.category.id,
        subject="Photo",
        message="Voir la photo.",
        request_token="form-1",
    )
    assert again.id == ticket.id  # a double click creates one ticket


def test_forgotten_staged_files_are_purged(session, world, storage):
    stage_files(
        session,
        user=world.owner,
        draft="old",
        storage=storage,
        max_bytes=1 << 20,
        uploads=[Upload("a.txt", io.BytesIO(b"A"))],
    )
    assert purge_staged(session, storage, now=utcnow() + timedelta(hours=2)) == 0
    assert purge_staged(session, storage, now=utcnow() + timedelta(days=2)) == 1
    assert stored_files(storage) == []
