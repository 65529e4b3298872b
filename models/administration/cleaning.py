"""Cleaning what the operations are given: each value checked and normalised, or
refused (InvalidValue) beside the field at fault."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

from flask_babel import lazy_gettext as _l

from ..enums import AddressLevel, AssignmentAlgorithm, TicketScope
from ..errors import InvalidValue
from ..services import Category, Department
from ..users import User
from ..validation import _without_control_characters, clean_choice, clean_priority

T = TypeVar("T")


DEPARTMENT_LABEL_MAX = Department.label.type.length
TITLE_MAX = Department.title.type.length
CATEGORY_LABEL_MAX = Category.label.type.length
UID_MAX = User.uid.type.length
ADDRESS_MAX = Category.monitoring_email.type.length  # 254, as RFC 5321 allows
# One plain address: an RFC 5322 « dot-atom » local part, and a domain of DNS labels
# with at least one dot. No spaces, commas, angle brackets or line breaks: never a
# list, a display name or a header smuggled in.
_ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
)
DESCRIPTION_MAX = 5_000
# Ten years: a longer delay is a typing slip.
EXPIRY_DAYS_MAX = 3_650


def _one_line(value: object) -> str:
    return " ".join(_without_control_characters(str(value or "")).split())


def _clean_label(value: object, max_length: int, field: str = "label") -> str:
    label = _one_line(value)
    if not label:
        raise InvalidValue(_l("Please give a label."), field=field)
    if len(label) > max_length:
        raise InvalidValue(
            _l("The label must not exceed %(max)d characters.", max=max_length), field=field
        )
    return label


def _clean_title(value: object, field: str = "title") -> str:
    title = _one_line(value)
    if len(title) > TITLE_MAX:
        raise InvalidValue(
            _l("This text must not exceed %(max)d characters.", max=TITLE_MAX), field=field
        )
    return title


def _clean_description(value: object, field: str = "description") -> str:
    text = _without_control_characters(str(value or ""), keep="\n\t").replace("\r\n", "\n")
    text = text.strip()
    if len(text) > DESCRIPTION_MAX:
        raise InvalidValue(
            _l("This text must not exceed %(max)d characters.", max=DESCRIPTION_MAX), field=field
        )
    return text


def _clean_days(value: object, field: str = "expiry_days") -> int:
    try:
        days = int(str(value).strip())
    except (TypeError, ValueError):
        days = None
    if days is None or not 0 <= days <= EXPIRY_DAYS_MAX:
        raise InvalidValue(
            _l("Please give a number of days between 0 and %(max)d.", max=EXPIRY_DAYS_MAX),
            field=field,
        )
    return days


def _clean_uid(value: object, field: str = "uid") -> str:
    uid = str(value or "").strip()
    if not uid or uid != _one_line(uid) or " " in uid:
        raise InvalidValue(_l("Please give the person's identifier (CAS uid)."), field=field)
    if len(uid) > UID_MAX:
        raise InvalidValue(
            _l("An identifier has %(max)d characters at most.", max=UID_MAX), field=field
        )
    return uid


def _clean_address(value: object, field: str = "monitoring_email") -> str | None:
    """One e-mail address, or None when left empty."""
    text = str(value or "")
    if "\r" in text or "\n" in text:
        raise InvalidValue(_l("Please give a single e-mail address, on one line."), field=field)
    text = text.strip()
    if not text:
        return None
    if len(text) > ADDRESS_MAX:
        raise InvalidValue(
            _l("An e-mail address has %(max)d characters at most.", max=ADDRESS_MAX), field=field
        )
    if not _ADDRESS.fullmatch(text):
        raise InvalidValue(
            _l("Please give a single e-mail address, such as reseau@univ.example."), field=field
        )
    return text


def _inheritable(clean: Callable[[object, str], T]) -> Callable[[object, str], T | None]:
    """A category's default: a value, or None (« inherited ») when left empty."""

    def cleaned(value: object, field: str) -> T | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return clean(value, field)

    return cleaned


def _flag(value: object, field: str) -> bool:
    return bool(value)


DEPARTMENT_CLEANERS: dict[str, Callable[[object, str], Any]] = {
    "label": lambda value, field: _clean_label(value, DEPARTMENT_LABEL_MAX, field),
    "title": _clean_title,
    "description": _clean_description,
    "default_priority": clean_priority,
    "default_scope": lambda value, field: clean_choice(TicketScope, value, field),
    "assignment_algorithm": lambda value, field: clean_choice(AssignmentAlgorithm, value, field),
    "expiry_days": _clean_days,
    "spent_time_required": _flag,
}

CATEGORY_CLEANERS: dict[str, Callable[[object, str], Any]] = {
    "label": lambda value, field: _clean_label(value, CATEGORY_LABEL_MAX, field),
    "description": _clean_description,
    "accepts_tickets": _flag,
    "default_priority": _inheritable(clean_priority),
    "default_scope": _inheritable(lambda value, field: clean_choice(TicketScope, value, field)),
    "assignment_algorithm": _inheritable(
        lambda value, field: clean_choice(AssignmentAlgorithm, value, field)
    ),
    "expiry_days": _inheritable(_clean_days),
    # The extra address told of the category's tickets, and when (never inherited).
    "monitoring_email": _clean_address,
    "monitoring_email_level": lambda value, field: clean_choice(AddressLevel, value, field),
}


def _clean(cleaners: dict[str, Callable[[object, str], Any]], values: dict[str, Any]) -> dict:
    unknown = set(values) - set(cleaners)
    if unknown:
        raise TypeError(f"unexpected fields: {', '.join(sorted(unknown))}")
    return {name: cleaners[name](value, name) for name, value in values.items()}
