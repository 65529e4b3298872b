"""Who is signed in: one row per CAS login, so that single logout can end it.

The browser (or the portal's proxy) only holds the row's random id in a signed
cookie; the CAS server's logout request names the ticket, which finds the row.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from .db import UTCDateTime, db, utcnow
from .transactions import retrying
from .users import User

TICKET_MAX_LENGTH = 256
# Attributes a CAS server may release that we keep, and the one-valued ones among them.
KNOWN_ATTRIBUTES = (
    "uid",
    "displayName",
    "cn",
    "givenName",
    "sn",
    "mail",
    "eduPersonAffiliation",
    "eduPersonPrimaryAffiliation",
    "supannEntiteAffectation",
    "eduPersonPrincipalName",
)


class LoginSession(db.Model):
    __tablename__ = "login_sessions"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    ticket: Mapped[str] = mapped_column(sa.String(TICKET_MAX_LENGTH), unique=True)
    # The proxy that fetched on the user's behalf (the portal), None for a browser login.
    proxy: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def is_valid(self, now: datetime, lifetime: timedelta) -> bool:
        return self.revoked_at is None and now < self.created_at + lifetime


def normalise_attributes(raw: dict[str, Any] | None) -> dict[str, list[str]]:
    """CAS attributes as lists of non-empty strings, whatever the server sent."""
    attributes: dict[str, list[str]] = {}
    for name, value in (raw or {}).items():
        values = value if isinstance(value, list) else [value]
        cleaned = [str(v).strip() for v in values if v is not None and str(v).strip()]
        if cleaned:
            attributes[str(name)] = cleaned
    return attributes


def _first(attributes: dict[str, list[str]], *names: str) -> str | None:
    for name in names:
        if attributes.get(name):
            return attributes[name][0]
    return None


def identify(
    session: Session,
    uid: str,
    raw_attributes: dict[str, Any] | None,
    *,
    now: datetime | None = None,
) -> User:
    """The user CAS (or the portal) vouches for: created on first sight, refreshed each time.

    A missing attribute keeps what we knew; nothing missing prevents signing in.
    """
    attributes = normalise_attributes(raw_attributes)
    user = session.scalar(sa.select(User).where(User.uid == uid))
    if user is None:
        user = User(uid=uid[:128], attributes={}, preferences={})
        session.add(user)
    full_name = " ".join(filter(None, [_first(attributes, "givenName"), _first(attributes, "sn")]))
    user.display_name = (
        _first(attributes, "displayName", "cn") or full_name or user.display_name or uid
    )[:200]
    mail = _first(attributes, "mail")
    if mail:
        user.email = mail[:254]
    known = {name: attributes[name] for name in KNOWN_ATTRIBUTES if name in attributes}
    if known:
        user.attributes = known
    user.last_login_at = now or utcnow()
    return user


def sign_in(
    session: Session,
    uid: str,
    raw_attributes: dict[str, Any] | None,
    *,
    ticket: str,
    proxy: str | None = None,
    now: datetime | None = None,
) -> LoginSession:
    """Record a CAS login, and open the login session single logout can end."""
    now = now or utcnow()

    def open_session() -> LoginSession:
        user = identify(session, uid, raw_attributes, now=now)
        login = LoginSession(
            id=secrets.token_urlsafe(32), user=user, ticket=ticket, proxy=proxy, created_at=now
        )
        session.add(login)
        return login

    return retrying(session, open_session)


def revoke_ticket(
    session: Session, ticket: str, now: datetime | None = None
) -> LoginSession | None:
    """Single logout: end the session opened with this ticket; None if there is none."""

    def end() -> LoginSession | None:
        login = session.scalar(sa.select(LoginSession).where(LoginSession.ticket == ticket))
        if login is not None and login.revoked_at is None:
            login.revoked_at = now or utcnow()
        return login

    return retrying(session, end)


def revoke(session: Session, login_id: str, now: datetime | None = None) -> None:
    def end() -> None:
        login = session.get(LoginSession, login_id)
        if login is not None and login.revoked_at is None:
            login.revoked_at = now or utcnow()

    retrying(session, end)


def ticket_was_used(session: Session, ticket: str) -> bool:
    return (
        session.scalar(sa.select(LoginSession.id).where(LoginSession.ticket == ticket)) is not None
    )
