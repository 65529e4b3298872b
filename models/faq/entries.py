"""FAQ entries: a tree per service, and a global one (``department_id`` NULL).

An entry has a title, a body written in Markdown (shown rendered and sanitised:
``rendering``), a visibility, and may be linked to categories so that « Ajouter un
ticket » shows it for them.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import UTCDateTime, db, enum_type, utcnow
from ..enums import FaqVisibility
from ..search.columns import gin_index, search_terms_type
from ..services import Category, Department
from ..users import User

TITLE_MAX = 200
BODY_MAX = 20_000

faq_entry_categories = sa.Table(
    "faq_entry_categories",
    db.metadata,
    sa.Column("entry_id", sa.ForeignKey("faq_entries.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("category_id", sa.ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_faq_entry_categories_category_id", "category_id"),
)


class FaqEntry(db.Model):
    __tablename__ = "faq_entries"
    __table_args__ = (
        sa.CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
        sa.Index("ix_faq_entries_department_id_parent_id", "department_id", "parent_id"),
        gin_index("faq_entries"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("departments.id"))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("faq_entries.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX))
    body: Mapped[str] = mapped_column(sa.Text, default="")  # Markdown
    visibility: Mapped[FaqVisibility] = mapped_column(
        enum_type(FaqVisibility, "visibility"), default=FaqVisibility.EVERYONE
    )
    # Stems of the title and body words, space-separated: what « Ajouter un ticket »
    # matches the subject being typed against (``reading.suggestions``).
    suggest_terms: Mapped[str] = mapped_column(sa.Text, default="", deferred=True)
    # What « Recherche » finds it by: its title and text (models/search/columns.py).
    search_terms: Mapped[str | None] = mapped_column(search_terms_type("A"), deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    department: Mapped[Department | None] = relationship()
    parent: Mapped[FaqEntry | None] = relationship(
        back_populates="children", remote_side="FaqEntry.id"
    )
    children: Mapped[list[FaqEntry]] = relationship(
        back_populates="parent", order_by="FaqEntry.position, FaqEntry.id"
    )
    categories: Mapped[list[Category]] = relationship(
        secondary=faq_entry_categories, order_by="Category.position, Category.id"
    )
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])

    @property
    def path(self) -> list[FaqEntry]:
        """This entry and its ancestors, root first."""
        chain, node = [], self
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain[::-1]

    def subtree(self) -> list[FaqEntry]:
        """This entry and every entry under it."""
        found = [self]
        for child in self.children:
            found += child.subtree()
        return found

    def __repr__(self) -> str:
        return f"<FaqEntry {self.id} {self.title!r}>"
