"""Reading the FAQ: the trees a user may see, one entry, the entries shown for a
category in « Ajouter un ticket », and those matching a subject being typed.

Every query carries ``readable_clause``: what a user may not read is never loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from ..services import Category, Department
from ..users import User
from ..validation import parse_id
from .access import may_edit, readable_clause
from .entries import FaqEntry, faq_entry_categories
from .matching import typed_stems

# Bounds: a FAQ of a few hundred entries is large; past these, the rest is not loaded.
MAX_ENTRIES = 2_000
MAX_LINKED = 20
MAX_SUGGESTIONS = 5


@dataclass
class FaqNode:
    entry: FaqEntry
    children: list[FaqNode] = field(default_factory=list)

    def walk(self, depth: int = 0):
        yield self, depth
        for child in self.children:
            yield from child.walk(depth + 1)


@dataclass
class FaqTree:
    """One FAQ: the global one (``department`` None) or a service's."""

    department: Department | None
    roots: list[FaqNode]
    editable: bool

    def walk(self):
        for root in self.roots:
            yield from root.walk()


def _order(query):
    return query.order_by(FaqEntry.position, FaqEntry.id)


def readable_entries(session: Session, user: User | None, *where) -> list[FaqEntry]:
    query = sa.select(FaqEntry).where(readable_clause(user), *where).limit(MAX_ENTRIES)
    return list(session.scalars(_order(query)))


def _tree(department, entries: list[FaqEntry], editable: bool) -> FaqTree:
    nodes = {entry.id: FaqNode(entry) for entry in entries}
    roots = []
    for entry in entries:  # in position order, so children come out ordered too
        parent = nodes.get(entry.parent_id)
        (parent.children if parent else roots).append(nodes[entry.id])
    return FaqTree(department, roots, editable)


def faq_trees(session: Session, user: User | None) -> list[FaqTree]:
    """The global FAQ, then each service's, in the services' order: those with an entry
    this user may read, and those they may edit."""
    entries = readable_entries(session, user)
    by_department: dict[int | None, list[FaqEntry]] = {}
    for entry in entries:
        by_department.setdefault(entry.department_id, []).append(entry)
    departments = session.scalars(
        sa.select(Department).order_by(Department.position, Department.label)
    ).all()
    trees = []
    if None in by_department or may_edit(user, None):
        trees.append(_tree(None, by_department.get(None, []), may_edit(user, None)))
    for department in departments:
        editable = may_edit(user, department)
        if department.id in by_department or editable:
            trees.append(_tree(department, by_department.get(department.id, []), editable))
    return trees


def department_tree(session: Session, user: User | None, department: Department | None):
    """One FAQ as this user may read it."""
    where = (
        FaqEntry.department_id.is_(None)
        if department is None
        else FaqEntry.department_id == department.id
    )
    return _tree(department, readable_entries(session, user, where), may_edit(user, department))


def readable_entry(session: Session, user: User | None, entry_id: object) -> FaqEntry | None:
    """The entry, if this user may read it: for others, it does not exist."""
    key = parse_id(entry_id)
    if key is None:
        return None
    query = sa.select(FaqEntry).where(FaqEntry.id == key, readable_clause(user))
    return session.scalar(query)


def siblings(session: Session, department_id: int | None, parent_id: int | None):
    """The entries of one FAQ under one parent (None: at its top), in their order,
    whoever may read them: for ordering, which only editors (who read the whole tree) do."""
    where = [
        FaqEntry.department_id.is_(None)
        if department_id is None
        else FaqEntry.department_id == department_id,
        FaqEntry.parent_id.is_(None) if parent_id is None else FaqEntry.parent_id == parent_id,
    ]
    return list(session.scalars(_order(sa.select(FaqEntry).where(*where))))


def entry_siblings(session: Session, entry: FaqEntry) -> list[FaqEntry]:
    """The entries beside this one, itself included, for « Monter » and « Descendre »."""
    return siblings(session, entry.department_id, entry.parent_id)


def readable_children(session: Session, user: User | None, entry: FaqEntry) -> list[FaqEntry]:
    return readable_entries(session, user, FaqEntry.parent_id == entry.id)


def entries_for_category(session: Session, user: User | None, category: Category) -> list[FaqEntry]:
    """The entries linked to this category or to one above it, that the user may read."""
    ids = [node.id for node in category.path]
    linked = sa.select(faq_entry_categories.c.entry_id).where(
        faq_entry_categories.c.category_id.in_(ids)
    )
    query = (
        sa.select(FaqEntry)
        .where(FaqEntry.id.in_(linked), readable_clause(user))
        .order_by(FaqEntry.department_id.is_(None), FaqEntry.position, FaqEntry.id)
        .limit(MAX_LINKED)
    )
    return list(session.scalars(query))


def suggestions(
    session: Session,
    user: User | None,
    text: str | None,
    *,
    category: Category | None = None,
    limit: int = MAX_SUGGESTIONS,
) -> list[FaqEntry]:
    """Entries this user may read whose words begin like those of ``text``, those
    matching the most words first; with ``category``, only the global FAQ and the
    category's service's."""
    stems = typed_stems(text)
    if not stems:
        return []
    padded = " " + FaqEntry.suggest_terms
    hits = [sa.case((padded.like(f"% {found}%"), 1), else_=0) for found in stems]
    score = sum(hits[1:], hits[0]).label("score")
    where = [readable_clause(user), sa.or_(*(padded.like(f"% {found}%") for found in stems))]
    if category is not None:
        where.append(
            sa.or_(
                FaqEntry.department_id.is_(None),
                FaqEntry.department_id == category.department_id,
            )
        )
    query = (
        sa.select(FaqEntry, score)
        .where(*where)
        .order_by(score.desc(), FaqEntry.department_id.is_(None), FaqEntry.position, FaqEntry.id)
        .limit(max(1, min(limit, 20)))
    )
    return [row[0] for row in session.execute(query)]


def entries_for_closing(session: Session, owner: User, department: Department) -> list[FaqEntry]:
    """What a ticket's closure may point to: the entries its owner may read, of its
    service's FAQ first, then the global one, then the others'."""
    query = (
        sa.select(FaqEntry)
        .where(readable_clause(owner))
        .options(selectinload(FaqEntry.department))
        .order_by(
            sa.case(
                (FaqEntry.department_id == department.id, 0),
                (FaqEntry.department_id.is_(None), 1),
                else_=2,
            ),
            FaqEntry.department_id,
            FaqEntry.position,
            FaqEntry.id,
        )
        .limit(MAX_ENTRIES)
    )
    return list(session.scalars(query))
