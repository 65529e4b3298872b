"""« Préférences »: what each user chooses about the mail they get.

Everyone chooses their language and which of their tickets they are told of;
managers also whether they get managers' alerts at all, their « Surveillance » in
each of their services (three levels kept on their DepartmentManager row), and the
daily digest.

Choices live in ``User.preferences`` (JSON) and in the DepartmentManager rows. A
save is one transaction that reads the user's row again under lock (FOR UPDATE
on PostgreSQL; SQLite's writers queue anyway) before merging into it: two saves
at once, from two tabs or from the dashboard remembering its filters, never lose
each other's values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from .enums import MONITORING_PRESETS, MonitoringLevel
from .errors import InvalidValue, NotAllowed
from .notifications import MONITORING_COLUMNS
from .permissions import is_manager
from .services import Department, DepartmentManager
from .transactions import retrying
from .users import DEFAULT_PREFERENCES, LANGUAGES, User

# « Me prévenir par courriel »: everyone's.
NOTIFY_KEYS = (
    "notify_own_tickets",
    "notify_invited_tickets",
    "notify_bookmarked_tickets",
    "notify_expiry",
)
# Managers' own: their alerts at all, and the daily digest.
MANAGER_KEYS = ("notify_as_manager", "digest", "digest_hour", "digest_weekends")

Levels = tuple[MonitoringLevel, MonitoringLevel, MonitoringLevel]

# « Personnalisée »: levels that match no preset.
CUSTOM = "custom"
PRESET_LABELS = {
    "none": _l("No monitoring"),
    "minimal": _l("Minimal monitoring"),
    "medium": _l("Medium monitoring"),
    "assiduous": _l("Assiduous monitoring"),
    "complete": _l("Complete monitoring"),
    CUSTOM: _l("Custom monitoring"),
}
assert set(PRESET_LABELS) == {*MONITORING_PRESETS, CUSTOM}

_TRUE = frozenset({"1", "y", "yes", "on", "true"})
_FALSE = frozenset({"", "0", "n", "no", "off", "false"})


def _clean_flag(value: object, field: str) -> bool:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InvalidValue(_l("Please tick the box or leave it empty."), field=field)


def _clean_hour(value: object, field: str) -> int:
    hour = None
    if not isinstance(value, bool):
        try:
            hour = int(str(value).strip())
        except (TypeError, ValueError):
            hour = None
    if hour is None or not 0 <= hour <= 23:
        raise InvalidValue(_l("Please choose an hour between 0 and 23."), field=field)
    return hour


def clean_language(value: object, field: str = "language") -> str:
    if value not in LANGUAGES:
        raise InvalidValue(_l("This choice is not available."), field=field)
    return str(value)


CLEANERS = {
    **{key: _clean_flag for key in NOTIFY_KEYS},
    "notify_as_manager": _clean_flag,
    "digest": _clean_flag,
    "digest_hour": _clean_hour,
    "digest_weekends": _clean_flag,
}
assert set(CLEANERS) == set(DEFAULT_PREFERENCES)


def clean_levels(value: object, field: str = "levels") -> Levels:
    """Three monitoring levels (any ticket, member categories, handled), from a
    preset's name or from three levels."""
    if isinstance(value, str):
        if value not in MONITORING_PRESETS:
            raise InvalidValue(_l("This choice is not available."), field=field)
        return MONITORING_PRESETS[value]
    if not isinstance(value, Sequence) or len(value) != len(MONITORING_COLUMNS):
        raise InvalidValue(_l("This choice is not available."), field=field)
    try:
        return tuple(MonitoringLevel(getattr(level, "value", level)) for level in value)
    except ValueError:
        raise InvalidValue(_l("This choice is not available."), field=field) from None


def levels_of(manager: DepartmentManager) -> Levels:
    return tuple(getattr(manager, column) for column in MONITORING_COLUMNS)


def preset_of(levels: Sequence[MonitoringLevel]) -> str:
    """The preset these levels are, or ``CUSTOM``."""
    wanted = tuple(levels)
    return next((name for name, preset in MONITORING_PRESETS.items() if preset == wanted), CUSTOM)


def chosen_levels(preset: object, levels: Sequence[object], current: Levels) -> Levels:
    """What a « Surveillance » form means: a preset the manager just picked sets the
    three levels; otherwise (« Personnalisée », or the preset left as it was) the
    three levels say, so changing one level alone is never lost."""
    if preset != CUSTOM:
        clean_levels(preset, "preset")  # a preset that does not exist is refused
        if preset != preset_of(current):
            return MONITORING_PRESETS[str(preset)]
    return clean_levels(levels)


def manager_rows(session: Session, user: User) -> list[DepartmentManager]:
    """The user's « Surveillance » rows, one per service they manage, in the services' order."""
    return list(
        session.scalars(
            sa.select(DepartmentManager)
            .join(Department, Department.id == DepartmentManager.department_id)
            .where(DepartmentManager.user_id == user.id)
            .order_by(Department.position, Department.label)
        )
    )


def merge_preferences(session: Session, user: User, values: Mapping[str, Any]) -> dict:
    """Set some of ``user.preferences``, keeping the others as the database has them
    now: the row is read again and held (FOR UPDATE) until the caller's transaction
    ends. Call it inside ``retrying``; it does not clean the values. Returns the
    preferences as they were."""
    session.refresh(user, with_for_update=True)
    current = dict(user.preferences or {})
    merged = {**current, **values}
    if merged != current:
        user.preferences = merged  # a new dict: the JSON column is written
    return current


def save_preferences(
    session: Session,
    user: User,
    *,
    language: str | None = None,
    monitoring: Mapping[int, object] | None = None,
    **values: Any,
) -> dict[str, list]:
    """Save what the user chose: ``language``, preferences by name (NOTIFY_KEYS, and
    MANAGER_KEYS for managers), ``monitoring`` {DepartmentManager id: levels or preset}
    for their own rows. All of it, or nothing; what changed, as {name: [before, after]}.
    """
    unknown = set(values) - set(CLEANERS)
    if unknown:
        raise TypeError(f"unknown preferences: {', '.join(sorted(unknown))}")
    cleaned = {name: CLEANERS[name](value, name) for name, value in values.items()}
    if language is not None:
        language = clean_language(language)
    wanted = {
        key: clean_levels(levels, f"monitoring-{key}") for key, levels in (monitoring or {}).items()
    }

    def work() -> dict[str, list]:
        previous = merge_preferences(session, user, cleaned)
        before = {name: previous.get(name, DEFAULT_PREFERENCES[name]) for name in cleaned}
        if (set(cleaned) & set(MANAGER_KEYS) or wanted) and not is_manager(session, user):
            raise NotAllowed(_l("Only managers have these preferences."))
        changes: dict[str, list] = {
            name: [before[name], value] for name, value in cleaned.items() if before[name] != value
        }
        if language is not None and language != user.language:
            changes["language"] = [user.language, language]
            user.language = language
        rows = {row.id: row for row in manager_rows(session, user)}
        for key, levels in wanted.items():
            row = rows.get(key)
            if row is None:
                raise NotAllowed(_l("You are not a manager of this service."))
            for column, level in zip(MONITORING_COLUMNS, levels, strict=True):
                if getattr(row, column) != level:
                    changes[f"{column}-{row.department_id}"] = [getattr(row, column), level]
                    setattr(row, column, level)
        return changes

    return retrying(session, work)


def set_monitoring(session: Session, manager: DepartmentManager, levels: object) -> dict:
    """A manager's « Surveillance » in one service: a preset's name or three levels."""
    return save_preferences(session, manager.user, monitoring={manager.id: levels})
