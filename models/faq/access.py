"""Who may read a FAQ entry, and who may edit a tree of entries.

Reading follows the entry's visibility (administrators read everything); the entries
of a disabled service are for its own managers until it is enabled. Editing a
service's tree takes the « Modifier la FAQ du service » right (MANAGE_FAQ); the
global tree is the administrators'.

``may_read`` answers for one entry, ``readable_clause`` is the same rule as a WHERE
clause, so that lists, counts and searches never hold what a user may not read.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import object_session

from ..enums import FaqVisibility, Right
from ..errors import NotAllowed
from ..services import Department, DepartmentManager
from ..users import User
from .entries import FaqEntry

V = FaqVisibility


def _manages_any(session, user: User) -> bool:
    query = sa.select(DepartmentManager.id).where(DepartmentManager.user_id == user.id).limit(1)
    return session.scalar(query) is not None


def may_read(user: User | None, entry: FaqEntry) -> bool:
    if user is not None and user.is_admin:
        return True
    department = entry.department
    own_service = department is not None and department.manager_of(user) is not None
    if department is not None and not department.is_enabled and not own_service:
        return False
    if entry.visibility is V.EVERYONE:
        return True
    if user is None:
        return False
    if entry.visibility is V.AUTHENTICATED:
        return True
    if entry.visibility is V.MANAGERS:
        return own_service or _manages_any(object_session(entry), user)
    return own_service  # V.DEPARTMENT


def readable_clause(user: User | None) -> sa.ColumnElement[bool]:
    """A WHERE clause on FaqEntry selecting what ``may_read`` lets this user read."""
    if user is not None and user.is_admin:
        return sa.true()
    enabled = sa.select(Department.id).where(Department.is_enabled)
    if user is None:
        return sa.and_(
            FaqEntry.visibility == V.EVERYONE,
            sa.or_(FaqEntry.department_id.is_(None), FaqEntry.department_id.in_(enabled)),
        )
    managed = sa.select(DepartmentManager.department_id).where(DepartmentManager.user_id == user.id)
    return sa.and_(
        sa.or_(
            FaqEntry.department_id.is_(None),
            FaqEntry.department_id.in_(enabled),
            FaqEntry.department_id.in_(managed),
        ),
        sa.or_(
            FaqEntry.visibility.in_([V.EVERYONE, V.AUTHENTICATED]),
            sa.and_(FaqEntry.visibility == V.MANAGERS, sa.exists(managed)),
            sa.and_(FaqEntry.visibility == V.DEPARTMENT, FaqEntry.department_id.in_(managed)),
        ),
    )


def may_edit(user: User | None, department: Department | None) -> bool:
    """May this user add, change, move and delete the entries of this tree (None: the
    global one)?"""
    if user is None:
        return False
    if user.is_admin:
        return True
    if department is None:
        return False
    manager = department.manager_of(user)
    return manager is not None and manager.has_right(Right.MANAGE_FAQ)


def require_edit(user: User | None, department: Department | None) -> None:
    if not may_edit(user, department):
        raise NotAllowed(
            _l("Only an administrator may edit the global FAQ.")
            if department is None
            else _l("Your rights in this service do not allow this.")
        )
