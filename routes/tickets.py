"""« Ajouter un ticket », the ticket view, and every action on a ticket."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, g, request
from flask_babel import lazy_gettext as _l

from models import Category, Department, db
from models.enums import Action
from models.errors import DomainError, NotAllowed, TicketChanged
from models.operations import act, file_ticket
from models.tracking import record_view
from models.validation import parse_id
from models.workflow import ACTIONS, available_actions, resolve

from ._load import visible_ticket_or_404
from ._render import render_view
from ._urls import external_url_for, redirect_303
from .forms.actions import action_form
from .forms.tickets import NewTicketForm

bp = Blueprint("tickets", __name__)

# Actions done with one click on the ticket view; the others open their form.
ONE_CLICK = frozenset({Action.TAKE, Action.APPROVE_CLOSURE, Action.CANCEL_POSTPONEMENT})


def _categories_tree() -> list[Department]:
    return list(
        db.session.scalars(
            sa.select(Department)
            .where(Department.is_enabled)
            .order_by(Department.position, Department.label)
        )
    )


@bp.get("/tickets/new")
def new():
    """Step 1 chooses the category; step 2 (with ``category``) describes the problem."""
    category = _chosen_category(request.args.get("category"))
    if category is None:
        return render_view(
            "tickets/choose_category.html", departments=_categories_tree(), title=_l("Add a ticket")
        )
    form = NewTicketForm(category=category)
    return render_view("tickets/new.html", form=form, category=category, title=_l("Add a ticket"))


@bp.post("/tickets/new")
def create():
    form = NewTicketForm(request.form)
    category = _chosen_category(form.category.data)
    if category is None:
        flash(_l("Please choose a category."), "error")
        return render_view(
            "tickets/choose_category.html",
            departments=_categories_tree(),
            title=_l("Add a ticket"),
            status=422,
        )
    form.fit(category)
    if not form.validate():
        return render_view(
            "tickets/new.html", form=form, category=category, title=_l("Add a ticket"), status=422
        )
    if form.preview.data:
        return render_view(
            "tickets/new.html", form=form, category=category, preview=True, title=_l("Add a ticket")
        )
    try:
        ticket = file_ticket(
            db.session, creator=g.user, category_id=category.id, **form.ticket_values()
        )
    except DomainError as error:
        if not form.place(error):
            flash(error.message, "error")
        return render_view(
            "tickets/new.html", form=form, category=category, title=_l("Add a ticket"), status=422
        )
    flash(_l("A new ticket has been created."), "success")
    return redirect_303(external_url_for(_same_rendering("tickets.view"), ticket_id=ticket.id))


def _chosen_category(value) -> Category | None:
    key = parse_id(value)
    category = db.session.get(Category, key) if key is not None else None
    if category is None or not category.department.is_enabled or not category.takes_tickets:
        return None
    return category


def _same_rendering(endpoint: str) -> str:
    return ("portlet." + endpoint) if "portlet" in request.blueprints else endpoint


@bp.get("/tickets/<int:ticket_id>")
def view(ticket_id: int):
    ticket = visible_ticket_or_404(ticket_id)
    record_view(db.session, g.user, ticket, keep=current_app.config["RECENT_VIEWS"])
    db.session.commit()
    return _render_ticket(ticket)


def _render_ticket(ticket, form=None, status: int = 200):
    actions = available_actions(ticket, g.user)
    return render_view(
        "tickets/view.html",
        ticket=ticket,
        actions=actions,
        one_click={a: action_form(a, ticket, g.user) for a in actions if a in ONE_CLICK},
        form=form,
        title=_l("Ticket #%(number)s: %(subject)s", number=ticket.number, subject=ticket.subject),
        status=status,
    )


@bp.get("/tickets/<int:ticket_id>/<action:action>")
def action_page(ticket_id: int, action: Action):
    """The form of one action: what an e-mail's quick link opens."""
    ticket = visible_ticket_or_404(ticket_id)
    if resolve(ticket, action, g.user) is None:
        flash(_l("You cannot do this on this ticket in its current state."), "error")
        return _render_ticket(ticket, status=403)
    return _render_action(ticket, action_form(action, ticket, g.user, None))


def _render_action(ticket, form, status: int = 200):
    return render_view(
        "tickets/act.html",
        ticket=ticket,
        form=form,
        action=form.action,
        spec=ACTIONS[form.action],
        title=form.action.label,
        status=status,
    )


@bp.post("/tickets/<int:ticket_id>/<action:action>")
def perform(ticket_id: int, action: Action):
    ticket = visible_ticket_or_404(ticket_id)
    form = action_form(action, ticket, g.user, request.form)
    if not form.validate():
        return _render_action(ticket, form, status=422)
    try:
        act(
            db.session,
            ticket.id,
            action,
            user=g.user,
            expected_version=form.seen_version,
            **form.inputs(),
        )
    except TicketChanged as error:
        # Show the ticket as it is now; what was typed stays in the form.
        flash(error.message, "error")
        ticket = visible_ticket_or_404(ticket_id)
        form.version.data = str(ticket.version)
        return _render_action(ticket, form, status=409)
    except NotAllowed as error:
        flash(error.message, "error")
        return _render_ticket(visible_ticket_or_404(ticket_id), status=403)
    except DomainError as error:
        if not form.place(error):
            flash(error.message, "error")
        return _render_action(visible_ticket_or_404(ticket_id), form, status=422)
    flash(_l("Done: %(action)s.", action=action.label), "success")
    return redirect_303(external_url_for(_same_rendering("tickets.view"), ticket_id=ticket_id))
