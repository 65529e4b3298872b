"""Who gets a new ticket: the category's assignment algorithm."""

from __future__ import annotations

import random

import sqlalchemy as sa
from sqlalchemy.orm import object_session

from .enums import AssignmentAlgorithm
from .services import Category, DepartmentManager
from .users import User


def available_members(category: Category) -> list[DepartmentManager]:
    return [manager for manager in category.effective_members() if manager.is_available]


def pick_assignee(category: Category, rng: random.Random | None = None) -> User | None:
    """The manager the category's algorithm gives a new ticket to, or None."""
    algorithm = AssignmentAlgorithm(category.effective("assignment_algorithm"))
    candidates = available_members(category)
    if algorithm is AssignmentAlgorithm.NOBODY or not candidates:
        return None
    if algorithm is AssignmentAlgorithm.FIRST_AVAILABLE:
        return candidates[0].user
    if algorithm is AssignmentAlgorithm.RANDOM:
        return (rng or random).choice(candidates).user
    return _next_in_turn(category, candidates)


def _next_in_turn(category: Category, candidates: list[DepartmentManager]) -> User:
    session = object_session(category)
    # Lock the cursor so that two tickets filed at once go to two people (PostgreSQL).
    last = session.execute(
        sa.select(Category.last_assigned_user_id)
        .where(Category.id == category.id)
        .with_for_update()
    ).scalar_one()
    # Turn on from the last one served, skipping whoever is unavailable now.
    members = category.effective_members()
    ids = [member.user_id for member in members]
    start = ids.index(last) + 1 if last in ids else 0
    rotation = members[start:] + members[:start]
    chosen = next(member for member in rotation if member in candidates)
    category.last_assigned_user_id = chosen.user_id
    return chosen.user
