"""Who may do what in a service, and the checks that refuse the others."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from ..enums import Right
from ..errors import NotAllowed
from ..services import Department, DepartmentManager
from ..users import User


def may_view(user: User | None, department: Department) -> bool:
    """Administrators, and every manager of the service, may look at its set-up."""
    return user is not None and (user.is_admin or department.manager_of(user) is not None)


def may(user: User | None, department: Department, right: Right) -> bool:
    """May this user change what ``right`` covers in this service?"""
    if user is None:
        return False
    if user.is_admin:
        return True
    manager = department.manager_of(user)
    return manager is not None and manager.has_right(right)


def may_set_availability(user: User | None, manager: DepartmentManager) -> bool:
    """Those who manage the managers, or the manager themself with SET_OWN_AVAILABILITY."""
    if may(user, manager.department, Right.MANAGE_MANAGERS):
        return True
    return (
        user is not None
        and manager.user_id == user.id
        and manager.has_right(Right.SET_OWN_AVAILABILITY)
    )


@dataclass(frozen=True)
class Powers:
    """What one user may change in one service: what its pages offer them."""

    admin: bool
    properties: bool
    categories: bool
    managers: bool


def powers(user: User | None, department: Department) -> Powers:
    return Powers(
        admin=user is not None and user.is_admin,
        properties=may(user, department, Right.MANAGE_PROPERTIES),
        categories=may(user, department, Right.MANAGE_CATEGORIES),
        managers=may(user, department, Right.MANAGE_MANAGERS),
    )


def require(user: User | None, department: Department, right: Right) -> None:
    if not may(user, department, right):
        raise NotAllowed(_l("Your rights in this service do not allow this."))


def require_availability(user: User | None, manager: DepartmentManager) -> None:
    if not may_set_availability(user, manager):
        raise NotAllowed(_l("Your rights in this service do not allow this."))


def require_admin(user: User | None) -> None:
    if user is None or not user.is_admin:
        raise NotAllowed(_l("Only an administrator may do this."))
