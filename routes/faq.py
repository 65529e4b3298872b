"""« FAQ »: the trees of entries a user may read, one entry, and for editors adding,
changing, moving and deleting entries; the suggestions « Ajouter un ticket » fetches
while the subject is typed.

Reading is open to anyone, signed in or not (``anonymous_allowed``): each entry's
visibility decides. Each view loads what its URL names (404 when this user may not
read it), checks the right to edit (403), makes one domain call and answers 303; a
refused value comes back beside its field, with 422.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, jsonify, request
from flask_babel import lazy_gettext as _l

from models import Category, Department, db
from models.errors import InvalidValue
from models.faq import (
    FaqEntry,
    add_entry,
    delete_entry,
    department_tree,
    entry_siblings,
    faq_trees,
    may_edit,
    move_entry,
    readable_children,
    readable_entry,
    render,
    reorder_entry,
    require_edit,
    suggestions,
    update_entry,
)
from models.validation import parse_id

from ._render import render_view
from ._urls import external_url_for, in_fragment, redirect_303, view_url
from .forms.base import HdForm
from .forms.faq import EntryForm, MoveEntryForm, NewEntryForm

bp = Blueprint("faq", __name__)
GLOBAL = "global"


def anonymous_allowed(view):
    """Reading views: open without signing in (portlet/sso.py reads this mark)."""
    view.anonymous_allowed = True
    return view


def _to(endpoint: str, **values):
    endpoint = ("portlet." + endpoint) if in_fragment() else endpoint
    return redirect_303(external_url_for(endpoint, **values))


def _tree_of(value) -> Department | None:
    """The FAQ a URL names: ``global``, or a service's id (404 when there is none)."""
    if value in (None, "", GLOBAL):
        return None
    department = db.session.get(Department, parse_id(value) or 0)
    if department is None:
        abort(404)
    return department


def _tree_key(department: Department | None) -> str:
    return GLOBAL if department is None else str(department.id)


def entry_or_404(entry_id) -> FaqEntry:
    entry = readable_entry(db.session, g.user, entry_id)
    if entry is None:
        abort(404)
    return entry


def editable_entry(entry_id) -> FaqEntry:
    entry = entry_or_404(entry_id)
    require_edit(g.user, entry.department)
    return entry


def _heading_base() -> int:
    """An entry's body headings sit below its title."""
    return (3 if in_fragment() else 1) + 1


def _categories(department: Department | None) -> list[tuple[Category, str]]:
    """What an entry may be shown for: its service's categories (every service's for
    the global FAQ), with their paths."""
    if department is not None:
        departments = [department]
    else:
        departments = db.session.scalars(
            db.select(Department).order_by(Department.position, Department.label)
        ).all()
    return [
        (
            category,
            f"{d.label} — {category.full_label}" if department is None else category.full_label,
        )
        for d in departments
        for category in sorted(d.categories, key=lambda c: [(n.position, n.id) for n in c.path])
    ]


def _parents(department: Department | None, excluded: FaqEntry | None = None) -> list[tuple]:
    """Where an entry may go: the entries of its FAQ but ``excluded`` and those under it."""
    barred = {entry.id for entry in excluded.subtree()} if excluded else set()
    tree = department_tree(db.session, g.user, department)
    return [
        (node.entry.id, "— " * depth + node.entry.title)
        for node, depth in tree.walk()
        if node.entry.id not in barred
    ]


# --- Reading ---------------------------------------------------------------------------


@bp.get("/faq")
@anonymous_allowed
def index():
    return render_view(
        "faq/index.html",
        trees=faq_trees(db.session, g.user),
        token=HdForm() if g.user else None,
        tree_key=_tree_key,
        title=_l("FAQ"),
    )


@bp.get("/faq/<int:entry_id>")
@anonymous_allowed
def entry(entry_id: int):
    found = entry_or_404(entry_id)
    return _render_entry(found)


def _render_entry(found: FaqEntry, status: int = 200, move_form: MoveEntryForm | None = None):
    editable = may_edit(g.user, found.department)
    if editable and move_form is None:
        move_form = MoveEntryForm(
            parents=_parents(found.department, excluded=found), parent=str(found.parent_id or "")
        )
    siblings = entry_siblings(db.session, found)
    return render_view(
        "faq/entry.html",
        entry=found,
        body=render(found.body, _heading_base()),
        path=found.path[:-1],
        children=readable_children(db.session, g.user, found),
        editable=editable,
        move_form=move_form,
        token=HdForm() if editable else None,
        first=bool(siblings) and siblings[0] is found,
        last=bool(siblings) and siblings[-1] is found,
        title=found.title,
        status=status,
    )


@bp.get("/faq/suggest")
def suggest():
    """What « Ajouter un ticket » suggests while the subject is typed (JSON)."""
    category = db.session.get(Category, parse_id(request.args.get("category")) or 0)
    found = suggestions(db.session, g.user, request.args.get("q", "")[:500], category=category)
    return jsonify(
        entries=[
            {"title": e.title, "url": external_url_for("faq.entry", entry_id=e.id)} for e in found
        ]
    )


# --- Editing ---------------------------------------------------------------------------


def _render_form(template: str, form, department, status: int = 200, **context):
    preview = render(form.body.data, 2 + (3 if in_fragment() else 1)) if form.preview.data else None
    return render_view(
        template,
        form=form,
        department=department,
        preview=preview,
        status=status,
        **context,
    )


def _answer(form, run, *, done, back, again):
    """Preview, or validate and make the domain call then 303 to ``back()``; a refused
    value comes back beside its field in ``again()`` (422)."""
    if form.preview.data:
        return again(200)
    if form.validate():
        try:
            result = run()
        except InvalidValue as error:
            if not form.place(error):
                flash(error.message, "error")
        else:
            flash(done, "success")
            return back(result)
    return again(422)


@bp.route("/faq/new", methods=["GET", "POST"])
def new():
    department = _tree_of(request.values.get("tree"))
    require_edit(g.user, department)
    categories = _categories(department)
    parents = _parents(department)
    if request.method == "GET":
        form = NewEntryForm(
            department=department,
            category_choices=categories,
            parents=parents,
            parent=request.args.get("parent", ""),
            visibility="everyone",
        )
        return _render_new(form, department)
    form = NewEntryForm(
        request.form, department=department, category_choices=categories, parents=parents
    )
    return _answer(
        form,
        lambda: add_entry(db.session, actor=g.user, department=department, **form.values()),
        done=_l("The entry is added."),
        back=lambda created: _to("faq.entry", entry_id=created.id),
        again=lambda status: _render_new(form, department, status),
    )


def _render_new(form, department, status: int = 200):
    return _render_form(
        "faq/edit.html",
        form,
        department,
        status,
        entry=None,
        target=view_url("faq.new", tree=_tree_key(department)),
        title=_l("Add a FAQ entry"),
    )


@bp.route("/faq/<int:entry_id>/edit", methods=["GET", "POST"])
def edit(entry_id: int):
    found = editable_entry(entry_id)
    categories = _categories(found.department)
    if request.method == "GET":
        return _render_edit(found, EntryForm.of(found, category_choices=categories))
    form = EntryForm(request.form, department=found.department, category_choices=categories)
    return _answer(
        form,
        lambda: update_entry(db.session, found, actor=g.user, **form.values()),
        done=_l("The entry is saved."),
        back=lambda _: _to("faq.entry", entry_id=entry_id),
        again=lambda status: _render_edit(found, form, status),
    )


def _render_edit(found: FaqEntry, form, status: int = 200):
    return _render_form(
        "faq/edit.html",
        form,
        found.department,
        status,
        entry=found,
        target=view_url("faq.edit", entry_id=found.id),
        title=_l("Change the FAQ entry %(title)s", title=found.title),
    )


@bp.post("/faq/<int:entry_id>/move")
def move(entry_id: int):
    found = editable_entry(entry_id)
    form = MoveEntryForm(request.form, parents=_parents(found.department, excluded=found))
    if form.validate():
        try:
            move_entry(db.session, found, actor=g.user, parent_id=form.parent.data)
        except InvalidValue as error:
            if not form.place(error):
                flash(error.message, "error")
        else:
            flash(_l("The entry is moved."), "success")
            return _to("faq.entry", entry_id=entry_id)
    return _render_entry(entry_or_404(entry_id), status=422, move_form=form)


@bp.post("/faq/<int:entry_id>/reorder")
def reorder(entry_id: int):
    found = editable_entry(entry_id)
    form = HdForm(request.form)
    if not form.validate():
        flash(form.csrf_token.errors[0], "error")
        return _render_entry(found, status=422)
    try:
        reorder_entry(db.session, found, request.form.get("hd-direction", ""), actor=g.user)
    except InvalidValue as error:
        flash(error.message, "error")
        return _render_entry(entry_or_404(entry_id), status=422)
    if request.form.get("hd-back") == "index":
        return _to("faq.index")
    return _to("faq.entry", entry_id=entry_id)


@bp.route("/faq/<int:entry_id>/delete", methods=["GET", "POST"])
def delete(entry_id: int):
    found = editable_entry(entry_id)
    form = HdForm(request.form if request.method == "POST" else None)
    if request.method == "POST":
        if form.validate():
            try:
                delete_entry(db.session, found, actor=g.user)
            except InvalidValue as error:
                flash(error.message, "error")
                return _render_delete(entry_or_404(entry_id), form, 422)
            flash(_l("The entry is deleted."), "success")
            return _to("faq.index")
        return _render_delete(found, form, 422)
    return _render_delete(found, form)


def _render_delete(found: FaqEntry, form, status: int = 200):
    return render_view(
        "faq/delete.html",
        entry=found,
        form=form,
        title=_l("Delete the FAQ entry %(title)s", title=found.title),
        status=status,
    )
