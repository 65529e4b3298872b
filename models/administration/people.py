"""The people who run the services: each service's managers, their rights and
availability, and the administrators."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from ..enums import DEFAULT_RIGHTS, Right
from ..errors import InvalidValue
from ..logins import identify
from ..services import Category, CategoryMember, Department, DepartmentManager
from ..transactions import retrying
from ..users import User
from ..validation import clean_choice
from .changes import _plain, _record
from .cleaning import _clean_uid
from .ordering import _next_position
from .rights import require, require_admin, require_availability


def _user_by_uid(session: Session, uid: str) -> User:
    """The user of this uid; someone never seen is created, and their first CAS login
    completes them (name, e-mail)."""
    user = session.scalar(sa.select(User).where(User.uid == uid))
    if user is None:
        user = identify(session, uid, None)
        user.last_login_at = None  # created here: they have not signed in yet
        session.flush()
    return user


# --- Managers ----------------------------------------------------------------------------


def add_manager(
    session: Session,
    department: Department,
    *,
    actor: User,
    uid: str,
    rights: Iterable[Right | str] = DEFAULT_RIGHTS,
) -> DepartmentManager:
    """Make someone a manager of the service, by their CAS uid, with ``rights``
    (ESUP's defaults unless said otherwise), available, last in the list."""
    rights = list(rights)  # read again if the work is replayed

    def work() -> DepartmentManager:
        require(actor, department, Right.MANAGE_MANAGERS)
        clean_uid = _clean_uid(uid)
        granted = frozenset(clean_choice(Right, right, "rights") for right in rights)
        user = _user_by_uid(session, clean_uid)
        if department.manager_of(user) is not None:
            raise InvalidValue(_l("This person is a manager of this service already."), field="uid")
        manager = DepartmentManager(
            department=department,
            user=user,
            position=_next_position(department.managers),
            is_available=True,
        )
        manager.set_rights(granted)
        session.add(manager)
        session.flush()
        _record(
            session,
            actor,
            department=department,
            object_type="manager",
            object_id=manager.id,
            verb="add",
            summary=f"Added {user.uid} to the managers of {department.label}",
            changes={"manager": [None, user.uid], "rights": [None, _plain(granted)]},
        )
        return manager

    return retrying(session, work)


def set_manager_rights(
    session: Session, manager: DepartmentManager, *, actor: User, rights: Iterable[Right | str]
) -> None:
    """Grant exactly ``rights`` (the others are withdrawn)."""
    rights = list(rights)  # read again if the work is replayed

    def work() -> None:
        require(actor, manager.department, Right.MANAGE_MANAGERS)
        granted = frozenset(clean_choice(Right, right, "rights") for right in rights)
        before = manager.rights
        if granted == before:
            return
        manager.set_rights(granted)
        _record(
            session,
            actor,
            department=manager.department,
            object_type="manager",
            object_id=manager.id,
            verb="update",
            summary=f"Changed the rights of {manager.user.uid} in {manager.department.label}",
            changes={"rights": [_plain(before), _plain(granted)]},
        )

    retrying(session, work)


def set_manager_availability(
    session: Session, manager: DepartmentManager, available: bool, *, actor: User
) -> None:
    """An unavailable manager gets no ticket from the assignment algorithms."""

    def work() -> None:
        require_availability(actor, manager)
        if manager.is_available == bool(available):
            return
        manager.is_available = bool(available)
        _record(
            session,
            actor,
            department=manager.department,
            object_type="manager",
            object_id=manager.id,
            verb="update",
            summary=(
                f"Made {manager.user.uid} {'available' if available else 'unavailable'}"
                f" in {manager.department.label}"
            ),
            changes={"is_available": [not available, bool(available)]},
        )

    retrying(session, work)


def remove_manager(session: Session, manager: DepartmentManager, *, actor: User) -> None:
    """The person stops managing the service, and leaves the members of its categories.
    The tickets they handle keep them as their manager."""

    def work() -> None:
        department = manager.department
        require(actor, department, Right.MANAGE_MANAGERS)
        memberships = list(
            session.scalars(
                sa.select(CategoryMember)
                .join(Category)
                .where(
                    Category.department_id == department.id,
                    CategoryMember.user_id == manager.user_id,
                )
            )
        )
        changes: dict[str, list] = {"manager": [manager.user.uid, None]}
        if memberships:
            changes["member_of"] = [sorted(m.category.full_label for m in memberships), None]
        _record(
            session,
            actor,
            department=department,
            object_type="manager",
            object_id=manager.id,
            verb="remove",
            summary=f"Removed {manager.user.uid} from the managers of {department.label}",
            changes=changes,
        )
        for membership in memberships:
            membership.category.members.remove(membership)
        department.managers.remove(manager)  # delete-orphan

    retrying(session, work)


# --- Administrators ----------------------------------------------------------------------


def administrators(session: Session) -> list[User]:
    return list(session.scalars(sa.select(User).where(User.is_admin).order_by(User.uid)))


def add_admin(session: Session, *, actor: User, uid: str) -> User:
    """Make someone an administrator, by their CAS uid (created if never seen)."""

    def work() -> User:
        require_admin(actor)
        user = _user_by_uid(session, _clean_uid(uid))
        if user.is_admin:
            raise InvalidValue(_l("This person is an administrator already."), field="uid")
        user.is_admin = True
        _record(
            session,
            actor,
            department=None,
            object_type="administrator",
            object_id=user.id,
            verb="add",
            summary=f"Made {user.uid} an administrator",
            changes={"is_admin": [False, True]},
        )
        return user

    return retrying(session, work)


def remove_admin(session: Session, user: User, *, actor: User) -> None:
    """Never the last administrator: someone must remain to run the services."""

    def work() -> None:
        require_admin(actor)
        if not user.is_admin:
            raise InvalidValue(_l("This person is not an administrator."), field="uid")
        # Locked (PostgreSQL; SQLite writes one at a time): two administrators removing
        # each other at once cannot leave none.
        admins = session.scalars(sa.select(User.id).where(User.is_admin).with_for_update()).all()
        if len(admins) <= 1:
            message = (
                _l("You are the last administrator: make someone else one before leaving.")
                if user.id == actor.id
                else _l("The last administrator cannot be removed.")
            )
            raise InvalidValue(message, field="uid")
        user.is_admin = False
        _record(
            session,
            actor,
            department=None,
            object_type="administrator",
            object_id=user.id,
            verb="remove",
            summary=f"Removed {user.uid} from the administrators",
            changes={"is_admin": [True, False]},
        )

    retrying(session, work)
