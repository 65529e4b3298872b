"""Loading the services a user may look at, or the one a URL names, with their
managers."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from ..services import Department, DepartmentManager
from ..users import User
from ..validation import parse_id


def _with_managers(query: sa.Select) -> sa.Select:
    return query.options(selectinload(Department.managers).selectinload(DepartmentManager.user))


def visible_departments(session: Session, user: User) -> list[Department]:
    """The services this user may look at (all of them for an administrator), in order,
    with their managers loaded."""
    query = _with_managers(sa.select(Department)).order_by(
        Department.position, Department.label, Department.id
    )
    if not user.is_admin:
        managed = sa.select(DepartmentManager.department_id).where(
            DepartmentManager.user_id == user.id
        )
        query = query.where(Department.id.in_(managed))
    return list(session.scalars(query))


def load_department(session: Session, department_id: object) -> Department | None:
    """The service a URL names, with its managers, or None."""
    key = parse_id(department_id)
    if key is None:
        return None
    return session.scalar(_with_managers(sa.select(Department)).where(Department.id == key))
