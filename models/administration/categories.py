"""A service's category tree: its categories, where they stand, and their members."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from ..enums import AssignmentAlgorithm, Right, TicketScope
from ..errors import InvalidValue
from ..services import Category, CategoryMember, Department
from ..transactions import retrying
from ..users import User
from ..validation import clean_choice, parse_id
from .changes import _apply, _plain, _record
from .cleaning import CATEGORY_CLEANERS, _clean
from .ordering import Direction, _next_position, _swap
from .rights import require


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
