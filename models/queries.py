"""Lists of tickets: the user's dashboard and the managers' queue and journal (the
search is models/search). Permissions are part of each query, so nobody counts or
pages over what they may not read."""

from __future__ import annotations

import enum
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from .enums import FINAL_STATUSES, OPEN_STATUSES, Status
from .history import TicketEvent
from .involvement import Invitation, Monitor
from .paging import page_count, shown_page
from .permissions import visible_events_clause, visible_tickets_clause
from .services import Category, Department, DepartmentManager
from .tickets import Ticket
from .users import User

PAGE_SIZE = 20


class StatusFilter(enum.StrEnum):
    OPEN = "open"
    AWAITING_APPROVAL = "approval"
    CLOSED = "closed"
    ANY = "any"


class Involvement(enum.StrEnum):
    MINE = "mine"  # owner, invited or monitored
    OWNER = "owner"
    INVITED = "invited"
    MONITORED = "monitored"


STATUS_GROUPS = {
    StatusFilter.OPEN: OPEN_STATUSES,
    StatusFilter.AWAITING_APPROVAL: frozenset({Status.CLOSED}),
    StatusFilter.CLOSED: FINAL_STATUSES,
}


# What a row of a ticket list shows besides the ticket: its service, category, manager.
TICKET_ROW_LOADS = (
    selectinload(Ticket.department),
    selectinload(Ticket.category),
    selectinload(Ticket.manager),
)


@dataclass
class Page:
    items: list[Ticket]
    total: int
    number: int
    size: int

    @property
    def pages(self) -> int:
        return page_count(self.total, self.size)


def parse_choice(enum_class, value, default):
    try:
        return enum_class(value)
    except ValueError:
        return default


def _status_clause(status: StatusFilter):
    group = STATUS_GROUPS.get(status)
    return sa.true() if group is None else Ticket.status.in_(sorted(group))


def _involvement_clause(user: User, involvement: Involvement):
    owner = Ticket.owner_id == user.id
    invitations = sa.select(Invitation.ticket_id).where(Invitation.user_id == user.id)
    monitors = sa.select(Monitor.ticket_id).where(Monitor.user_id == user.id)
    invited, monitored = Ticket.id.in_(invitations), Ticket.id.in_(monitors)
    if involvement is Involvement.MINE:
        # One list of ids, each part from its own index: an OR of the three would make
        # PostgreSQL read every ticket (bench/NOTES.md, the tab at 1 000 000 tickets).
        owned = sa.orm.aliased(Ticket)
        mine = sa.union(sa.select(owned.id).where(owned.owner_id == user.id), invitations, monitors)
        return Ticket.id.in_(mine)
    return {
        Involvement.OWNER: owner,
        Involvement.INVITED: invited,
        Involvement.MONITORED: monitored,
    }[involvement]


def _page(session: Session, query, number: int, size: int) -> Page:
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    number = shown_page(number, total, size)
    items = session.scalars(
        query.order_by(Ticket.last_action_at.desc(), Ticket.id.desc())
        .offset((number - 1) * size)
        .limit(size)
        .options(*TICKET_ROW_LOADS)
    ).all()
    return Page(list(items), total, number, size)


def my_tickets(
    session: Session,
    user: User,
    *,
    status: StatusFilter = StatusFilter.OPEN,
    involvement: Involvement = Involvement.MINE,
    page: int = 1,
    size: int = PAGE_SIZE,
) -> Page:
    """« Tableau de bord »: the tickets this user owns, is invited to or monitors."""
    query = sa.select(Ticket).where(
        _involvement_clause(user, involvement),
        _status_clause(status),
        visible_tickets_clause(user),
    )
    return _page(session, query, page, size)


# --- The managers' queue and journal ----------------------------------------------------


class QueueInvolvement(enum.StrEnum):
    FREE = "free"
    MINE = "mine"
    MINE_OR_FREE = "mine_or_free"
    MINE_OR_INVITED = "mine_or_invited"
    ANY = "any"


class QueueStatus(enum.StrEnum):
    OPEN = "open"
    AWAITING_APPROVAL = "approval"
    CLOSED = "closed"
    ANY = "any"


_owner, _manager = sa.orm.aliased(User), sa.orm.aliased(User)
# Columns a manager may sort the queue by.
SORTS = {
    "number": Ticket.id,
    "created": Ticket.created_at,
    "updated": Ticket.last_action_at,
    "service": Department.label,
    "category": Category.label,
    "subject": Ticket.subject,
    "status": Ticket.status,
    "priority": Ticket.priority,
    "owner": _owner.display_name,
    "manager": _manager.display_name,
}


@dataclass
class QueueFilters:
    department_id: int | None = None
    category_id: int | None = None
    member_categories: bool = False
    status: QueueStatus = QueueStatus.OPEN
    involvement: QueueInvolvement = QueueInvolvement.MINE_OR_FREE
    manager_id: int | None = None
    sort: str = "updated"
    descending: bool = True


def managed_departments(session: Session, user: User) -> list[Department]:
    """The services whose queue this user sees: theirs, or all for an administrator."""
    query = sa.select(Department).order_by(Department.position, Department.label)
    if not user.is_admin:
        mine = sa.select(DepartmentManager.department_id).where(
            DepartmentManager.user_id == user.id
        )
        query = query.where(Department.id.in_(mine))
    return list(session.scalars(query))


def member_category_ids(departments: list[Department], user: User) -> list[int]:
    """Categories whose (possibly inherited) members include this user."""
    return [
        category.id
        for department in departments
        for category in department.categories
        if any(member.user_id == user.id for member in category.effective_members())
    ]


def _queue_involvement(user: User, involvement: QueueInvolvement):
    free = Ticket.status == Status.FREE
    mine = Ticket.manager_id == user.id
    invited = Ticket.id.in_(sa.select(Invitation.ticket_id).where(Invitation.user_id == user.id))
    return {
        QueueInvolvement.FREE: free,
        QueueInvolvement.MINE: mine,
        QueueInvolvement.MINE_OR_FREE: sa.or_(mine, free),
        QueueInvolvement.MINE_OR_INVITED: sa.or_(mine, invited),
        QueueInvolvement.ANY: sa.true(),
    }[involvement]


def _queue_base(session: Session, user: User, filters: QueueFilters):
    """Every filter but the involvement: the counts per involvement share it."""
    departments = managed_departments(session, user)
    ids = [d.id for d in departments]
    if filters.department_id in ids:
        ids = [filters.department_id]
    clauses = [Ticket.department_id.in_(ids)]
    if filters.category_id is not None:
        clauses.append(Ticket.category_id == filters.category_id)
    if filters.member_categories:
        clauses.append(Ticket.category_id.in_(member_category_ids(departments, user)))
    group = {
        QueueStatus.OPEN: OPEN_STATUSES,
        QueueStatus.AWAITING_APPROVAL: frozenset({Status.CLOSED}),
        QueueStatus.CLOSED: FINAL_STATUSES,
    }.get(filters.status)
    if group is not None:
        clauses.append(Ticket.status.in_(sorted(group)))
    if filters.manager_id is not None:
        clauses.append(Ticket.manager_id == filters.manager_id)
    return clauses


def queue(
    session: Session, user: User, filters: QueueFilters, *, page: int = 1, size: int = PAGE_SIZE
) -> Page:
    """The managers' « Tableau de bord »: their services' tickets, filtered and sorted."""
    clauses = _queue_base(session, user, filters) + [_queue_involvement(user, filters.involvement)]
    order = SORTS.get(filters.sort, Ticket.last_action_at)
    query = (
        sa.select(Ticket)
        .join(Department, Department.id == Ticket.department_id)
        .join(Category, Category.id == Ticket.category_id)
        .join(_owner, _owner.id == Ticket.owner_id)
        .outerjoin(_manager, _manager.id == Ticket.manager_id)
        .where(*clauses)
    )
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    number = shown_page(page, total, size)
    ordering = order.desc() if filters.descending else order.asc()
    items = session.scalars(
        query.order_by(ordering, Ticket.id.desc())
        .offset((number - 1) * size)
        .limit(size)
        .options(
            selectinload(Ticket.department),
            selectinload(Ticket.category),
            selectinload(Ticket.manager),
            selectinload(Ticket.owner),
            selectinload(Ticket.invitations),  # the row's actions depend on who is invited
        )
    ).all()
    return Page(list(items), total, number, size)


def queue_counts(
    session: Session, user: User, filters: QueueFilters
) -> dict[QueueInvolvement, int]:
    """How many tickets each involvement choice would show, in one query."""
    base = _queue_base(session, user, filters)
    columns = [
        sa.func.count(Ticket.id).filter(_queue_involvement(user, choice)).label(choice.value)
        for choice in QueueInvolvement
    ]
    row = session.execute(sa.select(*columns).where(*base)).one()
    return {choice: row._mapping[choice.value] for choice in QueueInvolvement}


def journal(
    session: Session, user: User, *, department_id: int | None = None, page: int = 1, size: int = 30
) -> tuple[list[TicketEvent], int, int]:
    """« Journal »: the latest actions in the user's services, as they may read them."""
    ids = [d.id for d in managed_departments(session, user)]
    if department_id in ids:
        ids = [department_id]
    query = (
        sa.select(TicketEvent)
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .where(Ticket.department_id.in_(ids), visible_events_clause(user))
    )
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    number = shown_page(page, total, size)
    events = session.scalars(
        query.order_by(TicketEvent.id.desc())
        .offset((number - 1) * size)
        .limit(size)
        .options(selectinload(TicketEvent.author), selectinload(TicketEvent.ticket))
    ).all()
    return list(events), number, page_count(total, size)
