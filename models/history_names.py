"""The people, services and categories a history's changes name (« Manager: A → B »),
loaded in one query per kind: showing a history then reads none of them one by one."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.util import identity_key

from .history import TicketEvent
from .services import Category, Department
from .users import User

NAMED = (
    ("manager_id", User),
    ("owner_id", User),
    ("department_id", Department),
    ("category_id", Category),
)
# Deepest category tree whose labels (« Parent / Child ») are loaded up front.
CATEGORY_DEPTH = 10


def category_path():
    """A category with its ancestors, for its full label and inherited defaults."""
    return selectinload(Category.parent, recursion_depth=CATEGORY_DEPTH)


def load_named_in_history(session: Session, events: list[TicketEvent]) -> None:
    """Put in the session what ``events`` name before and after each change and it does
    not hold yet, one query per kind."""
    wanted: dict[type, set[int]] = defaultdict(set)
    for event in events:
        for name, model in NAMED:
            for key in (getattr(event, f"{name}_before"), getattr(event, f"{name}_after")):
                if key is not None and identity_key(model, key) not in session.identity_map:
                    wanted[model].add(key)
    for model, keys in wanted.items():
        query = sa.select(model).where(model.id.in_(keys))
        if model is Category:
            query = query.options(category_path())
        session.scalars(query).all()
