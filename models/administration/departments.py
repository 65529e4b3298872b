"""Setting up the services themselves: creating them, their properties, enabling them
and their order."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from ..enums import DEFAULT_PRIORITY, AssignmentAlgorithm, Right, TicketScope
from ..errors import InvalidValue
from ..services import DEFAULT_EXPIRY_DAYS, Department
from ..transactions import retrying
from ..users import User
from ..validation import clean_choice
from .changes import _apply, _plain, _record
from .cleaning import DEPARTMENT_CLEANERS, _clean
from .ordering import Direction, _swap
from .rights import require, require_admin


def _label_taken(session: Session, label: str, but: int | None = None) -> bool:
    query = sa.select(Department.id).where(sa.func.lower(Department.label) == label.lower())
    if but is not None:
        query = query.where(Department.id != but)
    return session.scalar(query.limit(1)) is not None


def _check_label_free(session: Session, label: str, but: int | None = None) -> None:
    if _label_taken(session, label, but):
        raise InvalidValue(_l("Another service already has this label."), field="label")


def create_department(
    session: Session,
    *,
    actor: User,
    label: str,
    title: str = "",
    description: str = "",
    enabled: bool = False,
    default_priority: int | str = DEFAULT_PRIORITY,
    default_scope: TicketScope | str = TicketScope.PRIVATE,
    assignment_algorithm: AssignmentAlgorithm | str = AssignmentAlgorithm.NOBODY,
    expiry_days: int | str = DEFAULT_EXPIRY_DAYS,
    spent_time_required: bool = False,
) -> Department:
    """A new service, last in the order; disabled unless said otherwise (as in ESUP)."""
    given = {
        "label": label,
        "title": title,
        "description": description,
        "default_priority": default_priority,
        "default_scope": default_scope,
        "assignment_algorithm": assignment_algorithm,
        "expiry_days": expiry_days,
        "spent_time_required": spent_time_required,
    }

    def work() -> Department:
        require_admin(actor)
        values = _clean(DEPARTMENT_CLEANERS, given)
        _check_label_free(session, values["label"])
        last = session.scalar(sa.select(sa.func.max(Department.position)))
        department = Department(
            **values, is_enabled=bool(enabled), position=0 if last is None else last + 1
        )
        session.add(department)
        session.flush()
        changes = {name: [None, _plain(value)] for name, value in values.items()}
        changes["is_enabled"] = [None, department.is_enabled]
        _record(
            session,
            actor,
            department=department,
            object_type="department",
            object_id=department.id,
            verb="create",
            summary=f"Created the service {department.label}",
            changes=changes,
        )
        return department

    return retrying(session, work)


def update_department(
    session: Session, department: Department, *, actor: User, **values: Any
) -> dict[str, list]:
    """Change a service's properties (those of DEPARTMENT_CLEANERS); what changed."""

    def work() -> dict[str, list]:
        require(actor, department, Right.MANAGE_PROPERTIES)
        cleaned = _clean(DEPARTMENT_CLEANERS, values)
        if "label" in cleaned:
            _check_label_free(session, cleaned["label"], but=department.id)
        changes = _apply(department, cleaned)
        if changes:
            _record(
                session,
                actor,
                department=department,
                object_type="department",
                object_id=department.id,
                verb="update",
                summary=f"Changed the properties of the service {department.label}",
                changes=changes,
            )
        return changes

    return retrying(session, work)


def set_department_enabled(
    session: Session, department: Department, enabled: bool, *, actor: User
) -> None:
    """A disabled service takes no new ticket; its tickets and set-up stay."""

    def work() -> None:
        require_admin(actor)
        if department.is_enabled == bool(enabled):
            return
        department.is_enabled = bool(enabled)
        _record(
            session,
            actor,
            department=department,
            object_type="department",
            object_id=department.id,
            verb="enable" if enabled else "disable",
            summary=f"{'Enabled' if enabled else 'Disabled'} the service {department.label}",
            changes={"is_enabled": [not enabled, bool(enabled)]},
        )

    retrying(session, work)


def move_department(
    session: Session, department: Department, direction: Direction | str, *, actor: User
) -> None:
    """One step up or down in the order users choose services in."""

    def work() -> None:
        require_admin(actor)
        step = clean_choice(Direction, direction, "direction")
        ordered = list(
            session.scalars(
                sa.select(Department).order_by(Department.position, Department.label, Department.id)
            )
        )
        moved = _swap(ordered, department, step)
        if moved is None:
            return
        _record(
            session,
            actor,
            department=department,
            object_type="department",
            object_id=department.id,
            verb="move",
            summary=f"Moved the service {department.label} {step.value}",
            changes={"position": list(moved)},
        )

    retrying(session, work)
