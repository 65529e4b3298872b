"""The managers' daily digest: what is open in each of their services, computed when
the mail is written, so that it tells how things stand when it is read.

Per service, in the original's order: the tickets the manager handles, those of the
categories they are a member of (handled by someone else), then the free ones.
Idle tickets stand out: free ones untouched for a day, the others for a week.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from .enums import OPEN_STATUSES, Status
from .services import Department, DepartmentManager
from .tickets import Ticket
from .users import User

FREE_IDLE = timedelta(days=1)
OTHER_IDLE = timedelta(days=7)
# A digest lists at most this many tickets per part and says how many more there are.
PART_LIMIT = 50


@dataclass
class DigestTicket:
    ticket: Ticket
    idle: timedelta  # since its last action

    @property
    def idle_days(self) -> int:
        return self.idle.days

    @property
    def stale(self) -> bool:
        limit = FREE_IDLE if self.ticket.status is Status.FREE else OTHER_IDLE
        return self.idle > limit


@dataclass
class DigestPart:
    tickets: list[DigestTicket] = field(default_factory=list)
    total: int = 0

    @property
    def more(self) -> int:
        return self.total - len(self.tickets)

    @property
    def stale(self) -> int:
        return sum(1 for item in self.tickets if item.stale)


@dataclass
class DigestSection:
    department: Department
    managed: DigestPart
    member: DigestPart
    free: DigestPart

    @property
    def empty(self) -> bool:
        return not (self.managed.total or self.member.total or self.free.total)


def _part(tickets: list[Ticket], now: datetime) -> DigestPart:
    items = [DigestTicket(ticket, now - ticket.last_action_at) for ticket in tickets]
    items.sort(key=lambda item: (-item.idle, item.ticket.id))  # the longest idle first
    return DigestPart(items[:PART_LIMIT], len(items))


def member_category_ids(department: Department, user: User) -> set[int]:
    """The categories whose effective members include ``user``."""
    return {
        category.id
        for category in department.categories
        if any(member.user_id == user.id for member in category.effective_members())
    }


def digest_for(session: Session, user: User, now: datetime) -> list[DigestSection]:
    """The digest of ``user``: one section per service they manage, with open tickets."""
    departments = session.scalars(
        sa.select(Department)
        .join(DepartmentManager, DepartmentManager.department_id == Department.id)
        .where(DepartmentManager.user_id == user.id, Department.is_enabled)
        .order_by(Department.position, Department.id)
    ).all()
    sections = []
    for department in departments:
        tickets = session.scalars(
            sa.select(Ticket)
            .where(Ticket.department_id == department.id, Ticket.status.in_(OPEN_STATUSES))
            .options(selectinload(Ticket.manager), selectinload(Ticket.category))
        ).all()
        members = member_category_ids(department, user)
        managed = [t for t in tickets if t.manager_id == user.id]
        free = [t for t in tickets if t.status is Status.FREE]
        member = [
            t
            for t in tickets
            if t.category_id in members and t.status is not Status.FREE and t.manager_id != user.id
        ]
        section = DigestSection(
            department, _part(managed, now), _part(member, now), _part(free, now)
        )
        if not section.empty:
            sections.append(section)
    return sections
