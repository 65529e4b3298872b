"""« Services »: who may set up what, what is refused and why, what categories
inherit, and the change log every change writes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa

from models import AdminChange, Category, CategoryMember, Department, DepartmentManager, User
from models.administration import (
    Direction,
    add_admin,
    add_category,
    add_manager,
    add_member,
    change_log,
    create_department,
    department_tree,
    may_set_availability,
    move_category,
    move_department,
    remove_admin,
    remove_manager,
    remove_member,
    reorder_category,
    set_department_enabled,
    set_manager_availability,
    set_manager_rights,
    update_category,
    update_department,
    visible_departments,
)
from models.enums import DEFAULT_RIGHTS, AddressLevel, AssignmentAlgorithm, Right, TicketScope
from models.errors import InvalidValue, NotAllowed
from models.logins import identify
from models.services import INHERITED_DEFAULTS
from tests.factories import World, make_user
from tests.factories import add_manager as make_manager

# --- Who may do what: one row per operation ---------------------------------------------


@dataclass(frozen=True)
class Operation:
    name: str
    right: Right | None  # None: administrators only
    run: Callable[[Any, World, User], Any]
    setup: Callable[[Any, World], None] = lambda session, world: None

    def __str__(self) -> str:
        return self.name


def _colleague(world: World) -> DepartmentManager:
    return world.service.manager_of(world.colleague)


def _tm_member(session, world: World) -> None:
    world.category.members.append(CategoryMember(user=world.tm))


def _second_admin(session, world: World) -> None:
    world.newcomer.is_admin = True


OPERATIONS = [
    Operation(
        "create_department",
        None,
        lambda s, w, a: create_department(s, actor=a, label="SCOLARITE", title="Scolarité"),
    ),
    Operation(
        "update_department",
        Right.MANAGE_PROPERTIES,
        lambda s, w, a: update_department(s, w.service, actor=a, title="DSI", expiry_days=7),
    ),
    Operation(
        "set_department_enabled",
        None,
        lambda s, w, a: set_department_enabled(s, w.service, False, actor=a),
    ),
    Operation(
        "move_department",
        None,
        lambda s, w, a: move_department(s, w.service, Direction.UP, actor=a),
    ),
    Operation(
        "add_category",
        Right.MANAGE_CATEGORIES,
        lambda s, w, a: add_category(
            s, w.service, actor=a, label="Bornes", parent_id=w.category.id
        ),
    ),
    Operation(
        "update_category",
        Right.MANAGE_CATEGORIES,
        lambda s, w, a: update_category(s, w.category, actor=a, default_priority=5),
    ),
    Operation(
        "move_category",
        Right.MANAGE_CATEGORIES,
        lambda s, w, a: move_category(s, w.sibling, actor=a, parent_id=w.category.id),
    ),
    Operation(
        "reorder_category",
        Right.MANAGE_CATEGORIES,
        lambda s, w, a: reorder_category(s, w.sibling, "up", actor=a),
    ),
    Operation(
        "add_member",
        Right.MANAGE_CATEGORIES,
        lambda s, w, a: add_member(s, w.category, actor=a, member_uid="jdupont"),
    ),
    Operation(
        "remove_member",
        Right.MANAGE_CATEGORIES,
        lambda s, w, a: remove_member(s, w.category, actor=a, member_uid="jdupont"),
        _tm_member,
    ),
    Operation(
        "add_manager",
        Right.MANAGE_MANAGERS,
        lambda s, w, a: add_manager(s, w.service, actor=a, uid="nnouveau"),
    ),
    Operation(
        "set_manager_rights",
        Right.MANAGE_MANAGERS,
        lambda s, w, a: set_manager_rights(s, _colleague(w), actor=a, rights={Right.ASSIGN}),
    ),
    Operation(
        "set_manager_availability",
        Right.MANAGE_MANAGERS,
        lambda s, w, a: set_manager_availability(s, _colleague(w), False, actor=a),
    ),
    Operation(
        "remove_manager",
        Right.MANAGE_MANAGERS,
        lambda s, w, a: remove_manager(s, _colleague(w), actor=a),
    ),
    Operation("add_admin", None, lambda s, w, a: add_admin(s, actor=a, uid="nnouveau")),
    Operation(
        "remove_admin",
        None,
        lambda s, w, a: remove_admin(s, w.newcomer, actor=a),
        _second_admin,
    ),
]

PERSONAS = ("admin", "manager with the right", "manager without it", "other manager", "user")


def persona(session, world: World, who: str, right: Right | None) -> User:
    """The actor of one cell: a manager is given exactly the right, or every other one."""
    if who == "admin":
        return world.admin
    if who == "user":
        return world.owner
    user = make_user(session, "acteur", "Un ACTEUR")
    session.flush()
    if who == "other manager":
        make_manager(session, world.other_service, user).set_rights(set(Right))
    else:
        rights = {right} if right else set(Right)
        if who == "manager without it":
            rights = set(Right) - {right} if right else set()
        make_manager(session, world.service, user).set_rights(rights)
    return user


def snapshot(session) -> dict[str, list[str]]:
    """Every row the set-up consists of, to show that a refusal changed nothing."""
    tables = [Department, Category, DepartmentManager, CategoryMember, AdminChange]
    state = {
        model.__tablename__: sorted(
            repr(tuple(row)) for row in session.execute(sa.select(model.__table__))
        )
        for model in tables
    }
    state["users"] = sorted(
        repr(row) for row in session.execute(sa.select(User.id, User.uid, User.is_admin))
    )
    return state


@pytest.mark.parametrize("who", PERSONAS)
@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
def test_each_operation_is_allowed_to_whom_the_rules_say(session, world, operation, who):
    operation.setup(session, world)
    actor = persona(session, world, who, operation.right)
    session.commit()
    allowed = who == "admin" or (who == "manager with the right" and operation.right is not None)
    before = snapshot(session)
    if allowed:
        operation.run(session, world, actor)
        changes = session.scalars(sa.select(AdminChange)).all()
        assert [(c.actor_id, c.verb is not None) for c in changes] == [(actor.id, True)]
        assert snapshot(session) != before
    else:
        with pytest.raises(NotAllowed):
            operation.run(session, world, actor)
        assert snapshot(session) == before


@pytest.mark.parametrize("granted", [True, False])
def test_a_manager_sets_their_own_availability_only_with_the_right(session, world, granted):
    own = _colleague(world)
    if granted:
        own.set_rights(own.rights | {Right.SET_OWN_AVAILABILITY})
    session.commit()
    assert may_set_availability(world.colleague, own) is granted
    assert not may_set_availability(world.colleague, world.service.manager_of(world.tm))
    before = snapshot(session)
    if granted:
        set_manager_availability(session, own, False, actor=world.colleague)
        assert own.is_available is False
    else:
        with pytest.raises(NotAllowed):
            set_manager_availability(session, own, False, actor=world.colleague)
        assert snapshot(session) == before
    with pytest.raises(NotAllowed):  # never someone else's
        set_manager_availability(
            session, world.service.manager_of(world.tm), False, actor=world.colleague
        )


def test_managers_see_their_services_and_administrators_every_one(session, world):
    assert [d.label for d in visible_departments(session, world.admin)] == [
        "HYGIENE - SECURITE",
        "INFORMATIQUE",
    ]
    assert [d.label for d in visible_departments(session, world.tm)] == ["INFORMATIQUE"]
    assert visible_departments(session, world.owner) == []


# --- What is refused, and where the reason shows ------------------------------------------


def refused(session, call) -> InvalidValue:
    before = snapshot(session)
    with pytest.raises(InvalidValue) as caught:
        call()
    assert snapshot(session) == before
    return caught.value


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"label": "informatique"}, "label"),  # another service's, whatever the case
        ({"label": "   "}, "label"),
        ({"label": "X" * 101}, "label"),
        ({"label": "SCOLARITE", "default_priority": 9}, "default_priority"),
        ({"label": "SCOLARITE", "default_priority": "haute"}, "default_priority"),
        ({"label": "SCOLARITE", "expiry_days": -1}, "expiry_days"),
        ({"label": "SCOLARITE", "expiry_days": "quinze"}, "expiry_days"),
        ({"label": "SCOLARITE", "default_scope": "secret"}, "default_scope"),
        ({"label": "SCOLARITE", "assignment_algorithm": "loterie"}, "assignment_algorithm"),
    ],
)
def test_a_bad_service_is_refused_beside_the_field(session, world, values, field):
    error = refused(session, lambda: create_department(session, actor=world.admin, **values))
    assert error.field == field


def test_a_service_keeps_its_label_but_cannot_take_anothers(session, world):
    update_department(session, world.service, actor=world.dm, label="INFORMATIQUE")
    error = refused(
        session,
        lambda: update_department(
            session, world.service, actor=world.dm, label="Hygiene - Securite"
        ),
    )
    assert error.field == "label"
    error = refused(
        session, lambda: update_department(session, world.service, actor=world.dm, expiry_days=-1)
    )
    assert error.field == "expiry_days"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"label": ""}, "label"),
        ({"default_priority": 9}, "default_priority"),
        ({"expiry_days": -1}, "expiry_days"),
        ({"default_scope": "secret"}, "default_scope"),
        # The extra address: one address, on one line, 254 characters at most.
        ({"monitoring_email": "reseau@univ.example\r\nBcc: x@evil.example"}, "monitoring_email"),
        ({"monitoring_email": "reseau@univ.example\n"}, "monitoring_email"),
        ({"monitoring_email": "reseau@univ.example, wifi@univ.example"}, "monitoring_email"),
        ({"monitoring_email": "Réseau <reseau@univ.example>"}, "monitoring_email"),
        ({"monitoring_email": "reseau"}, "monitoring_email"),
        ({"monitoring_email": "reseau@localhost"}, "monitoring_email"),
        ({"monitoring_email": "r" * 242 + "@univ.example"}, "monitoring_email"),  # 255
        ({"monitoring_email_level": "parfois"}, "monitoring_email_level"),
        ({"monitoring_email_level": None}, "monitoring_email_level"),
    ],
)
def test_a_bad_category_is_refused_beside_the_field(session, world, values, field):
    error = refused(
        session, lambda: update_category(session, world.category, actor=world.dm, **values)
    )
    assert error.field == field


def test_a_category_never_goes_under_itself_its_own_child_or_another_service(session, world):
    child = add_category(
        session, world.service, actor=world.dm, label="Bornes", parent_id=world.category.id
    )
    grandchild = add_category(
        session, world.service, actor=world.dm, label="Salle 101", parent_id=child.id
    )
    for parent in (world.category, child, grandchild, world.other_category):
        error = refused(
            session,
            lambda parent=parent: move_category(
                session, world.category, actor=world.dm, parent_id=parent.id
            ),
        )
        assert error.field == "parent"
    error = refused(
        session,
        lambda: add_category(
            session, world.service, actor=world.dm, label="X", parent_id=world.other_category.id
        ),
    )
    assert error.field == "parent"
    move_category(session, child, actor=world.dm, parent_id=None)  # to the root: fine
    assert child.parent is None and grandchild.parent == child
    assert [c.label for c in world.service.root_categories] == [
        "Réseau et Wi-Fi",
        "Messagerie",
        "Bornes",
    ]


def test_only_managers_of_the_service_become_members(session, world):
    make_manager(session, world.other_service, world.newcomer)
    session.commit()
    for uid in ("esup9992", "nnouveau", "personne"):
        error = refused(
            session,
            lambda uid=uid: add_member(session, world.category, actor=world.dm, member_uid=uid),
        )
        assert error.field == "member"
    add_member(session, world.category, actor=world.dm, member_uid="pmoreau")
    error = refused(
        session,
        lambda: add_member(session, world.category, actor=world.dm, member_uid="pmoreau"),
    )
    assert error.field == "member"
    error = refused(
        session,
        lambda: remove_member(session, world.category, actor=world.dm, member_uid="jdupont"),
    )
    assert error.field == "member"


def test_the_last_administrator_stays(session, world):
    error = refused(session, lambda: remove_admin(session, world.admin, actor=world.admin))
    assert error.field == "uid"
    add_admin(session, actor=world.admin, uid="nnouveau")
    remove_admin(session, world.admin, actor=world.newcomer)
    assert not world.admin.is_admin
    error = refused(session, lambda: remove_admin(session, world.newcomer, actor=world.newcomer))
    assert error.field == "uid"
    error = refused(session, lambda: add_admin(session, actor=world.newcomer, uid="nnouveau"))
    assert error.field == "uid"


def test_a_manager_added_by_uid_is_completed_by_their_first_sign_in(session, world):
    manager = add_manager(session, world.service, actor=world.dm, uid="  mdurand ")
    user = manager.user
    assert (user.uid, user.display_name, user.last_login_at) == ("mdurand", "mdurand", None)
    assert manager.rights == DEFAULT_RIGHTS and manager.is_available
    assert world.service.managers[-1] == manager
    identify(session, "mdurand", {"displayName": "Marc DURAND", "mail": "marc@univ.example"})
    session.commit()
    assert (user.display_name, user.email) == ("Marc DURAND", "marc@univ.example")
    for uid in ("mdurand", "", "deux mots", "x" * 129):
        error = refused(
            session, lambda uid=uid: add_manager(session, world.service, actor=world.dm, uid=uid)
        )
        assert error.field == "uid"


def test_removing_a_manager_takes_them_off_the_categories_members(session, world):
    add_member(session, world.category, actor=world.dm, member_uid="pmoreau")
    remove_manager(session, _colleague(world), actor=world.dm)
    assert world.service.manager_of(world.colleague) is None
    assert world.category.members == []
    change = session.scalars(sa.select(AdminChange).order_by(AdminChange.id.desc())).first()
    assert change.changes == {
        "manager": ["pmoreau", None],
        "member_of": [["Réseau et Wi-Fi"], None],
    }


# --- Order ---------------------------------------------------------------------------------


def test_services_and_categories_move_up_and_down_one_step(session, world):
    scolarite = create_department(session, actor=world.admin, label="SCOLARITE")

    def order():
        return [
            d.label
            for d in session.scalars(
                sa.select(Department).order_by(Department.position, Department.label)
            )
        ]

    assert order() == ["HYGIENE - SECURITE", "INFORMATIQUE", "SCOLARITE"]
    move_department(session, scolarite, "up", actor=world.admin)
    assert order() == ["HYGIENE - SECURITE", "SCOLARITE", "INFORMATIQUE"]
    move_department(session, scolarite, Direction.UP, actor=world.admin)
    move_department(session, scolarite, "up", actor=world.admin)  # first already: nothing
    assert order() == ["SCOLARITE", "HYGIENE - SECURITE", "INFORMATIQUE"]
    assert (
        session.scalar(
            sa.select(sa.func.count()).select_from(AdminChange).where(AdminChange.verb == "move")
        )
        == 2
    )
    error = refused(
        session, lambda: move_department(session, scolarite, "sideways", actor=world.admin)
    )
    assert error.field == "direction"

    third = add_category(session, world.service, actor=world.dm, label="Impression")
    reorder_category(session, third, "up", actor=world.dm)
    reorder_category(session, world.category, "down", actor=world.dm)
    assert [n.category.label for n in department_tree(session, world.service).roots] == [
        "Impression",
        "Réseau et Wi-Fi",
        "Messagerie",
    ]


# --- What categories inherit, and from where ----------------------------------------------


def test_the_tree_says_what_each_category_inherits_and_from_where(session, world):
    update_department(
        session,
        world.service,
        actor=world.dm,
        default_priority=2,
        default_scope=TicketScope.INTRANET,
    )
    child = add_category(
        session,
        world.service,
        actor=world.dm,
        label="Bornes",
        parent_id=world.category.id,
        default_scope="public",
        assignment_algorithm=AssignmentAlgorithm.ROUND_ROBIN,
    )
    grandchild = add_category(
        session, world.service, actor=world.dm, label="Salle 101", parent_id=child.id, expiry_days=0
    )
    add_member(session, child, actor=world.dm, member_uid="lbernard")

    tree = department_tree(session, world.service)
    assert [(n.category.label, n.depth) for n in tree.walk()] == [
        ("Réseau et Wi-Fi", 0),
        ("Bornes", 1),
        ("Salle 101", 2),
        ("Messagerie", 0),
    ]
    root, leaf = tree.node(world.category.id), tree.node(grandchild.id)
    assert (root.defaults["default_priority"].value, root.defaults["default_priority"].source) == (
        2,
        world.service,
    )
    assert root.defaults["default_priority"].from_department and not root.takes_tickets
    scope = leaf.defaults["default_scope"]
    assert (scope.value, scope.source, scope.own) == (TicketScope.PUBLIC, child, False)
    expiry = leaf.defaults["expiry_days"]
    assert (expiry.value, expiry.source, expiry.own) == (0, grandchild, True)
    assert leaf.inheritable["expiry_days"].source == world.service
    assert leaf.takes_tickets and leaf.is_first and leaf.is_last
    assert (leaf.members.value, leaf.members.source, leaf.members.own) == ([world.dm], child, False)
    assert root.members.source == world.service and len(root.members.value) == 3
    for node in tree.walk():  # the same answers as the model's own inherited()
        for name in INHERITED_DEFAULTS:
            setting = node.defaults[name]
            assert (setting.value, setting.source) == node.category.inherited(name)


# --- The change log ----------------------------------------------------------------------


def test_each_change_writes_who_what_and_the_values_before_and_after(session, world):
    update_department(
        session, world.service, actor=world.dm, title="DSI", default_priority=5, expiry_days=14
    )
    category = add_category(
        session, world.service, actor=world.dm, label="Bornes", default_priority="4"
    )
    move_category(session, category, actor=world.dm, parent_id=world.category.id)
    set_manager_rights(
        session, _colleague(world), actor=world.dm, rights=["assign", Right.TAKE_FREE]
    )
    update_department(session, world.service, actor=world.dm, title="DSI")  # nothing changes
    rows = session.scalars(sa.select(AdminChange).order_by(AdminChange.id)).all()
    assert [(r.actor_id, r.department_id, r.object_type, r.object_id, r.verb) for r in rows] == [
        (world.dm.id, world.service.id, "department", world.service.id, "update"),
        (world.dm.id, world.service.id, "category", category.id, "create"),
        (world.dm.id, world.service.id, "category", category.id, "move"),
        (world.dm.id, world.service.id, "manager", _colleague(world).id, "update"),
    ]
    assert rows[0].changes == {
        "title": ["Direction du numérique", "DSI"],
        "default_priority": [3, 5],
    }
    assert rows[0].summary == "Changed the properties of the service INFORMATIQUE"
    assert rows[1].changes["default_priority"] == [None, 4]
    assert rows[1].changes["default_scope"] == [None, None]
    assert rows[2].changes == {"parent": [None, "Réseau et Wi-Fi"]}
    assert rows[3].changes["rights"][1] == ["assign", "take_free"]
    assert sorted(rows[3].changes["rights"][0]) == sorted(r.value for r in DEFAULT_RIGHTS)


def test_the_extra_address_of_a_category_is_logged_like_its_other_fields(session, world):
    changes = update_category(
        session,
        world.category,
        actor=world.dm,
        monitoring_email="  equipe-reseau@univ.example ",
        monitoring_email_level="creation_or_free",
    )
    assert changes == {
        "monitoring_email": [None, "equipe-reseau@univ.example"],
        "monitoring_email_level": ["creation", "creation_or_free"],
    }
    assert world.category.monitoring_email_level is AddressLevel.CREATION_OR_FREE
    # Emptied: no address any more.
    changes = update_category(session, world.category, actor=world.dm, monitoring_email="")
    assert changes == {"monitoring_email": ["equipe-reseau@univ.example", None]}
    rows = session.scalars(sa.select(AdminChange).order_by(AdminChange.id)).all()
    assert [(r.object_type, r.object_id, r.verb) for r in rows] == [
        ("category", world.category.id, "update"),
        ("category", world.category.id, "update"),
    ]
    assert rows[0].changes == {
        "monitoring_email": [None, "equipe-reseau@univ.example"],
        "monitoring_email_level": ["creation", "creation_or_free"],
    }
    assert world.category.monitoring_email is None


def test_the_change_log_shows_each_one_what_they_may_see(session, world):
    create_department(session, actor=world.admin, label="SCOLARITE")
    update_department(session, world.service, actor=world.dm, title="DSI")
    update_department(session, world.other_service, actor=world.admin, title="HS")
    add_admin(session, actor=world.admin, uid="nnouveau")

    everything = change_log(session, world.admin)
    assert [e.change.verb for e in everything.items] == ["add", "update", "update", "create"]
    assert everything.items[0].department is None and everything.total == 4
    assert everything.items[1].department == world.other_service
    mine = change_log(session, world.tm)
    assert [e.department for e in mine.items] == [world.service]
    assert change_log(session, world.tm, department=world.service).total == 1
    with pytest.raises(NotAllowed):
        change_log(session, world.tm, department=world.other_service)
    paged = change_log(session, world.admin, page=2, size=3)
    assert (len(paged.items), paged.pages) == (1, 2)
