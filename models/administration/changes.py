"""The change log: how each operation sets its values and writes its AdminChange, and
who may read which changes."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, selectinload

from ..audit import AdminChange
from ..errors import NotAllowed
from ..queries import PAGE_SIZE, Page
from ..services import Category, Department, DepartmentManager
from ..users import User
from .rights import may_view


def _plain(value: Any) -> Any:
    """A value as the change log's JSON keeps it."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, frozenset | set):
        return sorted(_plain(item) for item in value)
    return value


def _apply(target: Department | Category, values: dict[str, Any]) -> dict[str, list]:
    """Set the values; what changed, as {field: [before, after]}."""
    changes = {}
    for name, value in values.items():
        before = getattr(target, name)
        if before != value:
            changes[name] = [_plain(before), _plain(value)]
            setattr(target, name, value)
    return changes


def _record(
    session: Session,
    actor: User,
    *,
    department: Department | None,
    object_type: str,
    object_id: int | None,
    verb: str,
    summary: str,
    changes: dict[str, list],
) -> AdminChange:
    change = AdminChange(
        actor_id=actor.id,
        department_id=department.id if department is not None else None,
        object_type=object_type,
        object_id=object_id,
        verb=verb,
        summary=summary[:500],
        changes=changes,
    )
    session.add(change)
    return change


@dataclass
class LogEntry:
    change: AdminChange
    department: Department | None


def change_log(
    session: Session,
    user: User,
    *,
    department: Department | None = None,
    page: int = 1,
    size: int = PAGE_SIZE,
) -> Page:
    """Who changed what, newest first: one service's changes for its managers, or every
    change the user may see (all of them, global ones included, for an administrator)."""
    query = sa.select(AdminChange)
    if department is not None:
        if not may_view(user, department):
            raise NotAllowed(_l("Your rights in this service do not allow this."))
        query = query.where(AdminChange.department_id == department.id)
    elif not user.is_admin:
        managed = sa.select(DepartmentManager.department_id).where(
            DepartmentManager.user_id == user.id
        )
        query = query.where(AdminChange.department_id.in_(managed))
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    page = max(1, page)
    changes = list(
        session.scalars(
            query.options(selectinload(AdminChange.actor))
            .order_by(AdminChange.id.desc())
            .offset((page - 1) * size)
            .limit(size)
        )
    )
    ids = {change.department_id for change in changes if change.department_id is not None}
    departments = (
        {d.id: d for d in session.scalars(sa.select(Department).where(Department.id.in_(ids)))}
        if ids
        else {}
    )
    entries = [LogEntry(c, departments.get(c.department_id)) for c in changes]
    return Page(items=entries, total=total, number=page, size=size)
