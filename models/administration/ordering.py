"""The order of services, categories and their members among their siblings."""

from __future__ import annotations

import enum


class Direction(enum.StrEnum):
    """Where « Monter » and « Descendre » move a service or a category among its siblings."""

    UP = "up"
    DOWN = "down"


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


def _next_position(siblings: list) -> int:
    return max((sibling.position for sibling in siblings), default=-1) + 1
