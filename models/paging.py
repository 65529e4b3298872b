"""Pages of a list: how many there are, and which one to show when asked for any."""

from __future__ import annotations

import math


def page_count(total: int, size: int) -> int:
    """At least one page, even for an empty list."""
    return max(1, math.ceil(total / size))


def shown_page(asked: int, total: int, size: int) -> int:
    """The page asked for, within 1 … the last one (a page past the end shows the last)."""
    return min(max(1, asked), page_count(total, size))
