"""« Services »: the services' set-up, for administrators and for managers with the
matching rights (models/administration/ says who may do what).

Each view loads what its URL names (404 when this user may not see it), checks the
right (403), validates the form, makes one domain call and answers 303; a refused
value comes back beside its field, with 422.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, request
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from models import Department, User, db
from models.administration import (
    CategoryNode,
    CategoryTree,
    Inherited,
    add_admin,
    add_category,
    add_manager,
    add_member,
    administrators,
    change_log,
    create_department,
    department_tree,
    load_department,
    may_set_availability,
    may_view,
    move_category,
    move_department,
    powers,
    remove_admin,
    remove_manager,
    remove_member,
    reorder_category,
    require,
    require_admin,
    require_availability,
    set_department_enabled,
    set_manager_availability,
    set_manager_rights,
    update_category,
    update_department,
    visible_departments,
)
from models.enums import (
    PRIORITY_LABELS,
    AddressLevel,
    AssignmentAlgorithm,
    FaqVisibility,
    Right,
    TicketScope,
)
from models.errors import InvalidValue
from models.validation import parse_id

from ._render import render_view
from ._urls import external_url_for, in_fragment, redirect_303
from .forms.admin import (
    AdministratorForm,
    CategoryForm,
    DepartmentForm,
    DirectionForm,
    ManagerForm,
    MemberForm,
    MoveCategoryForm,
    NewCategoryForm,
    NewDepartmentForm,
    RemoveMemberForm,
    RightsForm,
)
from .forms.base import HdForm, ToggleForm

bp = Blueprint("admin", __name__)


# --- Presenting ----------------------------------------------------------------------------

DEFAULT_LABELS = {
    "default_priority": _l("Priority"),
    "default_scope": _l("Visibility"),
    "assignment_algorithm": _l("Assignment"),
    "expiry_days": _l("Expiry"),
}
# The change log's field names.
FIELD_LABELS = {
    **DEFAULT_LABELS,
    "label": _l("Label"),
    "title": _l("Full name"),
    "description": _l("Description"),
    "spent_time_required": _l("Time spent required"),
    "is_enabled": _l("Enabled"),
    "position": _l("Position"),
    "accepts_tickets": _l("Takes tickets"),
    "parent": _l("Parent category"),
    "member": _l("Member"),
    "member_of": _l("Member of"),
    "manager": _l("Manager"),
    "rights": _l("Rights"),
    "is_available": _l("Available"),
    "is_admin": _l("Administrator"),
    "monitoring_email": _l("Extra address"),
    "monitoring_email_level": _l("When the extra address is told"),
    # The FAQ's entries (models/faq/editing.py).
    "faq_title": _l("Title"),
    "faq_body": _l("Text"),
    "faq_visibility": _l("Who may read it"),
    "faq_categories": _l("Shown for the categories"),
    "faq_parent": _l("Under the entry"),
    "faq_narrowed": _l("Entries narrowed with it"),
}
ENUMS = {
    "default_scope": TicketScope,
    "assignment_algorithm": AssignmentAlgorithm,
    "monitoring_email_level": AddressLevel,
    "faq_visibility": FaqVisibility,
}


def value_text(name: str, value) -> str:
    """A setting's value as people read it: « Normale », « Privé », « 14 jours »…"""
    if value is None:
        return "—"
    if name == "default_priority":
        return str(PRIORITY_LABELS.get(value, value))
    if name in ENUMS:
        return str(ENUMS[name](value).label)
    if name == "expiry_days":
        if value == 0:
            return str(_l("never"))
        return ngettext("%(num)d day", "%(num)d days", value)
    if name == "rights":
        return ", ".join(str(Right(right).label) for right in value) or str(_l("none"))
    if isinstance(value, bool):
        return str(_l("yes") if value else _l("no"))
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def describe(name: str, setting: Inherited) -> str:
    """« Normale », or « hérité : Normale (du service) », or « hérité : … (de « X ») »."""
    text = value_text(name, setting.value)
    if setting.own:
        return text
    if setting.from_department:
        return str(_l("inherited: %(value)s (from the service)", value=text))
    return str(
        _l(
            "inherited: %(value)s (from « %(category)s »)",
            value=text,
            category=setting.source.label,
        )
    )


def describe_members(members: Inherited) -> str:
    names = ", ".join(user.label for user in members.value) or str(_l("nobody"))
    if members.own:
        return names
    if members.from_department:
        return str(_l("inherited: every manager of the service (%(names)s)", names=names))
    return str(
        _l(
            "inherited: %(names)s (from « %(category)s »)",
            names=names,
            category=members.source.label,
        )
    )


def rights_of(manager) -> list[Right]:
    """A manager's rights, in the order of the list of rights."""
    return [right for right in Right if manager.has_right(right)]


def change_lines(change) -> list[tuple[str, str, str]]:
    """(field, before, after) for each field an AdminChange names."""
    return [
        (
            str(FIELD_LABELS.get(name, name)),
            value_text(name, before),
            value_text(name, after),
        )
        for name, (before, after) in (change.changes or {}).items()
    ]


# --- Loading -------------------------------------------------------------------------------


def _same_rendering(endpoint: str) -> str:
    return ("portlet." + endpoint) if in_fragment() else endpoint


def _to(endpoint: str, **values):
    return redirect_303(external_url_for(_same_rendering(endpoint), **values))


def _to_category(department_id: int, category_id: int):
    return _to("admin.category", department_id=department_id, category_id=category_id)


def department_or_404(department_id) -> Department:
    """The service, if this user may look at it: for others, it does not exist."""
    department = load_department(db.session, department_id)
    if department is None or not may_view(g.user, department):
        abort(404)
    return department


def node_or_404(tree: CategoryTree, category_id) -> CategoryNode:
    node = tree.node(category_id)
    if node is None:
        abort(404)
    return node


def manager_or_404(department: Department, manager_id):
    key = parse_id(manager_id)
    manager = next((m for m in department.managers if m.id == key), None)
    if manager is None:
        abort(404)
    return manager


def admin_or_404() -> None:
    if not g.user.is_admin:
        abort(404)


def _refused(form: HdForm, error: InvalidValue) -> None:
    if not form.place(error):
        flash(error.message, "error")


def _token_refused(form: HdForm) -> bool:
    """A one-button form whose token expired: say so (nothing else can be wrong)."""
    if form.validate():
        return False
    flash(form.csrf_token.errors[0] if form.csrf_token.errors else _l("Please try again."), "error")
    return True


def _answer_form(form: HdForm, run, *, done, back, again):
    """A form with fields: validate it, make the domain call, then 303 to ``back()``
    saying ``done``; a refused value comes back beside its field in ``again()`` (422)."""
    if form.validate():
        try:
            run()
        except InvalidValue as error:
            _refused(form, error)
        else:
            flash(done, "success")
            return back()
    return again()


def _answer_button(form: HdForm, run, *, done, back, again):
    """A one-button form: its token, then the domain call, then 303 to ``back()``
    saying ``done`` (if any); a refusal is said above ``again()`` (422)."""
    if _token_refused(form):
        return again()
    try:
        run()
    except InvalidValue as error:
        flash(error.message, "error")
        return again()
    if done is not None:
        flash(done, "success")
    return back()


def _parents(tree: CategoryTree, excluded: CategoryNode | None = None) -> list[tuple]:
    """Where a category may go: every category but ``excluded`` and its subtree."""
    barred = {node.category.id for node in excluded.subtree()} if excluded else set()
    return [
        (node.category.id, node.category.full_label)
        for node in tree.walk()
        if node.category.id not in barred
    ]


def _inherited_choices(node: CategoryNode | None) -> dict:
    if node is None:
        return {}
    return {
        name: describe(name, setting)
        for name, setting in node.inheritable.items()
        if name in CategoryForm.DEFAULTS
    }


# --- The list of services ------------------------------------------------------------------


def _render_departments(status: int = 200, new: NewDepartmentForm | None = None):
    departments = visible_departments(db.session, g.user)
    if not departments and not g.user.is_admin:
        abort(404)
    return render_view(
        "admin/departments.html",
        departments=departments,
        admin=g.user.is_admin,
        new=new or NewDepartmentForm.blank(),
        token=HdForm(),
        title=_l("Services"),
        status=status,
    )


@bp.get("/services")
def departments():
    return _render_departments()


@bp.post("/services")
def create():
    require_admin(g.user)
    form = NewDepartmentForm(request.form)
    created = []  # the new service, for back() to open
    return _answer_form(
        form,
        lambda: created.append(create_department(db.session, actor=g.user, **form.values())),
        done=_l("The service is created."),
        back=lambda: _to("admin.department", department_id=created[0].id),
        again=lambda: _render_departments(status=422, new=form),
    )


@bp.post("/services/<int:department_id>/move")
def move(department_id: int):
    department = department_or_404(department_id)
    require_admin(g.user)
    form = DirectionForm(request.form)
    return _answer_button(
        form,
        lambda: move_department(db.session, department, form.direction.data, actor=g.user),
        done=None,
        back=lambda: _to("admin.departments"),
        again=lambda: _render_departments(status=422),
    )


@bp.post("/services/<int:department_id>/enabled")
def enable(department_id: int):
    department = department_or_404(department_id)
    require_admin(g.user)
    form = ToggleForm(request.form)
    on = form.on.data == "1"
    return _answer_button(
        form,
        lambda: set_department_enabled(db.session, department, on, actor=g.user),
        done=_l("The service is enabled.") if on else _l("The service is disabled."),
        back=lambda: _to("admin.department", department_id=department_id),
        again=lambda: _render_department(department, status=422),
    )


# --- One service ---------------------------------------------------------------------------


def _render_department(department: Department, status: int = 200, **forms):
    tree = department_tree(db.session, department)
    can = powers(g.user, department)
    forms.setdefault("properties", DepartmentForm.of(department))
    forms.setdefault("new_category", NewCategoryForm(parents=_parents(tree)))
    forms.setdefault("new_manager", ManagerForm())
    return render_view(
        "admin/department.html",
        department=department,
        tree=tree,
        can=can,
        may_set_availability=lambda manager: may_set_availability(g.user, manager),
        describe=describe,
        describe_members=describe_members,
        value_text=value_text,
        rights_of=rights_of,
        labels=DEFAULT_LABELS,
        token=HdForm(),
        title=_l("Service %(label)s", label=department.label),
        status=status,
        **forms,
    )


@bp.get("/services/<int:department_id>")
def department(department_id: int):
    return _render_department(department_or_404(department_id))


@bp.post("/services/<int:department_id>/properties")
def properties(department_id: int):
    department = department_or_404(department_id)
    require(g.user, department, Right.MANAGE_PROPERTIES)
    form = DepartmentForm(request.form)
    return _answer_form(
        form,
        lambda: update_department(db.session, department, actor=g.user, **form.values()),
        done=_l("The service's properties are saved."),
        back=lambda: _to("admin.department", department_id=department_id),
        again=lambda: _render_department(department, status=422, properties=form),
    )


@bp.post("/services/<int:department_id>/categories")
def new_category(department_id: int):
    department = department_or_404(department_id)
    require(g.user, department, Right.MANAGE_CATEGORIES)
    tree = department_tree(db.session, department)
    form = NewCategoryForm(request.form, parents=_parents(tree))
    return _answer_form(
        form,
        lambda: add_category(db.session, department, actor=g.user, **form.values()),
        done=_l("The category is added."),
        back=lambda: _to("admin.department", department_id=department_id),
        again=lambda: _render_department(department, status=422, new_category=form),
    )


@bp.post("/services/<int:department_id>/managers")
def new_manager(department_id: int):
    department = department_or_404(department_id)
    require(g.user, department, Right.MANAGE_MANAGERS)
    form = ManagerForm(request.form)
    return _answer_form(
        form,
        lambda: add_manager(db.session, department, actor=g.user, uid=form.uid.data),
        done=_l("The manager is added."),
        back=lambda: _to("admin.department", department_id=department_id),
        again=lambda: _render_department(department, status=422, new_manager=form),
    )


# --- One category --------------------------------------------------------------------------


def _member_form(department: Department, node: CategoryNode, formdata=None) -> MemberForm:
    """The managers of the service who are not members of the category yet."""
    members = {member.user_id for member in node.category.members}
    candidates = [
        (m.user.uid, m.user.label) for m in department.managers if m.user_id not in members
    ]
    return MemberForm(formdata, candidates=candidates)


def _render_category(department: Department, category_id, status: int = 200, **forms):
    tree = department_tree(db.session, department)
    node = node_or_404(tree, category_id)
    forms.setdefault("edit", CategoryForm.of(node.category, inherited=_inherited_choices(node)))
    forms.setdefault(
        "move_form",
        MoveCategoryForm(
            parents=_parents(tree, excluded=node), parent=str(node.category.parent_id or "")
        ),
    )
    forms.setdefault("member_form", _member_form(department, node))
    return render_view(
        "admin/category.html",
        department=department,
        node=node,
        can=powers(g.user, department),
        describe=describe,
        describe_members=describe_members,
        labels=DEFAULT_LABELS,
        token=HdForm(),
        title=_l("Category %(label)s", label=node.category.full_label),
        status=status,
        **forms,
    )


@bp.get("/services/<int:department_id>/categories/<int:category_id>")
def category(department_id: int, category_id: int):
    return _render_category(department_or_404(department_id), category_id)


def _category_of(department: Department, category_id) -> CategoryNode:
    return node_or_404(department_tree(db.session, department), category_id)


@bp.post("/services/<int:department_id>/categories/<int:category_id>")
def edit_category(department_id: int, category_id: int):
    department = department_or_404(department_id)
    node = _category_of(department, category_id)
    require(g.user, department, Right.MANAGE_CATEGORIES)
    form = CategoryForm(request.form, inherited=_inherited_choices(node))
    return _answer_form(
        form,
        lambda: update_category(db.session, node.category, actor=g.user, **form.values()),
        done=_l("The category is saved."),
        back=lambda: _to_category(department_id, category_id),
        again=lambda: _render_category(department, category_id, status=422, edit=form),
    )


@bp.post("/services/<int:department_id>/categories/<int:category_id>/move")
def move_category_to(department_id: int, category_id: int):
    department = department_or_404(department_id)
    tree = department_tree(db.session, department)
    node = node_or_404(tree, category_id)
    require(g.user, department, Right.MANAGE_CATEGORIES)
    form = MoveCategoryForm(request.form, parents=_parents(tree, excluded=node))
    return _answer_form(
        form,
        lambda: move_category(db.session, node.category, actor=g.user, parent_id=form.parent.data),
        done=_l("The category is moved."),
        back=lambda: _to_category(department_id, category_id),
        again=lambda: _render_category(department, category_id, status=422, move_form=form),
    )


@bp.post("/services/<int:department_id>/categories/<int:category_id>/reorder")
def reorder(department_id: int, category_id: int):
    department = department_or_404(department_id)
    node = _category_of(department, category_id)
    require(g.user, department, Right.MANAGE_CATEGORIES)
    form = DirectionForm(request.form)
    return _answer_button(
        form,
        lambda: reorder_category(db.session, node.category, form.direction.data, actor=g.user),
        done=None,
        back=lambda: _to("admin.department", department_id=department_id),
        again=lambda: _render_department(department, status=422),
    )


@bp.post("/services/<int:department_id>/categories/<int:category_id>/members")
def new_member(department_id: int, category_id: int):
    department = department_or_404(department_id)
    node = _category_of(department, category_id)
    require(g.user, department, Right.MANAGE_CATEGORIES)
    form = _member_form(department, node, request.form)
    return _answer_form(
        form,
        lambda: add_member(db.session, node.category, actor=g.user, member_uid=form.member.data),
        done=_l("The member is added."),
        back=lambda: _to_category(department_id, category_id),
        again=lambda: _render_category(department, category_id, status=422, member_form=form),
    )


@bp.post("/services/<int:department_id>/categories/<int:category_id>/members/remove")
def drop_member(department_id: int, category_id: int):
    department = department_or_404(department_id)
    node = _category_of(department, category_id)
    require(g.user, department, Right.MANAGE_CATEGORIES)
    form = RemoveMemberForm(request.form)
    return _answer_button(
        form,
        lambda: remove_member(db.session, node.category, actor=g.user, member_uid=form.member.data),
        done=_l("The member is removed."),
        back=lambda: _to_category(department_id, category_id),
        again=lambda: _render_category(department, category_id, status=422),
    )


# --- One manager ---------------------------------------------------------------------------


def _render_manager(department: Department, manager, status: int = 200, rights=None):
    return render_view(
        "admin/manager.html",
        department=department,
        manager=manager,
        can=powers(g.user, department),
        own_availability=may_set_availability(g.user, manager),
        rights=rights or RightsForm.of(manager),
        rights_of=rights_of,
        token=HdForm(),
        title=_l("Manager %(name)s", name=manager.user.label),
        status=status,
    )


@bp.get("/services/<int:department_id>/managers/<int:manager_id>")
def manager(department_id: int, manager_id: int):
    department = department_or_404(department_id)
    return _render_manager(department, manager_or_404(department, manager_id))


@bp.post("/services/<int:department_id>/managers/<int:manager_id>/rights")
def rights(department_id: int, manager_id: int):
    department = department_or_404(department_id)
    manager = manager_or_404(department, manager_id)
    require(g.user, department, Right.MANAGE_MANAGERS)
    form = RightsForm(request.form)
    return _answer_form(
        form,
        lambda: set_manager_rights(db.session, manager, actor=g.user, rights=form.rights.data),
        done=_l("The rights are saved."),
        back=lambda: _to("admin.manager", department_id=department_id, manager_id=manager_id),
        again=lambda: _render_manager(department, manager, status=422, rights=form),
    )


@bp.post("/services/<int:department_id>/managers/<int:manager_id>/availability")
def availability(department_id: int, manager_id: int):
    department = department_or_404(department_id)
    manager = manager_or_404(department, manager_id)
    require_availability(g.user, manager)
    form = ToggleForm(request.form)
    on = form.on.data == "1"
    name = manager.user.label
    return _answer_button(
        form,
        lambda: set_manager_availability(db.session, manager, on, actor=g.user),
        done=_l("%(name)s is available.", name=name)
        if on
        else _l("%(name)s is unavailable.", name=name),
        back=lambda: _to("admin.department", department_id=department_id),
        again=lambda: _render_department(department, status=422),
    )


@bp.post("/services/<int:department_id>/managers/<int:manager_id>/remove")
def drop_manager(department_id: int, manager_id: int):
    department = department_or_404(department_id)
    manager = manager_or_404(department, manager_id)
    require(g.user, department, Right.MANAGE_MANAGERS)
    form = HdForm(request.form)
    name = manager.user.label
    return _answer_button(
        form,
        lambda: remove_manager(db.session, manager, actor=g.user),
        done=_l("%(name)s no longer manages this service.", name=name),
        back=lambda: _to("admin.department", department_id=department_id),
        again=lambda: _render_manager(department, manager, status=422),
    )


# --- Administrators ------------------------------------------------------------------------


def _render_administrators(status: int = 200, form: AdministratorForm | None = None):
    admin_or_404()
    return render_view(
        "admin/administrators.html",
        administrators=administrators(db.session),
        form=form or AdministratorForm(),
        token=HdForm(),
        title=_l("Administrators"),
        status=status,
    )


@bp.get("/services/administrators")
def administrators_page():
    return _render_administrators()


@bp.post("/services/administrators")
def new_administrator():
    admin_or_404()
    form = AdministratorForm(request.form)
    return _answer_form(
        form,
        lambda: add_admin(db.session, actor=g.user, uid=form.uid.data),
        done=_l("The administrator is added."),
        back=lambda: _to("admin.administrators_page"),
        again=lambda: _render_administrators(status=422, form=form),
    )


@bp.post("/services/administrators/<int:user_id>/remove")
def drop_administrator(user_id: int):
    admin_or_404()
    user = db.session.get(User, user_id)
    if user is None or not user.is_admin:
        abort(404)
    form = HdForm(request.form)
    return _answer_button(
        form,
        lambda: remove_admin(db.session, user, actor=g.user),
        done=_l("%(name)s is no longer an administrator.", name=user.label),
        back=lambda: _to("admin.administrators_page"),
        again=lambda: _render_administrators(status=422),
    )


# --- The change log ------------------------------------------------------------------------


@bp.get("/services/changes")
def changes():
    department = None
    if request.args.get("department"):
        department = department_or_404(request.args["department"])
    elif not g.user.is_admin and not visible_departments(db.session, g.user):
        abort(404)
    page = change_log(
        db.session, g.user, department=department, page=parse_id(request.args.get("page")) or 1
    )
    return render_view(
        "admin/changes.html",
        department=department,
        page=page,
        change_lines=change_lines,
        paging_args={"department": department.id} if department else {},
        title=_l("Change log"),
    )
