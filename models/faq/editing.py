"""Adding, changing, moving and deleting FAQ entries, each change in the change log
(models/audit.py, shown in « Journal des modifications »).

Every operation checks the actor's right on the entry's tree, cleans what it is given
(InvalidValue beside the field at fault) and commits through ``retrying``.

An entry is never shown to more people than the entry it belongs to: a visibility
wider than its parent's is refused, and narrowing an entry (or moving it under a
narrower one) narrows the entries under it too.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from ..administration.changes import _record
from ..administration.cleaning import _one_line
from ..administration.ordering import Direction, _next_position, _swap
from ..db import utcnow
from ..enums import FaqVisibility
from ..errors import InvalidValue
from ..history import TicketEvent
from ..services import Category, Department
from ..transactions import retrying
from ..users import User
from ..validation import _without_control_characters, clean_choice, parse_id
from .access import require_edit
from .entries import BODY_MAX, TITLE_MAX, FaqEntry
from .matching import entry_terms
from .reading import siblings

OBJECT_TYPE = "faq_entry"
SUMMARY_CHARS = 120


def _clean_title(value: object) -> str:
    title = _one_line(value)
    if not title:
        raise InvalidValue(_l("Please give a title."), field="title")
    if len(title) > TITLE_MAX:
        raise InvalidValue(
            _l("The title must not exceed %(max)d characters.", max=TITLE_MAX), field="title"
        )
    return title


def _clean_body(value: object) -> str:
    text = _without_control_characters(str(value or ""), keep="\n\t").replace("\r\n", "\n")
    text = text.strip()
    if len(text) > BODY_MAX:
        raise InvalidValue(
            _l("The text must not exceed %(max)d characters.", max=BODY_MAX), field="body"
        )
    return text


def _clean_visibility(
    value: object, department: Department | None, parent: FaqEntry | None
) -> FaqVisibility:
    visibility = clean_choice(FaqVisibility, value, "visibility")
    if department is None and visibility is FaqVisibility.DEPARTMENT:
        raise InvalidValue(
            _l("Only a service's entries can be kept to the managers of that service."),
            field="visibility",
        )
    if parent is not None and visibility.breadth < parent.visibility.breadth:
        raise InvalidValue(
            _l(
                "An entry cannot be shown to more people than the entry it belongs to "
                "(%(visibility)s).",
                visibility=parent.visibility.label,
            ),
            field="visibility",
        )
    return visibility


def _parent_in(session: Session, department: Department | None, value: object) -> FaqEntry | None:
    """The entry of the same tree named by a form, or None for the root."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    key = parse_id(value)
    parent = session.get(FaqEntry, key) if key is not None else None
    same_tree = parent is not None and parent.department_id == (
        department.id if department else None
    )
    if not same_tree:
        raise InvalidValue(_l("Please choose an entry of the same FAQ."), field="parent")
    return parent


def _categories_in(
    session: Session, department: Department | None, values: Iterable[object] | None
) -> list[Category]:
    """The categories named, each of the entry's service (any service for the global FAQ)."""
    keys = {parse_id(value) for value in values or ()}
    if None in keys:
        raise InvalidValue(_l("This choice is not available."), field="categories")
    if not keys:
        return []
    found = list(
        session.scalars(
            sa.select(Category)
            .where(Category.id.in_(keys))
            .order_by(Category.position, Category.id)
        )
    )
    wrong = department is not None and any(c.department_id != department.id for c in found)
    if len(found) != len(keys) or wrong:
        raise InvalidValue(_l("Please choose categories of this service."), field="categories")
    return found


def _id(row) -> int | None:
    return row.id if row is not None else None


def _short(text: str) -> str:
    return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1] + "…"


def _narrow_under(entry: FaqEntry, visibility: FaqVisibility) -> dict[str, list]:
    """Entries under ``entry`` shown to more people than ``visibility``: narrowed."""
    narrowed = []
    for below in entry.subtree()[1:]:
        if below.visibility.breadth < visibility.breadth:
            below.visibility = visibility
            narrowed.append(below.title)
    return {"faq_narrowed": [None, ", ".join(narrowed)]} if narrowed else {}


def _labels(categories: Iterable[Category]) -> list[str]:
    return [category.full_label for category in categories]


def _log(session, actor, entry: FaqEntry, verb: str, summary: str, changes: dict) -> None:
    _record(
        session,
        actor,
        department=entry.department,
        object_type=OBJECT_TYPE,
        object_id=entry.id,
        verb=verb,
        summary=summary,
        changes=changes,
    )


def _index(entry: FaqEntry) -> None:
    entry.suggest_terms = entry_terms(entry.title, entry.body)


def add_entry(
    session: Session,
    *,
    actor: User,
    department: Department | None,
    title: str,
    body: str = "",
    visibility: FaqVisibility | str = FaqVisibility.EVERYONE,
    parent_id: int | str | None = None,
    category_ids: Iterable[object] | None = None,
) -> FaqEntry:
    """A new entry of ``department``'s FAQ (None: the global one), last among its siblings."""

    def work() -> FaqEntry:
        require_edit(actor, department)
        parent = _parent_in(session, department, parent_id)
        entry = FaqEntry(
            department=department,
            department_id=department.id if department else None,
            parent=parent,
            title=_clean_title(title),
            body=_clean_body(body),
            visibility=_clean_visibility(visibility, department, parent),
            categories=_categories_in(session, department, category_ids),
            position=_next_position(
                siblings(
                    session, department.id if department else None, parent.id if parent else None
                )
            ),
            created_by_id=actor.id,
            updated_by_id=actor.id,
        )
        _index(entry)
        session.add(entry)
        session.flush()
        changes = {
            "faq_title": [None, entry.title],
            "faq_visibility": [None, entry.visibility.value],
            "faq_parent": [None, parent.title if parent else None],
            "faq_categories": [None, _labels(entry.categories)],
        }
        _log(session, actor, entry, "create", f"Added the FAQ entry {entry.title}", changes)
        return entry

    return retrying(session, work)


def update_entry(
    session: Session,
    entry: FaqEntry,
    *,
    actor: User,
    title: str,
    body: str,
    visibility: FaqVisibility | str,
    category_ids: Iterable[object] | None = None,
) -> dict[str, list]:
    """Change an entry's title, text, visibility and categories; what changed."""

    def work() -> dict[str, list]:
        require_edit(actor, entry.department)
        values: dict[str, Any] = {
            "title": _clean_title(title),
            "body": _clean_body(body),
            "visibility": _clean_visibility(visibility, entry.department, entry.parent),
        }
        categories = _categories_in(session, entry.department, category_ids)
        changes: dict[str, list] = {}
        for name, value in values.items():
            before = getattr(entry, name)
            if before != value:
                shown = (lambda v: getattr(v, "value", v)) if name != "body" else _short
                changes[f"faq_{name}"] = [shown(before), shown(value)]
                setattr(entry, name, value)
        if {c.id for c in categories} != {c.id for c in entry.categories}:
            changes["faq_categories"] = [_labels(entry.categories), _labels(categories)]
            entry.categories = categories
        if "faq_visibility" in changes:
            changes |= _narrow_under(entry, entry.visibility)
        if changes:
            entry.updated_at, entry.updated_by_id = utcnow(), actor.id
            _index(entry)
            _log(session, actor, entry, "update", f"Changed the FAQ entry {entry.title}", changes)
        return changes

    return retrying(session, work)


def move_entry(
    session: Session, entry: FaqEntry, *, actor: User, parent_id: int | str | None
) -> None:
    """Put an entry (with the entries under it) under another entry of the same FAQ, or
    at its root; never under itself or an entry under it."""

    def work() -> None:
        require_edit(actor, entry.department)
        parent = _parent_in(session, entry.department, parent_id)
        if parent is not None and entry in parent.path:
            raise InvalidValue(
                _l("An entry cannot go under itself or one of the entries under it."),
                field="parent",
            )
        if (parent.id if parent else None) == entry.parent_id:
            return
        changes = {"faq_parent": [entry.parent.title if entry.parent else None, None]}
        entry.position = _next_position(siblings(session, entry.department_id, _id(parent)))
        entry.parent = parent
        if parent is not None:
            changes["faq_parent"][1] = parent.title
            if entry.visibility.breadth < parent.visibility.breadth:
                changes["faq_visibility"] = [entry.visibility.value, parent.visibility.value]
                entry.visibility = parent.visibility
            changes |= _narrow_under(entry, entry.visibility)
        _log(session, actor, entry, "move", f"Moved the FAQ entry {entry.title}", changes)

    retrying(session, work)


def reorder_entry(
    session: Session, entry: FaqEntry, direction: Direction | str, *, actor: User
) -> None:
    """One step up or down among the entry's siblings."""

    def work() -> None:
        require_edit(actor, entry.department)
        step = clean_choice(Direction, direction, "direction")
        moved = _swap(siblings(session, entry.department_id, entry.parent_id), entry, step)
        if moved is not None:
            summary = f"Moved the FAQ entry {entry.title} {step.value}"
            _log(session, actor, entry, "reorder", summary, {"position": list(moved)})

    retrying(session, work)


def delete_entry(session: Session, entry: FaqEntry, *, actor: User) -> None:
    """Delete an entry that has none under it; tickets closed with it keep their message."""

    def work() -> None:
        require_edit(actor, entry.department)
        if entry.children:
            raise InvalidValue(_l("Move or delete the entries under this one first."))
        _log(
            session,
            actor,
            entry,
            "delete",
            f"Deleted the FAQ entry {entry.title}",
            {"faq_title": [entry.title, None]},
        )
        session.execute(
            sa.update(TicketEvent)
            .where(TicketEvent.faq_entry_id == entry.id)
            .values(faq_entry_id=None)
            .execution_options(synchronize_session=False)
        )
        session.delete(entry)

    retrying(session, work)
