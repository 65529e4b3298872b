"""A service's categories as a tree, with the defaults and members each one has or
inherits, and where they come from."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from ..services import INHERITED_DEFAULTS, Category, CategoryMember, Department
from ..validation import parse_id


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
