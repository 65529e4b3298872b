"""« Ajouter un ticket », the ticket view, its files, and every action on a ticket."""

from __future__ import annotations

import re
import secrets
from contextlib import suppress
from functools import partial

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, g, request, send_file
from flask_babel import lazy_gettext as _l

from models import Attachment, Category, Department, Ticket, db
from models.enums import Action
from models.errors import DomainError, InvalidValue, NotAllowed, NotFound, TicketChanged
from models.faq import entries_for_category, suggestions
from models.files import Upload, act_with_files, stage_files, staged_files, unstage_file
from models.operations import act, act_many, file_ticket, last_move, return_to_sender
from models.permissions import can_view, can_view_entry, is_manager
from models.responses import available_responses
from models.storage import LocalStorage
from models.tracking import record_view, set_bookmark, set_monitoring
from models.transactions import retrying
from models.validation import parse_id
from models.workflow import resolve

from ._load import visible_ticket_or_404
from ._presenters import latest_message, ticket_page
from ._render import render_view
from ._urls import external_url_for, in_fragment, redirect_303, view_url
from .forms.actions import ReturnForm, action_form
from .forms.base import ToggleForm
from .forms.tickets import NewTicketForm

bp = Blueprint("tickets", __name__)

# Actions done with one click on the ticket view; the others open their form.
ONE_CLICK = frozenset({Action.TAKE, Action.APPROVE_CLOSURE, Action.CANCEL_POSTPONEMENT})
# Actions whose form may carry files (in the full page: a portal proxy cannot).
WITH_FILES = frozenset({Action.COMMENT, Action.UPLOAD})
DRAFT_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def storage() -> LocalStorage:
    return LocalStorage(current_app.config["ATTACHMENTS_DIR"])


def uploads(field: str = "hd-files") -> list[Upload]:
    """The files of a multipart form; an empty file input sends a nameless part."""
    return [Upload(f.filename, f.stream) for f in request.files.getlist(field) if f.filename]


def _file_limits() -> dict:
    return {
        "max_bytes": current_app.config["MAX_ATTACHMENT_BYTES"],
        "max_files": current_app.config["MAX_FILES_PER_FORM"],
    }


def _same_rendering(endpoint: str) -> str:
    return ("portlet." + endpoint) if in_fragment() else endpoint


# --- « Ajouter un ticket » ------------------------------------------------------------


def _departments() -> list[Department]:
    query = (
        sa.select(Department)
        .where(Department.is_enabled)
        .order_by(Department.position, Department.label)
    )
    return list(db.session.scalars(query))


def _chosen_category(value) -> Category | None:
    key = parse_id(value)
    category = db.session.get(Category, key) if key is not None else None
    if category is None or not category.department.is_enabled or not category.takes_tickets:
        return None
    return category


def _selectable_categories() -> list[Category]:
    return [
        category
        for department in _departments()
        for category in department.categories
        if category.takes_tickets
    ]


def _render_new(form: NewTicketForm, category: Category | None, status: int = 200, **extra):
    draft = form.draft.data
    return render_view(
        "tickets/new.html",
        form=form,
        category=category,
        categories=_selectable_categories() if category is None else [],
        staged=staged_files(db.session, g.user, draft) if draft else [],
        faq=entries_for_category(db.session, g.user, category) if category else [],
        title=_l("Add a ticket"),
        status=status,
        **extra,
    )


@bp.get("/tickets/new")
def new():
    """Step 1 chooses the category; step 2 (with ``category``) describes the problem."""
    category = _chosen_category(request.args.get("category"))
    if category is None:
        return render_view(
            "tickets/choose_category.html", departments=_departments(), title=_l("Add a ticket")
        )
    form = NewTicketForm(category=category, draft=secrets.token_urlsafe(24))
    return _render_new(form, category)


@bp.post("/tickets/new")
def create():
    form = NewTicketForm(request.form)
    if not DRAFT_PATTERN.fullmatch(form.draft.data or ""):
        form.draft.data = secrets.token_urlsafe(24)
    category = _chosen_category(form.category.data)
    if category is None:
        # The category stopped taking tickets since step 1: nothing typed is lost.
        form.category.errors = [_l("This category does not take tickets any more; choose another.")]
        return _render_new(form, None, status=422)
    form.fit(category)
    removed = parse_id(request.form.get("hd-remove_file"))
    if removed is not None:
        with suppress(NotFound):  # already removed by a second click
            unstage_file(
                db.session, user=g.user, draft=form.draft.data, staged_id=removed, storage=storage()
            )
        return _render_new(form, category)
    if form.attach.data or (form.check_faq.data and uploads()):
        try:
            stage_files(
                db.session,
                user=g.user,
                draft=form.draft.data,
                uploads=uploads(),
                storage=storage(),
                **_file_limits(),
            )
        except InvalidValue as error:
            form.files.errors = [error.message]
            return _render_new(form, category, status=422)
        if form.attach.data:
            return _render_new(form, category)
    if form.check_faq.data:
        # « Vérifier la FAQ » without JavaScript: the form comes back as typed, with
        # the entries matching its subject.
        found = suggestions(db.session, g.user, form.subject.data, category=category, limit=10)
        return _render_new(form, category, checked=found)
    if not form.validate():
        return _render_new(form, category, status=422)
    if form.preview.data:
        return _render_new(form, category, preview=True)
    try:
        ticket = file_ticket(
            db.session,
            creator=g.user,
            category_id=category.id,
            staged=staged_files(db.session, g.user, form.draft.data),
            request_token=form.draft.data,
            **form.ticket_values(),
        )
    except DomainError as error:
        if not form.place(error):
            flash(error.message, "error")
        return _render_new(form, category, status=422)
    flash(_l("A new ticket has been created."), "success")
    return redirect_303(external_url_for(_same_rendering("tickets.view"), ticket_id=ticket.id))


# --- The ticket -----------------------------------------------------------------------


@bp.get("/tickets/<int:ticket_id>")
def view(ticket_id: int):
    ticket = visible_ticket_or_404(ticket_id)
    # Rendered before the visit is recorded: the commit would expire the ticket, its
    # history and people, and the page would load them all a second time.
    page = _render_ticket(ticket)
    keep = current_app.config["RECENT_VIEWS"]
    retrying(db.session, lambda: record_view(db.session, g.user, ticket, keep=keep))
    return page


def _render_ticket(ticket, status: int = 200, comment=None):
    page = ticket_page(ticket)
    if page.question is not None and comment is None:
        comment = action_form(Action.COMMENT, ticket, g.user)
    return render_view(
        "tickets/view.html",
        page=page,
        ticket=ticket,
        one_click={a: action_form(a, ticket, g.user) for a in page.actions if a in ONE_CLICK},
        take_and_labels=TAKE_AND,
        comment=comment,
        toggle=ToggleForm(),
        title=_l("Ticket #%(number)s: %(subject)s", number=ticket.number, subject=ticket.subject),
        status=status,
    )


@bp.get("/tickets/<int:ticket_id>/<action:action>")
def action_page(ticket_id: int, action: Action):
    """The form of one action: what an e-mail's quick link opens."""
    ticket = visible_ticket_or_404(ticket_id)
    if resolve(ticket, action, g.user) is None:
        return _refused(ticket)
    form = action_form(action, ticket, g.user, defaults=request.args, responses=_responses(ticket))
    return _render_action(ticket, form)


def _refused(ticket):
    flash(_l("You cannot do this on this ticket in its current state."), "error")
    return _render_ticket(ticket, status=403)


def _responses(ticket) -> list:
    """The saved responses this user may insert, if they are one of the service's people."""
    if not is_manager(db.session, g.user):
        return []
    return available_responses(db.session, g.user, [ticket.department_id])


def _render_action(ticket, form, status: int = 200, *, heading=None, target=None):
    action = form.action
    return render_view(
        "tickets/act.html",
        ticket=ticket,
        form=form,
        answered=latest_message(ticket),
        action=action,
        heading=heading or action.label,
        target=target or view_url("tickets.perform", ticket_id=ticket.id, action=action),
        with_files=action in WITH_FILES and not in_fragment(),
        title=heading or action.label,
        status=status,
    )


def _submit(ticket, form, run, *, done, heading=None, target=None):
    """Every action's answer: insert a saved response, or validate and run the domain
    call, then 303 to the ticket; a refusal comes back with the form as typed."""
    render = partial(_render_action, heading=heading, target=target)
    if form.insert_response(g.user):
        return render(ticket, form)
    if not form.validate():
        return render(ticket, form, status=422)
    try:
        run(form)
    except TicketChanged as error:
        # Show the ticket as it is now; what was typed stays in the form.
        flash(error.message, "error")
        ticket = visible_ticket_or_404(ticket.id)
        form.version.data = str(ticket.version)
        return render(ticket, form, status=409)
    except NotAllowed as error:
        flash(error.message, "error")
        return _render_ticket(visible_ticket_or_404(ticket.id), status=403)
    except DomainError as error:
        if error.field == "file":
            error.field = "files"
        if not form.place(error):
            flash(error.message, "error")
        return render(visible_ticket_or_404(ticket.id), form, status=422)
    flash(done, "success")
    return redirect_303(external_url_for(_same_rendering("tickets.view"), ticket_id=ticket.id))


@bp.post("/tickets/<int:ticket_id>/<action:action>")
def perform(ticket_id: int, action: Action):
    ticket = visible_ticket_or_404(ticket_id)
    form = action_form(action, ticket, g.user, request.form, responses=_responses(ticket))
    if resolve(ticket, action, g.user) is None and form.seen_version in (None, ticket.version):
        # Refused outright; a stale form instead goes on to the 409 that keeps its text.
        return _refused(ticket)

    def run(form):
        files = uploads() if action in WITH_FILES else []
        if action is Action.UPLOAD and not files:
            raise InvalidValue(_l("Please choose a file."), field="files")
        if not files and action is not Action.UPLOAD:
            act(
                db.session,
                ticket.id,
                action,
                user=g.user,
                expected_version=form.seen_version,
                **form.inputs(),
            )
            return
        inputs = form.inputs()
        steps = [(Action.COMMENT, inputs)] if action is Action.COMMENT else []
        act_with_files(
            db.session,
            ticket.id,
            steps,
            user=g.user,
            uploads=files,
            storage=storage(),
            scope=inputs.get("scope", "default"),
            expected_version=form.seen_version,
            **_file_limits(),
        )

    return _submit(ticket, form, run, done=_l("Done: %(action)s.", action=action.label))


# « Prendre en charge et clore », « … et demander des informations »: two rows of the
# workflow table in one transaction.
TAKE_AND = {
    Action.CLOSE: _l("Take and close"),
    Action.REQUEST_INFORMATION: _l("Take and request information"),
}


def _take_and_form(ticket_id: int, action: Action, formdata=None):
    if action not in TAKE_AND:
        abort(404)
    ticket = visible_ticket_or_404(ticket_id)
    if resolve(ticket, Action.TAKE, g.user) is None:
        return ticket, None
    form = action_form(
        action, ticket, g.user, formdata, defaults=request.args, responses=_responses(ticket)
    )
    return ticket, form


@bp.get("/tickets/<int:ticket_id>/take-and/<action:action>")
def take_and(ticket_id: int, action: Action):
    ticket, form = _take_and_form(ticket_id, action)
    if form is None:
        return _refused(ticket)
    return _render_action(
        ticket,
        form,
        heading=TAKE_AND[action],
        target=view_url("tickets.take_and_post", ticket_id=ticket.id, action=action),
    )


@bp.post("/tickets/<int:ticket_id>/take-and/<action:action>")
def take_and_post(ticket_id: int, action: Action):
    ticket, form = _take_and_form(ticket_id, action, request.form)
    if form is None:
        return _refused(ticket)

    def run(form):
        inputs = form.inputs()
        take = {"alert": inputs["alert"]} if "alert" in inputs else {}
        act_many(
            db.session,
            ticket.id,
            [(Action.TAKE, take), (action, inputs)],
            user=g.user,
            expected_version=form.seen_version,
        )

    return _submit(
        ticket,
        form,
        run,
        done=_l("Done: %(action)s.", action=TAKE_AND[action]),
        heading=TAKE_AND[action],
        target=view_url("tickets.take_and_post", ticket_id=ticket.id, action=action),
    )


def _may_return(ticket) -> bool:
    """« Retourner à l'envoyeur » needs a move to undo, and the right to move."""
    movable = {Action.CHANGE_CATEGORY, Action.CHANGE_DEPARTMENT}
    return last_move(ticket) is not None and any(resolve(ticket, a, g.user) for a in movable)


@bp.route("/tickets/<int:ticket_id>/return-to-sender", methods=["GET", "POST"])
def return_to_sender_page(ticket_id: int):
    ticket = visible_ticket_or_404(ticket_id)
    if not _may_return(ticket):
        return _refused(ticket)
    form = ReturnForm(
        request.form if request.method == "POST" else None, version=str(ticket.version)
    )
    form.action, form.ticket, form.responses = Action.CHANGE_DEPARTMENT, ticket, []
    heading = _l("Return to sender")
    target = view_url("tickets.return_to_sender_page", ticket_id=ticket.id)
    if request.method == "GET":
        return _render_action(ticket, form, heading=heading, target=target)

    def run(form):
        return_to_sender(
            db.session,
            ticket.id,
            user=g.user,
            message=form.message.data or "",
            expected_version=form.seen_version,
            alert=not form.quiet.data,
        )

    return _submit(
        ticket,
        form,
        run,
        done=_l("The ticket went back to its sender."),
        heading=heading,
        target=target,
    )


@bp.get("/tickets/goto")
def goto():
    """« Aller au ticket n° »."""
    number = parse_id(request.args.get("number"))
    ticket = db.session.get(Ticket, number) if number is not None else None
    if ticket is None or not can_view(g.user, ticket):
        flash(_l("There is no ticket with this number that you may see."), "error")
        return redirect_303(external_url_for(_same_rendering("dashboard.index")))
    return redirect_303(external_url_for(_same_rendering("tickets.view"), ticket_id=ticket.id))


@bp.get("/tickets/<int:ticket_id>/files/<int:attachment_id>")
def download(ticket_id: int, attachment_id: int):
    """A file, for those who may read it; always a download, never rendered by us."""
    ticket = visible_ticket_or_404(ticket_id)
    attachment = db.session.get(Attachment, attachment_id)
    if (
        attachment is None
        or attachment.ticket_id != ticket.id
        or attachment.is_deleted
        or not can_view_entry(g.user, ticket, attachment.scope, attachment.author_id)
    ):
        abort(404)
    path = storage().path(attachment.storage_key)
    if not path.exists():
        abort(404)
    response = send_file(
        path,
        mimetype=attachment.media_type,
        as_attachment=True,
        download_name=attachment.original_name,
        max_age=0,
    )
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.post("/tickets/<int:ticket_id>/bookmark")
def bookmark(ticket_id: int):
    return _toggle(
        ticket_id,
        set_bookmark,
        (_l("The ticket is in your bookmarks."), _l("The bookmark is removed.")),
    )


@bp.post("/tickets/<int:ticket_id>/monitor")
def monitor(ticket_id: int):
    return _toggle(
        ticket_id,
        set_monitoring,
        (
            _l("You will be told of every change of this ticket."),
            _l("You will not be told of its changes any more."),
        ),
    )


def _toggle(ticket_id: int, setter, messages):
    ticket = visible_ticket_or_404(ticket_id)
    form = ToggleForm(request.form)
    if not form.validate():
        flash(
            form.csrf_token.errors[0] if form.csrf_token.errors else _l("Please try again."),
            "error",
        )
        return _render_ticket(ticket, status=422)
    on = form.on.data == "1"
    retrying(db.session, lambda: setter(db.session, g.user, ticket, on))
    flash(messages[0] if on else messages[1], "success")
    if request.form.get("hd-back") == "queue":  # a row button of the queue: stay there
        return redirect_303(external_url_for(_same_rendering("dashboard.index")))
    return redirect_303(external_url_for(_same_rendering("tickets.view"), ticket_id=ticket_id))
