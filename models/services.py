"""Services (« départements »), their category trees and their managers.

A ticket filed in a category goes to that category's service. Categories inherit
their defaults (priority, visibility, assignment, expiry) from their parent, then
from the service, which always has a value.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .db import db, enum_type
from .enums import (
    DEFAULT_MONITORING,
    DEFAULT_PRIORITY,
    DEFAULT_RIGHTS,
    AddressLevel,
    AssignmentAlgorithm,
    MonitoringLevel,
    Right,
    TicketScope,
)
from .users import User

DEFAULT_EXPIRY_DAYS = 14
INHERITED_DEFAULTS = ("default_priority", "default_scope", "assignment_algorithm", "expiry_days")


class Department(db.Model):
    __tablename__ = "departments"
    __table_args__ = (
        sa.CheckConstraint("default_priority BETWEEN 1 AND 5", name="default_priority"),
        sa.CheckConstraint("expiry_days >= 0", name="expiry_days"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(sa.String(100), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    is_enabled: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    default_priority: Mapped[int] = mapped_column(default=DEFAULT_PRIORITY)
    default_scope: Mapped[TicketScope] = mapped_column(
        enum_type(TicketScope, "default_scope"), default=TicketScope.PRIVATE
    )
    assignment_algorithm: Mapped[AssignmentAlgorithm] = mapped_column(
        enum_type(AssignmentAlgorithm, "assignment_algorithm"), default=AssignmentAlgorithm.NOBODY
    )
    # A ticket left « Clos » longer than this becomes « Expiré »; 0 means never.
    expiry_days: Mapped[int] = mapped_column(default=DEFAULT_EXPIRY_DAYS)
    spent_time_required: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    categories: Mapped[list[Category]] = relationship(
        back_populates="department", order_by="Category.position, Category.id"
    )
    managers: Mapped[list[DepartmentManager]] = relationship(
        back_populates="department",
        order_by="DepartmentManager.position, DepartmentManager.id",
        cascade="all, delete-orphan",
    )

    @property
    def root_categories(self) -> list[Category]:
        return [category for category in self.categories if category.parent_id is None]

    def manager_of(self, user: User | None) -> DepartmentManager | None:
        if user is None:
            return None
        return next((m for m in self.managers if m.user_id == user.id), None)

    def __repr__(self) -> str:
        return f"<Department {self.label}>"


class Category(db.Model):
    __tablename__ = "categories"
    __table_args__ = (
        sa.CheckConstraint("default_priority BETWEEN 1 AND 5", name="default_priority"),
        sa.CheckConstraint("expiry_days >= 0", name="expiry_days"),
        sa.CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(sa.ForeignKey("departments.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("categories.id"), index=True)
    label: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    # A category with sub-categories takes tickets itself only when this is set.
    accepts_tickets: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # None means « inherited »: from the parent category, then the service.
    default_priority: Mapped[int | None]
    default_scope: Mapped[TicketScope | None] = mapped_column(
        enum_type(TicketScope, "default_scope")
    )
    assignment_algorithm: Mapped[AssignmentAlgorithm | None] = mapped_column(
        enum_type(AssignmentAlgorithm, "assignment_algorithm")
    )
    expiry_days: Mapped[int | None]
    # An address told of this category's tickets (a team's list), when its level says.
    monitoring_email: Mapped[str | None] = mapped_column(sa.String(254))
    monitoring_email_level: Mapped[AddressLevel] = mapped_column(
        enum_type(AddressLevel, "monitoring_email_level"),
        default=AddressLevel.CREATION,
        server_default=AddressLevel.CREATION.value,
    )
    # Round-robin cursor: the member who got the last ticket assigned here.
    last_assigned_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    department: Mapped[Department] = relationship(back_populates="categories")
    parent: Mapped[Category | None] = relationship(
        back_populates="children", remote_side="Category.id"
    )
    children: Mapped[list[Category]] = relationship(
        back_populates="parent", order_by="Category.position, Category.id"
    )
    members: Mapped[list[CategoryMember]] = relationship(
        back_populates="category",
        order_by="CategoryMember.position, CategoryMember.id",
        cascade="all, delete-orphan",
    )

    @property
    def takes_tickets(self) -> bool:
        """Leaves always take tickets; a parent only when flagged so."""
        return self.accepts_tickets or not self.children

    def inherited(self, name: str) -> tuple[Any, Category | Department]:
        """The effective value of a default, and where it comes from."""
        if name not in INHERITED_DEFAULTS:
            raise AttributeError(name)
        node: Category | None = self
        while node is not None:
            value = getattr(node, name)
            if value is not None:
                return value, node
            node = node.parent
        return getattr(self.department, name), self.department

    def effective(self, name: str) -> Any:
        return self.inherited(name)[0]

    @property
    def path(self) -> list[Category]:
        """This category and its ancestors, root first."""
        chain, node = [], self
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain[::-1]

    @property
    def full_label(self) -> str:
        return " / ".join(category.label for category in self.path)

    def effective_members(self) -> list[DepartmentManager]:
        """The managers attached here, else those of the parent, else the whole service."""
        node: Category | None = self
        while node is not None:
            if node.members:
                managers = [self.department.manager_of(member.user) for member in node.members]
                return [manager for manager in managers if manager is not None]
            node = node.parent
        return list(self.department.managers)

    def __repr__(self) -> str:
        return f"<Category {self.full_label}>"


def _right_column(right: Right):
    granted = right in DEFAULT_RIGHTS
    return mapped_column(default=granted, server_default=sa.true() if granted else sa.false())


def _monitoring_column(name: str, index: int):
    default = DEFAULT_MONITORING[index]
    return mapped_column(
        enum_type(MonitoringLevel, name), default=default, server_default=default.value
    )


class DepartmentManager(db.Model):
    """A user who handles the tickets of a service, with the rights it grants them."""

    __tablename__ = "department_managers"
    __table_args__ = (sa.UniqueConstraint("department_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(sa.ForeignKey("departments.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    is_available: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    can_take_free: Mapped[bool] = _right_column(Right.TAKE_FREE)
    can_take_assigned: Mapped[bool] = _right_column(Right.TAKE_ASSIGNED)
    can_assign: Mapped[bool] = _right_column(Right.ASSIGN)
    can_refuse: Mapped[bool] = _right_column(Right.REFUSE)
    can_reopen: Mapped[bool] = _right_column(Right.REOPEN)
    can_move_department: Mapped[bool] = _right_column(Right.MOVE_DEPARTMENT)
    can_manage_categories: Mapped[bool] = _right_column(Right.MANAGE_CATEGORIES)
    can_manage_managers: Mapped[bool] = _right_column(Right.MANAGE_MANAGERS)
    can_manage_properties: Mapped[bool] = _right_column(Right.MANAGE_PROPERTIES)
    can_set_own_availability: Mapped[bool] = _right_column(Right.SET_OWN_AVAILABILITY)
    can_manage_faq: Mapped[bool] = _right_column(Right.MANAGE_FAQ)
    # « Surveillance »: which of the service's tickets this manager is told of.
    monitor_any: Mapped[MonitoringLevel] = _monitoring_column("monitor_any", 0)
    monitor_category: Mapped[MonitoringLevel] = _monitoring_column("monitor_category", 1)
    monitor_managed: Mapped[MonitoringLevel] = _monitoring_column("monitor_managed", 2)

    department: Mapped[Department] = relationship(back_populates="managers")
    user: Mapped[User] = relationship()

    def has_right(self, right: Right) -> bool:
        return bool(getattr(self, f"can_{right.value}"))

    def set_rights(self, rights: frozenset[Right] | set[Right]) -> None:
        for right in Right:
            setattr(self, f"can_{right.value}", right in rights)

    @property
    def rights(self) -> frozenset[Right]:
        return frozenset(right for right in Right if self.has_right(right))

    def __repr__(self) -> str:
        return f"<DepartmentManager {self.user_id}@{self.department_id}>"


class CategoryMember(db.Model):
    """A manager attached to a category: assignment and alerts follow them."""

    __tablename__ = "category_members"
    __table_args__ = (sa.UniqueConstraint("category_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("categories.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)

    category: Mapped[Category] = relationship(back_populates="members")
    user: Mapped[User] = relationship()
