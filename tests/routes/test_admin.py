"""« Services » over HTTP: what administrators and managers see and may change, in
both renderings, in French; refusals answer 403/404 and change nothing."""

from __future__ import annotations

import html
import re

import pytest
import sqlalchemy as sa

from models import AdminChange, Category, CategoryMember, Department, DepartmentManager, User, db
from models.administration import add_category, add_member, create_department, update_department
from models.enums import DEFAULT_RIGHTS, Right
from tests.factories import add_manager, make_user
from tests.routes.conftest import PUBLIC_URL
from tests.routes.test_ticket_pages import text


def form_at(markup: str, action: str) -> dict:
    """What a browser sends with the form that posts to ``action``: the boxes ticked,
    the options selected, the text areas' text."""
    found = re.search(
        r'<form[^>]*action="' + re.escape(action) + r'"[^>]*>(.*?)</form>', markup, re.S
    )
    assert found, f"no form posts to {action}"
    body, values = found.group(1), {}

    def put(name: str, value: str) -> None:
        if name in values:
            previous = values[name]
            values[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            values[name] = value

    for tag in re.findall(r"<input[^>]*>", body):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if not name or 'type="submit"' in tag:
            continue
        if 'type="checkbox"' in tag and " checked" not in tag:
            continue
        put(name.group(1), html.unescape(value.group(1)) if value else "")
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', body, re.S):
        chosen = re.search(r'<option[^>]*selected[^>]*value="([^"]*)"', options) or re.search(
            r'<option[^>]*value="([^"]*)"', options
        )
        put(name, html.unescape(chosen.group(1)) if chosen else "")
    for name, content in re.findall(
        r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', body, re.S
    ):
        put(name, html.unescape(content).removeprefix("\r\n"))
    return values


def send(person, page_url: str, action: str, **changes):
    """Open ``page_url``, fill the form posting to ``action`` (``service__label`` names
    ``hd-service-label``; None leaves a field out), and send it."""
    page = person.get(page_url)
    assert page.status_code == 200, (page_url, page.status_code)
    data = form_at(page.text, action)
    for name, value in changes.items():
        if value is None:
            data.pop(_field(name), None)
        else:
            data[_field(name)] = value
    return person.post(action, data=data)


def _field(name: str) -> str:
    """``service__label`` → ``hd-service-label`` (field names keep their own ``_``)."""
    prefix, _, field = name.partition("__")
    return f"hd-{prefix.replace('_', '-')}-{field}" if field else f"hd-{prefix}"


def token_of(person, url: str = "/services") -> str:
    page = person.get(url)
    return re.search(r'name="hd-csrf_token" value="([^"]+)"', page.text).group(1)


def setup_rows() -> list[str]:
    """Everything the services' set-up consists of."""
    rows = []
    for model in (Department, Category, DepartmentManager, CategoryMember, AdminChange):
        rows += sorted(repr(tuple(r)) for r in db.session.execute(sa.select(model.__table__)))
    rows += sorted(repr(r) for r in db.session.execute(sa.select(User.uid, User.is_admin)))
    return rows


def changes_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(AdminChange.id)))


# --- Administrators -----------------------------------------------------------------------


@pytest.mark.parametrize("base", ["", "/portlet"])
def test_an_administrator_creates_a_service_and_lands_on_its_page(world, browser, base):
    admin = browser(world.admin)
    listing = text(admin.get(f"{base}/services"))
    assert "Services" in listing and "INFORMATIQUE" in listing and "HYGIENE - SECURITE" in listing
    assert "Créer un service" in listing and "Administrateurs" in listing

    created = send(
        admin,
        f"{base}/services",
        f"{base}/services",
        new_service__label="SCOLARITE",
        new_service__title="Scolarité",
        new_service__assignment_algorithm="round_robin",
        new_service__enabled="y",
    )
    assert created.status_code == 303
    department = db.session.scalar(sa.select(Department).where(Department.label == "SCOLARITE"))
    assert created.headers["Location"] == f"{PUBLIC_URL}{base}/services/{department.id}"
    assert department.is_enabled and department.position == 1
    assert department.assignment_algorithm.value == "round_robin"
    page = admin.get(created.headers["Location"])
    assert "Le service est créé." in text(page)
    assert "Activé : le service reçoit des tickets." in text(page)
    change = db.session.scalars(sa.select(AdminChange)).one()
    assert (change.actor_id, change.verb, change.department_id) == (
        world.admin.id,
        "create",
        department.id,
    )


def test_the_pages_are_full_pages_and_portal_fragments(world, browser):
    admin = browser(world.admin)
    for path in (
        "/services",
        f"/services/{world.service.id}",
        f"/services/{world.service.id}/categories/{world.category.id}",
        f"/services/{world.service.id}/managers/{world.service.managers[0].id}",
        "/services/administrators",
        "/services/changes",
    ):
        page = admin.get(path)
        assert page.status_code == 200, path
        assert page.text.startswith("<!doctype html>") and "<h1" in page.text
        fragment = admin.get("/portlet" + path)
        body = fragment.text.strip()
        assert fragment.status_code == 200, path
        assert body.startswith('<div id="hd-root" class="hd hd--fragment"'), path
        assert "<h3" in body and "<h1" not in body and "<script" not in body, path
        assert 'action="/services' not in body and 'href="/services' not in body, path


def test_a_refused_value_comes_back_beside_its_field_with_422(world, browser):
    admin = browser(world.admin)
    before = setup_rows()
    page = send(
        admin,
        "/services",
        "/services",
        new_service__label="informatique",
        new_service__title="Tout ce que j'ai tapé",
    )
    assert page.status_code == 422
    assert 'id="hd-new-service-label-error"' in page.text
    assert re.search(r'<input[^>]*aria-invalid="true"[^>]*name="hd-new-service-label"', page.text)
    assert "Un autre service porte déjà ce libellé." in text(page)
    assert "Veuillez corriger ce qui suit : Libellé : Un autre service porte déjà" in text(page)
    assert 'value="Tout ce que j&#39;ai tapé"' in page.text  # nothing typed is lost

    page = send(
        admin, "/services", "/services", new_service__label="X", new_service__expiry_days="-1"
    )
    assert page.status_code == 422 and 'id="hd-new-service-expiry_days-error"' in page.text
    assert "Veuillez indiquer un nombre de jours entre 0 et 3650." in text(page)

    url = f"/services/{world.service.id}"
    page = send(admin, url, f"{url}/properties", service__default_priority="9")
    assert page.status_code == 422 and 'id="hd-service-default_priority-error"' in page.text
    assert setup_rows() == before


def test_an_expired_form_is_refused_and_changes_nothing(world, browser):
    admin = browser(world.admin)
    before = setup_rows()
    data = form_at(admin.get("/services").text, "/services")
    data.update({"hd-new-service-label": "SCOLARITE", "hd-new-service-csrf_token": "périmé"})
    page = admin.post("/services", data=data)
    assert page.status_code == 422 and "Ce formulaire avait expiré" in text(page)
    moved = admin.post(
        f"/services/{world.service.id}/move", data={"hd-csrf_token": "x", "hd-direction": "up"}
    )
    assert moved.status_code == 422
    assert setup_rows() == before


def test_an_administrator_orders_enables_and_disables_services(world, browser):
    admin = browser(world.admin)
    token = token_of(admin)
    moved = admin.post(
        f"/services/{world.service.id}/move", data={"hd-csrf_token": token, "hd-direction": "up"}
    )
    assert moved.status_code == 303 and moved.headers["Location"] == f"{PUBLIC_URL}/services"
    assert re.search(r"INFORMATIQUE.*HYGIENE - SECURITE", text(admin.get("/services")))

    url = f"/portlet/services/{world.service.id}"
    off = send(admin, url, f"{url}/enabled")
    assert off.status_code == 303 and off.headers["Location"] == f"{PUBLIC_URL}{url}"
    assert not db.session.get(Department, world.service.id).is_enabled
    assert "Le service est désactivé." in text(admin.get(url))
    assert send(admin, url, f"{url}/enabled").status_code == 303
    assert db.session.get(Department, world.service.id).is_enabled
    assert [
        c.verb for c in db.session.scalars(sa.select(AdminChange).order_by(AdminChange.id))
    ] == [
        "move",
        "disable",
        "enable",
    ]


def test_administrators_are_added_and_removed_but_never_the_last(world, browser):
    admin = browser(world.admin)
    url = "/services/administrators"
    assert "Admin ASSISTANCE (admin)" in text(admin.get(url))
    added = send(admin, url, url, administrator__uid="cmartin")
    assert added.status_code == 303 and added.headers["Location"] == f"{PUBLIC_URL}{url}"
    assert db.session.get(User, world.invitee.id).is_admin
    again = send(admin, url, url, administrator__uid="cmartin")
    assert again.status_code == 422 and 'id="hd-administrator-uid-error"' in again.text
    assert "Cette personne est déjà administrateur." in text(again)

    removed = send(admin, url, f"{url}/{world.invitee.id}/remove")
    assert removed.status_code == 303 and not db.session.get(User, world.invitee.id).is_admin
    last = send(admin, url, f"{url}/{world.admin.id}/remove")
    assert last.status_code == 422
    assert "Vous êtes le dernier administrateur" in text(last)
    assert db.session.get(User, world.admin.id).is_admin


# --- Managers, with and without rights ------------------------------------------------------


def grant(world, user, *rights: Right) -> None:
    world.service.manager_of(user).set_rights(set(rights))
    db.session.commit()


def test_a_manager_sees_their_service_read_only_without_the_rights(world, browser):
    grant(world, world.tm)  # no right at all
    manager = browser(world.tm)
    listing = manager.get("/services")
    assert listing.status_code == 200 and "INFORMATIQUE" in text(listing)
    assert "HYGIENE - SECURITE" not in text(listing) and "Créer un service" not in text(listing)
    page = manager.get(f"/services/{world.service.id}")
    body = text(page)
    assert page.status_code == 200
    assert "Priorité par défaut : Normale" in body and "Réseau et Wi-Fi" in body
    assert "Jean DUPONT (jdupont)" in body
    for absent in ("hd-service-label", "hd-new-category", "hd-manager-uid", "hd-direction"):
        assert absent not in page.text, absent
    assert "Désactiver le service" not in body and "Rendre indisponible" not in body


@pytest.mark.parametrize(
    ("right", "path", "fields"),
    [
        (Right.MANAGE_PROPERTIES, "properties", {"service__title": "DSI"}),
        (Right.MANAGE_CATEGORIES, "categories", {"new_category__label": "Bornes"}),
        (Right.MANAGE_MANAGERS, "managers", {"manager__uid": "cmartin"}),
    ],
)
def test_each_part_of_a_service_takes_its_right(world, browser, right, path, fields):
    url = f"/services/{world.service.id}"
    grant(world, world.dm, right)
    grant(world, world.tm, *(set(Right) - {right}))
    with_right, without = browser(world.dm), browser(world.tm)

    # The form is there only for whoever may send it; sent anyway, it is refused.
    page = with_right.get(url)
    data = form_at(page.text, f"{url}/{path}")
    data.update({_field(name): value for name, value in fields.items()})
    assert f'action="{url}/{path}"' not in without.get(url).text
    before = setup_rows()
    refused = without.post(f"{url}/{path}", data=data)
    assert (
        refused.status_code == 403
        and "Vos droits dans ce service ne le permettent pas." in text(refused)
    )
    stranger = browser(world.owner).post(f"{url}/{path}", data=data)
    assert stranger.status_code == 404
    assert setup_rows() == before

    done = with_right.post(f"{url}/{path}", data=data)
    assert done.status_code == 303 and done.headers["Location"] == f"{PUBLIC_URL}{url}"
    assert changes_count() == 1


def test_only_administrators_create_order_and_enable_services(world, browser):
    grant(world, world.dm, *Right)
    manager = browser(world.dm)
    token = token_of(manager, f"/services/{world.service.id}")
    before = setup_rows()
    for path, data in [
        ("/services", {"hd-new-service-label": "SCOLARITE", "hd-new-service-csrf_token": token}),
        (f"/services/{world.service.id}/move", {"hd-csrf_token": token, "hd-direction": "up"}),
        (f"/services/{world.service.id}/enabled", {"hd-csrf_token": token, "hd-on": "0"}),
    ]:
        assert manager.post(path, data=data).status_code == 403, path
    assert manager.get("/services/administrators").status_code == 404
    assert manager.post("/services/administrators", data={}).status_code == 404
    assert setup_rows() == before


def test_people_see_no_service_they_do_not_manage(world, browser):
    outsider = make_user(db.session, "ailleurs", "Un AILLEURS")
    db.session.flush()
    add_manager(db.session, world.other_service, outsider)
    db.session.commit()
    manager, user = browser(outsider), browser(world.owner)
    for path in (
        f"/services/{world.service.id}",
        f"/services/{world.service.id}/categories/{world.category.id}",
        f"/services/{world.service.id}/managers/{world.service.managers[0].id}",
        f"/services/changes?department={world.service.id}",
        f"/services/{world.other_service.id}/categories/{world.category.id}",
        "/services/999999",
    ):
        assert manager.get(path).status_code == 404, path
    for path in ("/services", f"/services/{world.service.id}", "/services/changes"):
        assert user.get(path).status_code == 404, path


def test_categories_are_added_edited_moved_ordered_and_given_members(world, browser):
    manager = browser(world.tm)  # the default rights manage categories
    url = f"/services/{world.service.id}"
    added = send(
        manager,
        url,
        f"{url}/categories",
        new_category__label="Bornes Wi-Fi",
        new_category__parent=str(world.category.id),
        new_category__default_priority="5",
    )
    assert added.status_code == 303 and added.headers["Location"] == f"{PUBLIC_URL}{url}"
    bornes = db.session.scalar(sa.select(Category).where(Category.label == "Bornes Wi-Fi"))
    assert bornes.parent_id == world.category.id and bornes.default_priority == 5

    page = f"{url}/categories/{world.category.id}"
    moved = send(manager, page, f"{page}/move", move__parent=str(bornes.id))
    assert moved.status_code == 422 and 'id="hd-move-parent-error"' in moved.text
    assert "ne peut pas être placée sous elle-même" in text(moved)
    assert db.session.get(Category, world.category.id).parent_id is None

    edited = send(manager, page, page, category__label="Réseau", category__expiry_days="3")
    assert edited.status_code == 303 and edited.headers["Location"] == f"{PUBLIC_URL}{page}"
    assert db.session.get(Category, world.category.id).expiry_days == 3
    wrong = send(manager, page, page, category__expiry_days="-1")
    assert wrong.status_code == 422 and 'id="hd-category-expiry_days-error"' in wrong.text

    member = send(manager, page, f"{page}/members", member__member="pmoreau")
    assert member.status_code == 303
    assert [m.user.uid for m in db.session.get(Category, world.category.id).members] == ["pmoreau"]
    stranger = send(manager, page, f"{page}/members", member__member="esup9992")
    assert stranger.status_code == 422 and 'id="hd-member-member-error"' in stranger.text
    removed = send(manager, page, f"{page}/members/remove")
    assert removed.status_code == 303
    assert db.session.get(Category, world.category.id).members == []

    token = token_of(manager, url)
    up = manager.post(
        f"{url}/categories/{world.sibling.id}/reorder",
        data={"hd-csrf_token": token, "hd-direction": "up"},
    )
    assert up.status_code == 303 and up.headers["Location"] == f"{PUBLIC_URL}{url}"
    assert re.search(r"Messagerie.*Réseau", text(manager.get(url)))
    assert changes_count() == 5  # add, edit, member in and out, reorder


def test_a_category_gets_an_extra_address_told_of_its_tickets(world, browser):
    manager = browser(world.tm)
    page = f"/services/{world.service.id}/categories/{world.category.id}"
    form = text(manager.get(page))
    assert "Adresse supplémentaire" in form and "Quand prévenir l'adresse supplémentaire" in form
    assert "À l'arrivée d'un ticket, et tant qu'il est libre" in form
    assert 'type="email"' in manager.get(page).text

    for wrong, message in [
        ("reseau@univ.example\r\nBcc: x@evil.example", "une seule adresse électronique"),
        ("reseau@univ.example, wifi@univ.example", "une seule adresse électronique"),
        ("r" * 250 + "@univ.example", "au plus 254 caractères"),
    ]:
        refused = send(manager, page, page, category__monitoring_email=wrong)
        assert refused.status_code == 422 and message in text(refused), wrong
        assert 'id="hd-category-monitoring_email-error"' in refused.text
    refused = send(manager, page, page, category__monitoring_email_level="parfois")
    assert refused.status_code == 422
    assert 'id="hd-category-monitoring_email_level-error"' in refused.text
    assert db.session.get(Category, world.category.id).monitoring_email is None

    saved = send(
        manager,
        page,
        page,
        category__monitoring_email="reseau@univ.example",
        category__monitoring_email_level="always",
    )
    assert saved.status_code == 303
    category = db.session.get(Category, world.category.id)
    assert (category.monitoring_email, category.monitoring_email_level.value) == (
        "reseau@univ.example",
        "always",
    )
    log = text(manager.get("/services/changes"))
    assert "Adresse supplémentaire : — → reseau@univ.example" in log
    assert (
        "Quand prévenir l'adresse supplémentaire : À l'arrivée d'un ticket → À chaque étape" in log
    )
    # Managers without the right see it, read only.
    grant(world, world.colleague, *[r for r in DEFAULT_RIGHTS if r is not Right.MANAGE_CATEGORIES])
    shown = text(browser(world.colleague).get(page))
    assert "Adresse supplémentaire : reseau@univ.example (À chaque étape)" in shown


def test_the_tree_says_in_french_what_each_category_inherits(world, browser):
    update_department(db.session, world.service, actor=world.admin, default_priority=2)
    bornes = add_category(
        db.session,
        world.service,
        actor=world.admin,
        label="Bornes",
        parent_id=world.category.id,
        default_scope="public",
    )
    add_category(
        db.session, world.service, actor=world.admin, label="Salle 101", parent_id=bornes.id
    )
    add_member(db.session, bornes, actor=world.admin, member_uid="lbernard")
    page = browser(world.tm).get(f"/services/{world.service.id}")
    body = text(page)
    assert "Priorité : hérité : Basse (du service)" in body
    assert "Visibilité : hérité : Publique (de « Bornes »)" in body
    assert "Expiration : hérité : 14 jours (du service)" in body
    assert "Membres : hérité : Léa BERNARD (lbernard) (de « Bornes »)" in body
    assert "Membres : hérité : tous les gestionnaires du service" in body
    assert "Visibilité : Publique " in body  # its own value, said plainly
    # Nested lists: Salle 101 inside Bornes inside Réseau et Wi-Fi.
    assert re.search(
        r"hd-admin-tree--level1.*Réseau et Wi-Fi.*hd-admin-tree--level2.*Bornes"
        r".*hd-admin-tree--level3.*Salle 101",
        page.text,
        re.S,
    )
    edit = browser(world.tm).get(f"/services/{world.service.id}/categories/{bornes.id}")
    assert "hérité : Basse (du service)" in text(edit)  # the « inherited » choice says what


def test_managers_are_added_given_rights_and_made_unavailable(world, browser):
    grant(world, world.dm, Right.MANAGE_MANAGERS)
    boss = browser(world.dm)
    url = f"/services/{world.service.id}"
    added = send(boss, url, f"{url}/managers", manager__uid="mdurand")
    assert added.status_code == 303
    newcomer = db.session.scalar(sa.select(User).where(User.uid == "mdurand"))
    manager = db.session.scalar(
        sa.select(DepartmentManager).where(DepartmentManager.user_id == newcomer.id)
    )
    assert manager.rights == DEFAULT_RIGHTS and newcomer.last_login_at is None
    again = send(boss, url, f"{url}/managers", manager__uid="mdurand")
    assert again.status_code == 422 and 'id="hd-manager-uid-error"' in again.text

    page = f"{url}/managers/{manager.id}"
    shown = boss.get(page).text
    assert "Ce que mdurand (mdurand) peut faire dans INFORMATIQUE" in text(boss.get(page))
    assert re.search(r'<input[^>]*checked[^>]*value="take_free"', shown)
    assert not re.search(r'<input[^>]*checked[^>]*value="manage_managers"', shown)
    assert "Prendre en charge un ticket libre" in text(boss.get(page))
    rights = send(boss, page, f"{page}/rights", rights__rights=["assign", "set_own_availability"])
    assert rights.status_code == 303 and rights.headers["Location"] == f"{PUBLIC_URL}{page}"
    db.session.refresh(manager)
    assert manager.rights == {Right.ASSIGN, Right.SET_OWN_AVAILABILITY}

    own = browser(newcomer)
    off = send(own, url, f"{page}/availability")
    assert off.status_code == 303 and off.headers["Location"] == f"{PUBLIC_URL}{url}"
    db.session.refresh(manager)
    assert manager.is_available is False
    colleague = world.service.manager_of(world.colleague)
    assert f"/managers/{colleague.id}/availability" not in own.get(url).text
    before = setup_rows()
    token = token_of(own, url)
    refused = own.post(
        f"{url}/managers/{colleague.id}/availability", data={"hd-csrf_token": token, "hd-on": "0"}
    )
    assert refused.status_code == 403 and setup_rows() == before

    gone = send(boss, page, f"{page}/remove")
    assert gone.status_code == 303 and gone.headers["Location"] == f"{PUBLIC_URL}{url}"
    assert own.get(url).status_code == 404
    assert [
        c.verb for c in db.session.scalars(sa.select(AdminChange).order_by(AdminChange.id))
    ] == [
        "add",
        "update",
        "update",
        "remove",
    ]


# --- The change log ------------------------------------------------------------------------


def test_the_change_log_is_per_service_for_managers_and_global_for_administrators(world, browser):
    create_department(db.session, actor=world.admin, label="SCOLARITE")
    update_department(db.session, world.service, actor=world.admin, title="DSI")
    update_department(db.session, world.other_service, actor=world.admin, title="HS")
    for number in range(22):
        update_department(db.session, world.service, actor=world.admin, expiry_days=number + 1)

    everything = text(browser(world.admin).get("/services/changes"))
    assert "Journal des modifications" in everything
    assert "Modifications, des plus récentes aux plus anciennes : 25" in everything
    assert "Page 1 sur 2" in everything
    first = everything.index("Expiration : 21 jours → 22 jours")
    assert first < everything.index("Expiration : 20 jours → 21 jours")
    assert "Created the service SCOLARITE" in text(
        browser(world.admin).get("/services/changes?page=2")
    )

    manager = browser(world.tm)
    mine = text(manager.get("/services/changes?page=2"))
    assert "Modifications, des plus récentes aux plus anciennes : 23" in mine
    assert "Nom complet : Direction du numérique → DSI" in mine
    assert "HYGIENE" not in mine and "SCOLARITE" not in mine
    assert manager.get(f"/services/changes?department={world.other_service.id}").status_code == 404
    one = text(manager.get(f"/services/changes?department={world.service.id}"))
    assert "Journal des modifications de INFORMATIQUE" in one


# --- Cost ----------------------------------------------------------------------------------


def test_a_service_page_costs_the_same_queries_whatever_the_number_of_categories(
    world, browser, app
):
    from sqlalchemy import event

    def grow(department: Department, count: int) -> None:
        parent, users = None, [m.user for m in department.managers]
        for number in range(count):
            category = Category(
                department_id=department.id,
                parent=parent if number % 3 else None,
                label=f"Catégorie {number}",
                position=number,
                default_priority=number % 5 + 1 if number % 2 else None,
            )
            category.members.append(CategoryMember(user=users[number % 2]))
            db.session.add(category)
            parent = category
        db.session.commit()

    small = create_department(db.session, actor=world.admin, label="PETIT")
    large = create_department(db.session, actor=world.admin, label="GRAND")
    for department in (small, large):
        for user in (world.tm, world.dm):
            add_manager(db.session, department, user)
    grow(small, 5)
    grow(large, 50)
    admin = browser(world.admin)

    def queries_for(department_id: int) -> int:
        counted = []
        listener = lambda *args: counted.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert admin.get(f"/portlet/services/{department_id}").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(counted)

    queries_for(small.id)  # warm the caches of the first request
    assert queries_for(large.id) == queries_for(small.id)
    assert "Catégorie 49" in admin.get(f"/services/{large.id}").text
