"""« Réponses enregistrées »: a manager's own texts, their services' and the global
ones, to insert into any message."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, request
from flask_babel import lazy_gettext as _l

from models import Department, Response, db
from models.errors import DomainError
from models.permissions import is_manager
from models.queries import managed_departments
from models.responses import (
    DEPARTMENT,
    GLOBAL,
    PERSONAL,
    delete_response,
    kind_of,
    may_edit,
    save_response,
)
from models.transactions import retrying
from models.validation import parse_id

from ._render import render_view
from ._urls import external_url_for, in_fragment, redirect_303
from .forms.base import HdForm
from .forms.responses import ResponseForm

bp = Blueprint("responses", __name__)


@bp.before_request
def _managers_only():
    if not is_manager(db.session, g.user):
        abort(404)


def _editable(response_id) -> Response:
    response = db.session.get(Response, parse_id(response_id) or 0)
    if response is None or not may_edit(g.user, kind_of(response), response.department):
        abort(404)
    return response


def _back():
    endpoint = "portlet.responses.index" if in_fragment() else "responses.index"
    return redirect_303(external_url_for(endpoint))


@bp.get("/responses")
def index():
    departments = managed_departments(db.session, g.user)
    responses = db.session.query(Response).all()
    mine = [r for r in responses if r.user_id == g.user.id]
    by_department = {d: [r for r in responses if r.department_id == d.id] for d in departments}
    shared = [r for r in responses if kind_of(r) == GLOBAL]
    return render_view(
        "responses/index.html",
        mine=mine,
        by_department=by_department,
        shared=shared,
        form=HdForm(),
        may_edit_global=g.user.is_admin,
    )


@bp.route("/responses/new", methods=["GET", "POST"])
def create():
    kind = request.values.get("kind", PERSONAL)
    department = db.session.get(Department, parse_id(request.values.get("department")) or 0)
    if kind not in (PERSONAL, DEPARTMENT, GLOBAL) or not may_edit(g.user, kind, department):
        abort(404)
    form = ResponseForm(
        request.form if request.method == "POST" else None,
        kind=kind,
        department=department.id if department else "",
    )
    return _save(form, kind=kind, department=department)


@bp.route("/responses/<int:response_id>/edit", methods=["GET", "POST"])
def edit(response_id: int):
    response = _editable(response_id)
    form = ResponseForm(request.form if request.method == "POST" else None, obj=response)
    return _save(form, response=response)


def _save(form: ResponseForm, *, kind=None, department=None, response=None):
    title = _l("Saved response")
    if request.method == "GET" or not form.validate():
        return render_view(
            "responses/edit.html",
            form=form,
            title=title,
            status=422 if request.method == "POST" else 200,
        )
    try:
        retrying(
            db.session,
            lambda: save_response(
                db.session,
                actor=g.user,
                label=form.label.data,
                message=form.message.data,
                kind=kind,
                department=department,
                response=response,
            ),
        )
    except DomainError as error:
        if not form.place(error):
            flash(error.message, "error")
        return render_view("responses/edit.html", form=form, title=title, status=422)
    flash(_l("The response is saved."), "success")
    return _back()


@bp.post("/responses/<int:response_id>/delete")
def delete(response_id: int):
    response = _editable(response_id)
    if HdForm(request.form).validate():
        retrying(db.session, lambda: delete_response(db.session, actor=g.user, response=response))
        flash(_l("The response is deleted."), "success")
    return _back()
