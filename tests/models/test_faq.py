"""The FAQ's rules: who reads which entry, what an entry's text may hold once
rendered, who may edit which tree, how the tree keeps its shape, and what « Ajouter un
ticket » shows and suggests."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from models import AdminChange, TicketEvent
from models.administration import change_log
from models.enums import Action, FaqVisibility, Right, Status
from models.errors import InvalidValue, NotAllowed
from models.faq import (
    FaqEntry,
    add_entry,
    delete_entry,
    entries_for_category,
    entries_for_closing,
    faq_trees,
    may_edit,
    may_read,
    move_entry,
    readable_clause,
    readable_entry,
    render,
    reorder_entry,
    suggestions,
    update_entry,
)
from models.operations import act
from tests.factories import add_manager, make_user

V = FaqVisibility


@pytest.fixture
def people(session, world):
    """Who reads: nobody signed in, a student, a manager of the service, a manager of
    another service, an administrator."""
    guard = make_user(session, "securite", "Sam SÉCURITÉ")
    session.flush()
    add_manager(session, world.other_service, guard)
    session.commit()
    return {
        "anonymous": None,
        "student": world.owner,
        "manager": world.tm,
        "other manager": guard,
        "admin": world.admin,
    }


def entry(session, department, visibility: FaqVisibility, title="Entrée", **extra) -> FaqEntry:
    found = FaqEntry(department=department, title=title, body="", visibility=visibility, **extra)
    session.add(found)
    session.flush()
    return found


# --- Who reads what -------------------------------------------------------------------

# (FAQ, visibility) → those who read it, among anonymous, student, manager (of
# INFORMATIQUE), other manager (of HYGIENE - SECURITE), admin.
READERS = [
    (None, V.EVERYONE, {"anonymous", "student", "manager", "other manager", "admin"}),
    (None, V.AUTHENTICATED, {"student", "manager", "other manager", "admin"}),
    (None, V.MANAGERS, {"manager", "other manager", "admin"}),
    ("service", V.EVERYONE, {"anonymous", "student", "manager", "other manager", "admin"}),
    ("service", V.AUTHENTICATED, {"student", "manager", "other manager", "admin"}),
    ("service", V.MANAGERS, {"manager", "other manager", "admin"}),
    ("service", V.DEPARTMENT, {"manager", "admin"}),
]


@pytest.mark.parametrize(("tree", "visibility", "readers"), READERS)
def test_each_visibility_is_read_by_its_people_only(
    session, world, people, tree, visibility, readers
):
    department = world.service if tree else None
    found = entry(session, department, visibility)
    for who, user in people.items():
        in_query = session.scalar(
            sa.select(sa.func.count())
            .select_from(FaqEntry)
            .where(FaqEntry.id == found.id, readable_clause(user))
        )
        assert may_read(user, found) is (who in readers), who
        assert in_query == (1 if who in readers else 0), who


def test_a_disabled_services_faq_is_for_its_own_managers(session, world, people):
    world.other_service.is_enabled = False
    found = entry(session, world.other_service, V.EVERYONE)
    readers = {who for who, user in people.items() if may_read(user, found)}
    assert readers == {"other manager", "admin"}
    for who, user in people.items():
        assert (readable_entry(session, user, found.id) is not None) is (who in readers), who


# --- Safe text ------------------------------------------------------------------------


def test_markdown_is_rendered_then_stripped_of_anything_unsafe():
    html = render(
        "# Réseau\n\n**Gras** et [un lien](https://numerique.univ.example/vpn).\n\n"
        "<script>alert('x')</script><img src=x onerror=alert(1)>"
        '<a href="javascript:alert(2)" onclick="alert(3)">piège</a> '
        "[autre piège](javascript:alert(4)) <iframe src=https://evil.example></iframe>",
        heading_base=3,
    )
    assert "<h3>Réseau</h3>" in html and "<strong>Gras</strong>" in html
    assert (
        '<a href="https://numerique.univ.example/vpn" rel="noopener noreferrer nofollow">' in html
    )
    for unsafe in ("<script", "alert('x')", "<img", "onerror", "onclick", "<iframe"):
        assert unsafe not in html
    assert 'href="javascript:' not in html
    assert "piège" in html  # the text stays, the link goes


# --- Who edits ------------------------------------------------------------------------


def test_a_services_faq_takes_the_right_and_the_global_one_an_administrator(session, world):
    assert may_edit(world.admin, None) and may_edit(world.admin, world.service)
    assert may_edit(world.tm, world.service)  # new managers get the right
    assert not may_edit(world.tm, None) and not may_edit(world.tm, world.other_service)
    assert not may_edit(world.owner, world.service) and not may_edit(None, world.service)
    manager = world.service.manager_of(world.tm)
    manager.set_rights(manager.rights - {Right.MANAGE_FAQ})
    session.commit()
    with pytest.raises(NotAllowed):
        add_entry(session, actor=world.tm, department=world.service, title="Imprimer")
    with pytest.raises(NotAllowed):
        add_entry(session, actor=world.dm, department=None, title="Pour tous")
    assert session.scalar(sa.select(sa.func.count()).select_from(FaqEntry)) == 0


def test_an_entry_is_added_checked_and_logged(session, world):
    with pytest.raises(InvalidValue) as refused:
        add_entry(session, actor=world.dm, department=world.service, title="  ")
    assert refused.value.field == "title"
    with pytest.raises(InvalidValue) as refused:
        add_entry(
            session,
            actor=world.dm,
            department=world.service,
            title="Wi-Fi",
            category_ids=[world.other_category.id],
        )
    assert refused.value.field == "categories"
    with pytest.raises(InvalidValue) as refused:
        add_entry(session, actor=world.admin, department=None, title="X", visibility="department")
    assert refused.value.field == "visibility"

    wifi = add_entry(
        session,
        actor=world.dm,
        department=world.service,
        title="Se connecter au Wi-Fi",
        body="Installez le profil **eduroam**.",
        category_ids=[world.category.id],
    )
    assert wifi.categories == [world.category] and wifi.created_by_id == world.dm.id
    (change,) = change_log(session, world.tm, department=world.service).items
    assert change.change.object_type == "faq_entry" and change.change.verb == "create"
    assert change.change.changes["faq_title"] == [None, "Se connecter au Wi-Fi"]


def test_an_entry_is_never_read_by_more_people_than_its_parent(session, world):
    section = add_entry(session, actor=world.dm, department=world.service, title="Réseau")
    wifi = add_entry(
        session, actor=world.dm, department=world.service, title="Wi-Fi", parent_id=section.id
    )
    note = add_entry(
        session,
        actor=world.dm,
        department=world.service,
        title="Note",
        visibility="department",
        parent_id=wifi.id,
    )
    update_entry(
        session, section, actor=world.dm, title="Réseau", body="", visibility="authenticated"
    )
    assert (section.visibility, wifi.visibility, note.visibility) == (
        V.AUTHENTICATED,
        V.AUTHENTICATED,  # narrowed with its parent
        V.DEPARTMENT,  # narrower already
    )
    with pytest.raises(InvalidValue) as refused:
        update_entry(session, wifi, actor=world.dm, title="Wi-Fi", body="", visibility="everyone")
    assert refused.value.field == "visibility"

    # Moved under a narrower entry, an entry and those under it narrow to it.
    public = add_entry(session, actor=world.dm, department=world.service, title="Public")
    below = add_entry(
        session, actor=world.dm, department=world.service, title="Dessous", parent_id=public.id
    )
    move_entry(session, public, actor=world.dm, parent_id=note.id)
    assert public.parent == note and public.visibility is V.DEPARTMENT
    assert below.visibility is V.DEPARTMENT
    with pytest.raises(InvalidValue) as refused:
        move_entry(session, section, actor=world.dm, parent_id=below.id)
    assert refused.value.field == "parent"


def test_entries_are_ordered_moved_and_deleted(session, world, make_ticket):
    first, second = (
        add_entry(session, actor=world.dm, department=world.service, title=title)
        for title in ("Premier", "Second")
    )
    reorder_entry(session, second, "up", actor=world.dm)
    assert [t.department.label for t in faq_trees(session, world.dm)] == ["INFORMATIQUE"]
    (tree,) = faq_trees(session, world.dm)
    assert [node.entry.title for node in tree.roots] == ["Second", "Premier"]
    with pytest.raises(InvalidValue) as refused:
        move_entry(session, first, actor=world.dm, parent_id=first.id)
    assert refused.value.field == "parent"

    child = add_entry(
        session, actor=world.dm, department=world.service, title="Dessous", parent_id=first.id
    )
    with pytest.raises(InvalidValue):
        delete_entry(session, first, actor=world.dm)
    ticket = make_ticket(Status.IN_PROGRESS)
    act(session, ticket.id, Action.CLOSE, user=world.tm, faq_entry=child)
    delete_entry(session, child, actor=world.dm)
    closure = session.scalar(
        sa.select(TicketEvent).where(
            TicketEvent.ticket_id == ticket.id, TicketEvent.kind == Action.CLOSE
        )
    )
    session.refresh(closure)
    assert closure.faq_entry_id is None  # the closure stays, without its link
    verbs = session.scalars(
        sa.select(AdminChange.verb).where(AdminChange.object_type == "faq_entry")
    ).all()
    assert verbs == ["create", "create", "reorder", "create", "delete"]


# --- « Ajouter un ticket » ------------------------------------------------------------


def test_a_category_shows_its_entries_and_those_of_the_categories_above(session, world):
    world.category.parent = world.sibling
    session.flush()
    wifi = add_entry(
        session,
        actor=world.dm,
        department=world.service,
        title="Wi-Fi",
        category_ids=[world.category.id],
    )
    mail = add_entry(
        session,
        actor=world.dm,
        department=world.service,
        title="Messagerie",
        category_ids=[world.sibling.id],
    )
    internal = add_entry(
        session,
        actor=world.dm,
        department=world.service,
        title="Procédure interne",
        visibility="department",
        category_ids=[world.category.id],
    )
    assert entries_for_category(session, world.owner, world.category) == [wifi, mail]
    assert entries_for_category(session, world.owner, world.sibling) == [mail]
    assert internal in entries_for_category(session, world.tm, world.category)


def test_the_subject_being_typed_finds_entries_accents_and_endings_aside(session, world):
    wifi = add_entry(
        session,
        actor=world.admin,
        department=None,
        title="Se connecter au Wi-Fi eduroam",
        body="Le **réseau** sans fil de l'université.",
    )
    printer = add_entry(
        session,
        actor=world.dm,
        department=world.service,
        title="Imprimantes du bâtiment B",
        body="Éteindre puis rallumer.",
    )
    secret = add_entry(
        session,
        actor=world.dm,
        department=world.service,
        title="Imprimantes : code de maintenance",
        visibility="managers",
    )
    assert suggestions(session, world.owner, "Pas de wifi") == [wifi]
    assert suggestions(session, world.owner, "RESEAUX en panne") == [wifi]
    assert suggestions(session, world.owner, "l'imprima") == [printer]  # still typing
    assert set(suggestions(session, world.tm, "imprimante")) == {printer, secret}
    assert suggestions(session, world.owner, "imprimante wifi batiment") == [printer, wifi]
    assert suggestions(session, world.owner, "le la de") == []
    assert suggestions(session, world.owner, "imprimante", category=world.other_category) == []
    assert suggestions(session, None, "'; DROP TABLE faq_entries; --") == []


# --- Closing with an entry ------------------------------------------------------------


def test_a_closure_points_to_an_entry_the_owner_may_read(session, world, make_ticket):
    public = add_entry(session, actor=world.dm, department=world.service, title="Wi-Fi")
    internal = add_entry(
        session, actor=world.dm, department=world.service, title="Interne", visibility="managers"
    )
    assert entries_for_closing(session, world.owner, world.service) == [public]
    ticket = make_ticket(Status.IN_PROGRESS)
    with pytest.raises(InvalidValue) as refused:
        act(session, ticket.id, Action.CLOSE, user=world.tm, faq_entry=internal)
    assert refused.value.field == "faq_entry"
    assert session.get(type(ticket), ticket.id).status is Status.IN_PROGRESS
    event = act(
        session, ticket.id, Action.CLOSE, user=world.tm, message="Voir la FAQ.", faq_entry=public
    )
    assert event.faq_entry == public and event.ticket.status is Status.CLOSED
