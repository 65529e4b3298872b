"""What a file really is, from its first bytes rather than from its name."""

from __future__ import annotations

import os

import puremagic

OCTET_STREAM = "application/octet-stream"


def media_type(head: bytes, filename: str = "") -> str:
    """The media type the content says. The name only chooses among the types the
    content allows (a .docx and a .zip share their signature); it never adds one."""
    if not head:
        return OCTET_STREAM
    try:
        candidates = [c for c in puremagic.magic_string(head) if c.mime_type]
    except (puremagic.PureError, ValueError):
        candidates = []
    if candidates:
        extension = os.path.splitext(filename)[1].lower()
        named = [c for c in candidates if extension and c.extension.lower() == extension]
        return (named or candidates)[0].mime_type
    return "text/plain" if _is_text(head) else OCTET_STREAM


def _is_text(head: bytes) -> bool:
    """UTF-8 without control characters; the head may end inside a character."""
    for cut in range(4):
        try:
            text = head[: len(head) - cut].decode("utf-8")
        except UnicodeDecodeError:
            continue
        return not any(ord(char) < 32 and char not in "\t\n\r\f" for char in text)
    return False
