"""Checks of user-supplied values, shared by every action that takes them.

Each function returns the cleaned value or raises InvalidValue naming the field.
"""

from __future__ import annotations

import enum
import unicodedata
from datetime import datetime
from typing import TypeVar

from flask_babel import lazy_gettext as _l

from .attachments import FILENAME_MAX_LENGTH
from .enums import MAX_PRIORITY, MIN_PRIORITY
from .errors import InvalidValue, MessageRequired
from .tickets import SUBJECT_MAX_LENGTH

MESSAGE_MAX_LENGTH = 20_000
# Ten years of eight-hour days: more is a typing slip, not a record.
SPENT_MINUTES_MAX = 10 * 365 * 8 * 60

E = TypeVar("E", bound=enum.Enum)
ID_MAX = 2**31 - 1  # an INTEGER key on every engine


def parse_id(value: object) -> int | None:
    """A row id from outside (a form, a URL), or None when it cannot be one."""
    if isinstance(value, bool):
        return None
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= ID_MAX else None


def _without_control_characters(text: str, keep: str = "") -> str:
    return "".join(
        char for char in text if char in keep or unicodedata.category(char) not in ("Cc", "Cf")
    )


def clean_subject(value: object, field: str = "subject") -> str:
    subject = " ".join(_without_control_characters(str(value or "")).split())
    if not subject:
        raise InvalidValue(_l("Please give a subject."), field=field)
    if len(subject) > SUBJECT_MAX_LENGTH:
        raise InvalidValue(
            _l("The subject must not exceed %(max)d characters.", max=SUBJECT_MAX_LENGTH),
            field=field,
        )
    return subject


def clean_message(value: object, *, required: bool, field: str = "message") -> str:
    text = _without_control_characters(str(value or ""), keep="\n\t").replace("\r\n", "\n")
    text = text.strip()
    if required and not text:
        raise MessageRequired(field=field)
    if len(text) > MESSAGE_MAX_LENGTH:
        raise InvalidValue(
            _l("The message must not exceed %(max)d characters.", max=MESSAGE_MAX_LENGTH),
            field=field,
        )
    return text


def clean_priority(value: object, field: str = "priority") -> int:
    try:
        priority = int(str(value))
    except (TypeError, ValueError):
        priority = None
    if priority is None or not MIN_PRIORITY <= priority <= MAX_PRIORITY:
        raise InvalidValue(
            _l(
                "The priority must be between %(min)d and %(max)d.",
                min=MIN_PRIORITY,
                max=MAX_PRIORITY,
            ),
            field=field,
        )
    return priority


def clean_choice(enum_class: type[E], value: object, field: str) -> E:
    try:
        return enum_class(value.value if isinstance(value, enum.Enum) else value)
    except ValueError:
        raise InvalidValue(_l("This choice is not available."), field=field) from None


def clean_minutes(value: object, field: str = "spent_minutes") -> int:
    try:
        minutes = int(str(value))
    except (TypeError, ValueError):
        minutes = None
    if minutes is None or not 0 <= minutes <= SPENT_MINUTES_MAX:
        raise InvalidValue(_l("Please give a number of minutes, 0 or more."), field=field)
    return minutes


def clean_future_date(value: object, now: datetime, field: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise InvalidValue(_l("Please give a valid date."), field=field)
    if value <= now:
        raise InvalidValue(_l("This date must be in the future."), field=field)
    return value


def clean_filename(value: object) -> str:
    """A file name safe to show and to send back: no folders, no control characters."""
    name = unicodedata.normalize("NFC", str(value or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = " ".join(_without_control_characters(name).split()).lstrip(".")
    if len(name) > FILENAME_MAX_LENGTH:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 16:
            name = stem[: FILENAME_MAX_LENGTH - len(extension) - 1] + "." + extension
        else:
            name = name[:FILENAME_MAX_LENGTH]
    return name or "fichier"
