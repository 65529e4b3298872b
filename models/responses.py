"""« Réponses enregistrées »: texts managers insert into their messages.

A response is personal (``user_id``), a service's (``department_id``), or global
(neither), and ``@SIGNATURE@`` in it becomes the inserting manager's name.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from .db import UTCDateTime, db, utcnow
from .errors import NotAllowed
from .permissions import is_manager
from .services import Department
from .users import User
from .validation import clean_message, clean_subject

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


PERSONAL, DEPARTMENT, GLOBAL = "personal", "department", "global"


def kind_of(response: Response) -> str:
    if response.user_id is not None:
        return PERSONAL
    return DEPARTMENT if response.department_id is not None else GLOBAL


def may_edit(user: User, kind: str, department: Department | None) -> bool:
    if kind == PERSONAL:
        return True
    if kind == DEPARTMENT:
        return department is not None and (user.is_admin or department.manager_of(user) is not None)
    return user.is_admin


def available_responses(
    session: Session, user: User, department_ids: Sequence[int] = ()
) -> list[Response]:
    """What this manager may insert: their own, their services', and the global ones."""
    query = sa.select(Response).where(
        sa.or_(
            Response.user_id == user.id,
            Response.department_id.in_(list(department_ids)),
            sa.and_(Response.user_id.is_(None), Response.department_id.is_(None)),
        )
    )
    return sorted(
        session.scalars(query),
        key=lambda r: ({PERSONAL: 0, DEPARTMENT: 1, GLOBAL: 2}[kind_of(r)], r.label.lower()),
    )


def save_response(
    session: Session,
    *,
    actor: User,
    label: str,
    message: str,
    kind: str,
    department: Department | None = None,
    response: Response | None = None,
) -> Response:
    """Create (or change) a response; only its owner, the service's managers or an
    administrator may."""
    if response is not None:
        kind, department = kind_of(response), response.department
    if not is_manager(session, actor) or not may_edit(actor, kind, department):
        raise NotAllowed()
    label = clean_subject(label, field="label")
    message = clean_message(message, required=True)
    if response is None:
        response = Response(
            user_id=actor.id if kind == PERSONAL else None,
            department_id=department.id if kind == DEPARTMENT and department else None,
        )
        session.add(response)
    response.label, response.message, response.updated_at = label, message, utcnow()
    return response


def delete_response(session: Session, *, actor: User, response: Response) -> None:
    if not may_edit(actor, kind_of(response), response.department):
        raise NotAllowed()
    session.delete(response)
