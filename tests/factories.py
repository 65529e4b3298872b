"""A small university to act in, and tickets brought to any status the way people
would bring them there: through the workflow.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from models import Attachment, Category, Department, DepartmentManager, Ticket, User
from models.db import utcnow
from models.enums import Action, Actor, Right, Status
from models.workflow import create_ticket, perform


@dataclass
class World:
    owner: User  # a student who files tickets
    tm: User  # the manager who takes them
    dm: User  # another manager of the service, with every right
    colleague: User  # a third manager, available for assignment
    invitee: User
    admin: User
    newcomer: User  # someone with no role yet, to invite or to give a ticket to
    service: Department  # « INFORMATIQUE »
    category: Category  # « Réseau et Wi-Fi »
    sibling: Category  # « Messagerie », same service
    other_service: Department  # « HYGIENE - SECURITE »
    other_category: Category

    def persona(self, actor: Actor) -> User | None:
        """Who plays this role in the table tests."""
        return {
            Actor.OWNER: self.owner,
            Actor.TICKET_MANAGER: self.tm,
            Actor.DEPARTMENT_MANAGER: self.dm,
            Actor.INVITEE: self.invitee,
            Actor.ADMIN: self.admin,
            Actor.APPLICATION: None,
        }[actor]

    def reload(self, session: Session) -> World:
        """The same world, loaded in another session."""
        return World(
            **{name: session.get(type(value), value.id) for name, value in vars(self).items()}
        )


def make_user(session: Session, uid: str, name: str, **extra) -> User:
    user = User(uid=uid, display_name=name, email=f"{uid}@univ.example", **extra)
    session.add(user)
    return user


def add_manager(session: Session, department: Department, user: User, **extra) -> DepartmentManager:
    manager = DepartmentManager(
        department=department, user=user, position=len(department.managers), **extra
    )
    session.add(manager)
    session.flush()
    return manager


def build_world(session: Session) -> World:
    users = {
        uid: make_user(session, uid, name)
        for uid, name in [
            ("esup9992", "Test ESUP"),
            ("jdupont", "Jean DUPONT"),
            ("lbernard", "Léa BERNARD"),
            ("pmoreau", "Paul MOREAU"),
            ("cmartin", "Camille MARTIN"),
            ("admin", "Admin ASSISTANCE"),
            ("nnouveau", "Noé NOUVEAU"),
        ]
    }
    users["admin"].is_admin = True
    service = Department(label="INFORMATIQUE", title="Direction du numérique")
    other_service = Department(label="HYGIENE - SECURITE", title="Hygiène et sécurité")
    category = Category(department=service, label="Réseau et Wi-Fi")
    sibling = Category(department=service, label="Messagerie", position=1)
    other_category = Category(department=other_service, label="Sécurité incendie")
    session.add_all([service, other_service, category, sibling, other_category])
    session.flush()
    for uid in ("jdupont", "lbernard", "pmoreau"):
        add_manager(session, service, users[uid])
    service.manager_of(users["lbernard"]).set_rights(set(Right))
    session.commit()
    return World(
        owner=users["esup9992"],
        tm=users["jdupont"],
        dm=users["lbernard"],
        colleague=users["pmoreau"],
        invitee=users["cmartin"],
        admin=users["admin"],
        newcomer=users["nnouveau"],
        service=service,
        category=category,
        sibling=sibling,
        other_service=other_service,
        other_category=other_category,
    )


def new_attachment(name: str = "capture.png") -> Attachment:
    return Attachment(
        original_name=name,
        size=1234,
        media_type="image/png",
        sha256="0" * 64,
        storage_key=secrets.token_hex(16),
    )


# How to reach each status from a new ticket, as (action, who, extra) steps.
PATHS: dict[Status, list[tuple[Action, str | None, dict]]] = {
    Status.FREE: [],
    Status.IN_PROGRESS: [(Action.TAKE, "tm", {})],
    Status.INCOMPLETE: [
        (Action.TAKE, "tm", {}),
        (Action.REQUEST_INFORMATION, "tm", {"message": "Quel bâtiment ?"}),
    ],
    Status.POSTPONED: [(Action.TAKE, "tm", {}), (Action.POSTPONE, "tm", {"recall_days": 1})],
    Status.CLOSED: [(Action.TAKE, "tm", {}), (Action.CLOSE, "tm", {"message": "C'est réparé."})],
    Status.APPROVED: [
        (Action.TAKE, "tm", {}),
        (Action.CLOSE, "tm", {}),
        (Action.APPROVE_CLOSURE, "owner", {}),
    ],
    Status.EXPIRED: [
        (Action.TAKE, "tm", {}),
        (Action.CLOSE, "tm", {}),
        (Action.EXPIRE, None, {"days_later": 20}),
    ],
    Status.CANCELLED: [(Action.TAKE, "tm", {}), (Action.CANCEL, "owner", {})],
    Status.REFUSED: [
        (Action.TAKE, "tm", {}),
        (Action.REFUSE, "tm", {"message": "Hors périmètre."}),
    ],
}


def ticket_in(
    session: Session,
    world: World,
    status: Status,
    *,
    start: datetime | None = None,
    subject: str = "Pas de Wi-Fi en salle 101",
    invite: bool = True,
    attach: bool = True,
) -> Ticket:
    """A ticket of ``world.owner`` brought to ``status`` through the workflow.

    It starts 60 days ago by default, so that recall dates and expiry delays
    reached on the way are due today.
    """
    start = start or utcnow() - timedelta(days=60)
    ticket = create_ticket(
        session,
        creator=world.owner,
        category=world.category,
        subject=subject,
        message="Le Wi-Fi ne fonctionne pas en salle 101.",
        now=start,
    )
    session.flush()
    clock = start
    if attach:
        clock += timedelta(minutes=5)
        perform(ticket, Action.UPLOAD, user=world.owner, attachment=new_attachment(), now=clock)
    if invite:
        clock += timedelta(minutes=5)
        perform(ticket, Action.INVITE, user=world.owner, invitee=world.invitee, now=clock)
    for action, who, extra in PATHS[status]:
        extra = dict(extra)
        clock += timedelta(days=extra.pop("days_later", 0), hours=1)
        if "recall_days" in extra:
            extra["recall_at"] = clock + timedelta(days=extra.pop("recall_days"))
        perform(ticket, action, user=getattr(world, who) if who else None, now=clock, **extra)
    session.commit()
    assert ticket.status is status
    return ticket


@pytest.fixture
def world(session) -> World:
    return build_world(session)


@pytest.fixture
def make_ticket(session, world):
    def make(status: Status = Status.FREE, **options) -> Ticket:
        return ticket_in(session, world, status, **options)

    return make
