"""Where attachment bytes live: a folder, written atomically.

A file is streamed to a temporary name in the same folder tree, synced, then
renamed into place, so a crash never leaves half a file under a real key.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask_babel import lazy_gettext as _l

from .errors import InvalidValue

CHUNK = 1 << 16


HEAD_SIZE = 8192  # enough for every signature the sniffer knows


@dataclass(frozen=True)
class StoredFile:
    key: str
    size: int
    sha256: str
    head: bytes  # the first bytes, to tell what the file is


class FileTooLarge(InvalidValue):
    def __init__(self, limit: int):
        if limit >= 1 << 20:
            message = _l(
                "This file is larger than the limit of %(size)s MB.", size=f"{limit / (1 << 20):g}"
            )
        else:
            message = _l(
                "This file is larger than the limit of %(size)s kB.", size=f"{limit / (1 << 10):g}"
            )
        super().__init__(message, field="file")


class LocalStorage:
    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def path(self, key: str) -> Path:
        if len(key) < 4 or not key.isalnum():
            raise ValueError(f"not a storage key: {key!r}")
        return self.root / key[:2] / key

    def save(self, stream: BinaryIO, max_bytes: int) -> StoredFile:
        key = secrets.token_hex(16)
        final = self.path(key)
        final.parent.mkdir(parents=True, exist_ok=True)
        partial = final.with_name(f".{key}.part")
        digest, size, head = hashlib.sha256(), 0, b""
        try:
            with open(partial, "xb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        raise FileTooLarge(max_bytes)
                    digest.update(chunk)
                    if len(head) < HEAD_SIZE:
                        head += chunk[: HEAD_SIZE - len(head)]
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.replace(partial, final)
        finally:
            partial.unlink(missing_ok=True)
        return StoredFile(key, size, digest.hexdigest(), head)

    def open(self, key: str) -> BinaryIO:
        return open(self.path(key), "rb")

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)
