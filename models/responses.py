"""« Réponses enregistrées »: texts managers insert into their messages.

A response is personal (``user_id``), a service's (``department_id``), or global
(neither), and ``@SIGNATURE@`` in it becomes the inserting manager's name.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .db import UTCDateTime, db, utcnow
from .services import Department
from .users import User

SIGNATURE = "@SIGNATURE@"


class Response(db.Model):
    __tablename__ = "responses"
    __table_args__ = (
        sa.CheckConstraint("user_id IS NULL OR department_id IS NULL", name="one_owner"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(sa.String(200))
    message: Mapped[str] = mapped_column(sa.Text)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("departments.id"), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User | None] = relationship()
    department: Mapped[Department | None] = relationship()

    def text_for(self, user: User) -> str:
        return self.message.replace(SIGNATURE, user.display_name or user.uid)
