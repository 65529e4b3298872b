"""« Services »: setting up the services, their category trees and their managers.

Who may do what, as in ESUP-Helpdesk: an administrator everything; a manager of a
service what their rights there allow: its properties (MANAGE_PROPERTIES), its
categories and their members (MANAGE_CATEGORIES), its managers, their rights and
availability (MANAGE_MANAGERS), their own availability (SET_OWN_AVAILABILITY).
Any manager of a service may look at it. Creating, enabling and ordering the
services, and the list of administrators, are the administrators' alone.

Each operation checks the actor's right, cleans what it is given (InvalidValue
beside the field at fault), changes the rows, writes one AdminChange, and commits
through ``retrying``: all of it, or nothing.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, selectinload

from .audit import AdminChange
from .enums import DEFAULT_PRIORITY, DEFAULT_RIGHTS, AssignmentAlgorithm, Right, TicketScope
from .errors import InvalidValue, NotAllowed
from .logins import identify
from .queries import PAGE_SIZE, Page
from .services import (
    DEFAULT_EXPIRY_DAYS,
    INHERITED_DEFAULTS,
    Category,
    CategoryMember,
    Department,
    DepartmentManager,
)
from .transactions import retrying
from .users import User
from .validation import _without_control_characters, clean_choice, clean_priority, parse_id

T = TypeVar("T")

DEPARTMENT_LABEL_MAX = Department.label.type.length
TITLE_MAX = Department.title.type.length
CATEGORY_LABEL_MAX = Category.label.type.length
UID_MAX = User.uid.type.length
DESCRIPTION_MAX = 5_000
# Ten years: a longer delay is a typing slip.
EXPIRY_DAYS_MAX = 3_650


class Direction(enum.StrEnum):
    """Where « Monter » and « Descendre » move a service or a category among its siblings."""

    UP = "up"
    DOWN = "down"


# --- Who may do what ---------------------------------------------------------------------


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


# --- Cleaning what is given ----------------------------------------------------------------


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
}


def _clean(cleaners: dict[str, Callable[[object, str], Any]], values: dict[str, Any]) -> dict:
    unknown = set(values) - set(cleaners)
    if unknown:
        raise TypeError(f"unexpected fields: {', '.join(sorted(unknown))}")
    return {name: cleaners[name](value, name) for name, value in values.items()}


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


def _label_taken(session: Session, label: str, but: int | None = None) -> bool:
    query = sa.select(Department.id).where(sa.func.lower(Department.label) == label.lower())
    if but is not None:
        query = query.where(Department.id != but)
    return session.scalar(query.limit(1)) is not None


def _check_label_free(session: Session, label: str, but: int | None = None) -> None:
    if _label_taken(session, label, but):
        raise InvalidValue(_l("Another service already has this label."), field="label")


def _swap(ordered: list, item, direction: Direction) -> tuple[int, int] | None:
    """Number the siblings 0, 1, 2…, then move ``item`` one step; None at either end."""
    index = ordered.index(item)
    other = index - 1 if direction is Direction.UP else index + 1
    if not 0 <= other < len(ordered):
        return None
    before = item.position
    for position, sibling in enumerate(ordered):
        sibling.position = position
    ordered[index].position, ordered[other].position = other, index
    return before, item.position


def _user_by_uid(session: Session, uid: str) -> User:
    """The user of this uid; someone never seen is created, and their first CAS login
    completes them (name, e-mail)."""
    user = session.scalar(sa.select(User).where(User.uid == uid))
    if user is None:
        user = identify(session, uid, None)
        user.last_login_at = None  # created here: they have not signed in yet
        session.flush()
    return user


# --- Services ------------------------------------------------------------------------------


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


# --- Categories ----------------------------------------------------------------------------


def _parent_in(session: Session, department: Department, parent_id: object) -> Category | None:
    """The category of this service named by a form, or None for the root."""
    if parent_id is None or (isinstance(parent_id, str) and not parent_id.strip()):
        return None
    key = parse_id(parent_id)
    parent = session.get(Category, key) if key is not None else None
    if parent is None or parent.department_id != department.id:
        raise InvalidValue(_l("Please choose a category of this service."), field="parent")
    return parent


def _siblings(session: Session, department_id: int, parent_id: int | None) -> list[Category]:
    parent = Category.parent_id.is_(None) if parent_id is None else Category.parent_id == parent_id
    return list(
        session.scalars(
            sa.select(Category)
            .where(Category.department_id == department_id, parent)
            .order_by(Category.position, Category.id)
        )
    )


def _next_position(siblings: list) -> int:
    return max((sibling.position for sibling in siblings), default=-1) + 1


def _path_label(category: Category | None) -> str | None:
    return category.full_label if category is not None else None


def add_category(
    session: Session,
    department: Department,
    *,
    actor: User,
    label: str,
    parent_id: int | str | None = None,
    description: str = "",
    accepts_tickets: bool = False,
    default_priority: int | str | None = None,
    default_scope: TicketScope | str | None = None,
    assignment_algorithm: AssignmentAlgorithm | str | None = None,
    expiry_days: int | str | None = None,
) -> Category:
    """A category at the root of the service or under ``parent_id``, last among its
    siblings. Each default left None is inherited."""
    given = {
        "label": label,
        "description": description,
        "accepts_tickets": accepts_tickets,
        "default_priority": default_priority,
        "default_scope": default_scope,
        "assignment_algorithm": assignment_algorithm,
        "expiry_days": expiry_days,
    }

    def work() -> Category:
        require(actor, department, Right.MANAGE_CATEGORIES)
        values = _clean(CATEGORY_CLEANERS, given)
        parent = _parent_in(session, department, parent_id)
        siblings = _siblings(session, department.id, parent.id if parent else None)
        category = Category(
            department=department, parent=parent, position=_next_position(siblings), **values
        )
        session.add(category)
        session.flush()
        changes = {name: [None, _plain(value)] for name, value in values.items()}
        changes["parent"] = [None, _path_label(parent)]
        _record(
            session,
            actor,
            department=department,
            object_type="category",
            object_id=category.id,
            verb="create",
            summary=f"Added the category {category.full_label}",
            changes=changes,
        )
        return category

    return retrying(session, work)


def update_category(
    session: Session, category: Category, *, actor: User, **values: Any
) -> dict[str, list]:
    """Change a category's label, description, « accepts tickets » or defaults (None:
    inherited); what changed."""

    def work() -> dict[str, list]:
        require(actor, category.department, Right.MANAGE_CATEGORIES)
        changes = _apply(category, _clean(CATEGORY_CLEANERS, values))
        if changes:
            _record(
                session,
                actor,
                department=category.department,
                object_type="category",
                object_id=category.id,
                verb="update",
                summary=f"Changed the category {category.full_label}",
                changes=changes,
            )
        return changes

    return retrying(session, work)


def move_category(
    session: Session, category: Category, *, actor: User, parent_id: int | str | None
) -> None:
    """Put a category (with its sub-categories) under another one of the same service, or
    at its root; never under itself or one of its own sub-categories."""

    def work() -> None:
        department = category.department
        require(actor, department, Right.MANAGE_CATEGORIES)
        parent = _parent_in(session, department, parent_id)
        if parent is not None and category in parent.path:
            raise InvalidValue(
                _l("A category cannot go under itself or one of its sub-categories."),
                field="parent",
            )
        if (parent.id if parent else None) == category.parent_id:
            return
        before = _path_label(category.parent)
        category.position = _next_position(
            _siblings(session, department.id, parent.id if parent else None)
        )
        category.parent = parent
        _record(
            session,
            actor,
            department=department,
            object_type="category",
            object_id=category.id,
            verb="move",
            summary=f"Moved the category {category.label} to {_path_label(parent) or 'the root'}",
            changes={"parent": [before, _path_label(parent)]},
        )

    retrying(session, work)


def reorder_category(
    session: Session, category: Category, direction: Direction | str, *, actor: User
) -> None:
    """One step up or down among the category's siblings."""

    def work() -> None:
        require(actor, category.department, Right.MANAGE_CATEGORIES)
        step = clean_choice(Direction, direction, "direction")
        siblings = _siblings(session, category.department_id, category.parent_id)
        moved = _swap(siblings, category, step)
        if moved is None:
            return
        _record(
            session,
            actor,
            department=category.department,
            object_type="category",
            object_id=category.id,
            verb="reorder",
            summary=f"Moved the category {category.full_label} {step.value}",
            changes={"position": list(moved)},
        )

    retrying(session, work)


def add_member(session: Session, category: Category, *, actor: User, member_uid: str) -> None:
    """Attach a manager of the service to a category: its tickets are assigned among
    its members, who are told of them."""

    def work() -> None:
        department = category.department
        require(actor, department, Right.MANAGE_CATEGORIES)
        uid = str(member_uid or "").strip()
        manager = next((m for m in department.managers if m.user.uid == uid), None)
        if manager is None:
            raise InvalidValue(
                _l("Only a manager of this service can be a member of its categories."),
                field="member",
            )
        if any(member.user_id == manager.user_id for member in category.members):
            raise InvalidValue(_l("This manager is a member already."), field="member")
        member = CategoryMember(
            category=category, user=manager.user, position=_next_position(category.members)
        )
        session.add(member)
        session.flush()
        _record(
            session,
            actor,
            department=department,
            object_type="category_member",
            object_id=member.id,
            verb="add",
            summary=f"Added {uid} to the members of {category.full_label}",
            changes={"member": [None, uid]},
        )

    retrying(session, work)


def remove_member(session: Session, category: Category, *, actor: User, member_uid: str) -> None:
    def work() -> None:
        department = category.department
        require(actor, department, Right.MANAGE_CATEGORIES)
        uid = str(member_uid or "").strip()
        member = next((m for m in category.members if m.user.uid == uid), None)
        if member is None:
            raise InvalidValue(_l("This person is not a member of this category."), field="member")
        _record(
            session,
            actor,
            department=department,
            object_type="category_member",
            object_id=member.id,
            verb="remove",
            summary=f"Removed {uid} from the members of {category.full_label}",
            changes={"member": [uid, None]},
        )
        category.members.remove(member)  # delete-orphan

    retrying(session, work)


# --- Managers ------------------------------------------------------------------------------


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


# --- Administrators ------------------------------------------------------------------------


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


# --- Reading -------------------------------------------------------------------------------


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


@dataclass
class Inherited:
    """The effective value of a default, and where it comes from: the category itself
    (``own``), a parent category, or the service."""

    value: Any
    source: Category | Department
    own: bool

    @property
    def from_department(self) -> bool:
        return isinstance(self.source, Department)


@dataclass
class CategoryNode:
    category: Category
    depth: int
    index: int  # among its siblings
    siblings: int
    parent: CategoryNode | None = None
    children: list[CategoryNode] = field(default_factory=list)
    defaults: dict[str, Inherited] = field(default_factory=dict)
    # What it would inherit if it set nothing: its parent's values, or the service's.
    inheritable: dict[str, Inherited] = field(default_factory=dict)
    # Its members, else those of the nearest parent that has some, else every manager.
    members: Inherited | None = None

    @property
    def takes_tickets(self) -> bool:
        return self.category.accepts_tickets or not self.children

    @property
    def is_first(self) -> bool:
        return self.index == 0

    @property
    def is_last(self) -> bool:
        return self.index == self.siblings - 1

    def subtree(self) -> Iterator[CategoryNode]:
        yield self
        for child in self.children:
            yield from child.subtree()


@dataclass
class CategoryTree:
    department: Department
    roots: list[CategoryNode]
    nodes: dict[int, CategoryNode]

    def walk(self) -> Iterator[CategoryNode]:
        """Every category, depth first, in the order of the tree."""
        for root in self.roots:
            yield from root.subtree()

    def node(self, category_id: object) -> CategoryNode | None:
        key = parse_id(category_id)
        return self.nodes.get(key) if key is not None else None


def department_tree(session: Session, department: Department) -> CategoryTree:
    """The service's categories as a tree, with each one's effective defaults and
    members and where they come from: three queries, whatever the size of the tree."""
    categories = list(
        session.scalars(
            sa.select(Category)
            .where(Category.department_id == department.id)
            .options(selectinload(Category.members).selectinload(CategoryMember.user))
            .order_by(Category.position, Category.id)
        )
    )
    by_parent: dict[int | None, list[Category]] = {}
    for category in categories:
        by_parent.setdefault(category.parent_id, []).append(category)
    service = {
        name: Inherited(getattr(department, name), department, False) for name in INHERITED_DEFAULTS
    }
    everyone = Inherited([m.user for m in department.managers], department, False)
    nodes: dict[int, CategoryNode] = {}

    def grow(parent: CategoryNode | None, depth: int) -> list[CategoryNode]:
        level = by_parent.get(parent.category.id if parent else None, [])
        grown = []
        for index, category in enumerate(level):
            node = CategoryNode(category, depth, index, len(level), parent)
            node.inheritable = (
                {name: _as_inherited(d) for name, d in parent.defaults.items()}
                if parent
                else service
            )
            node.defaults = {
                name: Inherited(getattr(category, name), category, True)
                if getattr(category, name) is not None
                else node.inheritable[name]
                for name in INHERITED_DEFAULTS
            }
            if category.members:
                node.members = Inherited([m.user for m in category.members], category, True)
            else:
                node.members = _as_inherited(parent.members) if parent else everyone
            nodes[category.id] = node
            node.children = grow(node, depth + 1)
            grown.append(node)
        return grown

    roots = grow(None, 0)
    # A category whose parent is outside the service cannot happen; one on a cycle
    # cannot either (moves refuse them): both would be left out here.
    return CategoryTree(department, roots, nodes)


def _as_inherited(value: Inherited) -> Inherited:
    return Inherited(value.value, value.source, False)


# --- The change log ------------------------------------------------------------------------


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
