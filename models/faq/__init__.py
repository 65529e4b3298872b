"""The FAQ: trees of entries, one per service and a global one, that users read before
filing a ticket and that a closure may point to.

The modules: ``entries`` (the model), ``rendering`` (Markdown made safe by nh3),
``access`` (who may read, who may edit), ``matching`` (words typed against entries),
``editing`` (the operations, with the change log) and ``reading`` (the queries).
Import from this package, not from them.
"""

from .access import may_edit, may_read, readable_clause, require_edit
from .editing import add_entry, delete_entry, move_entry, reorder_entry, update_entry
from .entries import BODY_MAX, TITLE_MAX, FaqEntry, faq_entry_categories
from .reading import (
    FaqNode,
    FaqTree,
    department_tree,
    entries_for_category,
    entries_for_closing,
    entry_siblings,
    faq_trees,
    readable_children,
    readable_entry,
    suggestions,
)
from .rendering import plain_text, render

__all__ = [
    "BODY_MAX",
    "TITLE_MAX",
    "FaqEntry",
    "FaqNode",
    "FaqTree",
    "add_entry",
    "delete_entry",
    "department_tree",
    "entries_for_category",
    "entries_for_closing",
    "entry_siblings",
    "faq_entry_categories",
    "faq_trees",
    "may_edit",
    "may_read",
    "move_entry",
    "readable_children",
    "readable_clause",
    "readable_entry",
    "render",
    "plain_text",
    "reorder_entry",
    "require_edit",
    "suggestions",
    "update_entry",
]
