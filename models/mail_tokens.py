"""One-click links in mails: a signed, expiring, single-use token bound to one
recipient, one ticket and one action.

Anyone may forward a mail; nobody but its recipient, signed in, can act with its
token, and only once. The signature (itsdangerous) says the token was ours and
untouched; the row says whether it expired or was used, and for whom it was made.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from .db import UTCDateTime, db, enum_type, utcnow
from .enums import Action
from .errors import DomainError
from .tickets import Ticket
from .users import User

SALT = "assistance.action-token"
DEFAULT_TOKEN_DAYS = 30


class ActionToken(db.Model):
    __tablename__ = "action_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    ticket_id: Mapped[int] = mapped_column(sa.ForeignKey("tickets.id"), index=True)
    action: Mapped[Action] = mapped_column(enum_type(Action, "action"))
    nonce: Mapped[str] = mapped_column(sa.String(43))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
    ticket: Mapped[Ticket] = relationship()


class TokenRefused(DomainError):
    """The link cannot act; ``reason`` says why, for the page and the log."""

    messages = {
        "tampered": _l("This link is not valid: it may have been cut or changed."),
        "expired": _l("This link has expired."),
        "used": _l("This link has already been used."),
        "other_user": _l("This link was sent to someone else; it cannot act for you."),
    }

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(self.messages[reason])


def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=SALT)


def issue_token(
    session: Session,
    *,
    user: User,
    ticket: Ticket,
    action: Action,
    secret: str,
    days: int = DEFAULT_TOKEN_DAYS,
    now: datetime | None = None,
) -> str:
    """A new token for ``user`` to do ``action`` on ``ticket``, within ``days``."""
    now = now or utcnow()
    row = ActionToken(
        user_id=user.id,
        ticket_id=ticket.id,
        action=action,
        nonce=secrets.token_urlsafe(32),
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    session.add(row)
    session.flush()
    return _serializer(secret).dumps([row.id, row.nonce])


def read_token(session: Session, token: str, *, secret: str) -> ActionToken:
    """The row a token names, if the token is ours and untouched (no other check)."""
    try:
        token_id, nonce = _serializer(secret).loads(token)
    except (BadSignature, ValueError, TypeError):
        raise TokenRefused("tampered") from None
    row = session.get(ActionToken, token_id) if isinstance(token_id, int) else None
    if row is None or not hmac.compare_digest(str(nonce), row.nonce):
        raise TokenRefused("tampered")
    return row


def redeem_token(
    session: Session,
    token: str,
    *,
    user: User,
    secret: str,
    now: datetime | None = None,
) -> ActionToken:
    """Check the token for ``user`` and mark it used, in the caller's transaction.

    The row is locked (FOR UPDATE on PostgreSQL; SQLite writes one at a time), so
    two clicks at once use it once.
    """
    now = now or utcnow()
    row = read_token(session, token, secret=secret)
    row = session.scalars(
        sa.select(ActionToken)
        .where(ActionToken.id == row.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if row.used_at is not None:
        raise TokenRefused("used")
    if row.expires_at <= now:
        raise TokenRefused("expired")
    if row.user_id != user.id:
        raise TokenRefused("other_user")
    row.used_at = now
    return row
