"""One form per workflow action, built from the action's inputs in the workflow.

The workflow says which inputs an action takes (``ActionSpec.params``) and
whether it needs a message; this module gives each input its field, and turns
what was posted back into the domain's values.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    MultipleFileField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from models import Attachment, Category, Department, Ticket, User, db
from models.assignment import available_members
from models.enums import PRIORITY_LABELS, Action, ActionScope, Origin, TicketScope
from models.errors import InvalidValue, UnknownUser
from models.faq import FaqEntry, entries_for_closing
from models.permissions import actors_of, scopes_for
from models.responses import Response
from models.tickets import SUBJECT_MAX_LENGTH
from models.validation import MESSAGE_MAX_LENGTH, SPENT_MINUTES_MAX, parse_id
from models.workflow import ACTIONS, SILENT_ACTORS

from .base import HdForm, choices

MESSAGE_LABELS = {
    Action.REQUEST_INFORMATION: _l("Your question"),
    Action.REFUSE_CLOSURE: _l("Why do you refuse the closure?"),
    Action.REFUSE: _l("Why is the ticket refused?"),
    Action.REOPEN: _l("Why reopen the ticket?"),
    Action.DELETE_ATTACHMENT: _l("Why delete this file?"),
    Action.CLOSE: _l("Message for the owner"),
}


@dataclass(frozen=True)
class Input:
    """How one input of an action is asked for, and read back."""

    field: Callable[[Ticket, User], Any]
    read: Callable[[Any, Ticket], Any] = lambda value, ticket: value


def _user_by_uid(field: str) -> Callable[[Any, Ticket], User]:
    """Reads an identifier typed in ``field``; an unknown one is reported beside that field."""

    def read(value: str, ticket: Ticket) -> User:
        user = db.session.scalar(sa.select(User).where(User.uid == (value or "").strip()))
        if user is None:
            raise UnknownUser(field=field)
        return user

    return read


def _recall_date(value, ticket: Ticket):
    """A recall date is a day: the ticket comes back at 8 a.m., local time."""
    if value is None:
        return None
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return datetime.combine(value, time(8), tzinfo=zone)


def _category_choices(ticket: Ticket, same_department: bool) -> list[SelectChoice]:
    query = sa.select(Category).join(Department).where(Department.is_enabled)
    if same_department:
        query = query.where(Category.department_id == ticket.department_id)
    else:
        query = query.where(Category.department_id != ticket.department_id)
    categories = [
        c for c in db.session.scalars(query) if c.takes_tickets and c.id != ticket.category_id
    ]
    ordered = sorted(
        categories, key=lambda c: (c.department.position, c.department.label, c.full_label)
    )
    return [SelectChoice(str(c.id), c.full_label, optgroup=c.department.label) for c in ordered]


def _category(value, ticket: Ticket) -> Category:
    category = db.session.get(Category, parse_id(value) or 0)
    if category is None:
        raise InvalidValue(_l("This choice is not available."), field="category")
    return category


def _attachment(value, ticket: Ticket) -> Attachment:
    attachment = db.session.get(Attachment, parse_id(value) or 0)
    if attachment is None or attachment.ticket_id != ticket.id or attachment.is_deleted:
        raise InvalidValue(_l("This file is not attached to this ticket."), field="attachment")
    return attachment


def _faq_choices(ticket: Ticket) -> list[SelectChoice]:
    """The FAQ entries the owner may read, by FAQ (the ticket's service's first)."""
    found = [SelectChoice("", _l("None"))]
    for entry in entries_for_closing(db.session, ticket.owner, ticket.department):
        tree = entry.department.label if entry.department else _l("General FAQ")
        path = " › ".join(above.title for above in entry.path)
        found.append(SelectChoice(str(entry.id), path, optgroup=str(tree)))
    return found


def _faq_entry(value, ticket: Ticket) -> FaqEntry:
    entry = db.session.get(FaqEntry, parse_id(value) or 0)
    if entry is None:
        raise InvalidValue(_l("This choice is not available."), field="faq_entry")
    return entry


INPUTS: dict[str, Input] = {
    "assignee": Input(
        lambda ticket, user: SelectField(
            _l("Manager"),
            choices=choices(
                (m.user.uid, m.user.label)
                for m in available_members(ticket.category)
                if m.user_id != ticket.manager_id
            ),
            validators=[DataRequired()],
        ),
        _user_by_uid("assignee"),
    ),
    "recall_at": Input(
        lambda ticket, user: DateField(_l("Recall on"), validators=[Optional()]),
        _recall_date,
    ),
    "spent_minutes": Input(
        lambda ticket, user: IntegerField(
            _l("Time spent (minutes)"),
            validators=[Optional(), NumberRange(min=0, max=SPENT_MINUTES_MAX)],
        )
    ),
    "invitee": Input(
        lambda ticket, user: StringField(
            _l("Identifier of the person to invite"), validators=[DataRequired(), Length(max=128)]
        ),
        _user_by_uid("invitee"),
    ),
    "owner": Input(
        lambda ticket, user: StringField(
            _l("Identifier of the new owner"), validators=[DataRequired(), Length(max=128)]
        ),
        _user_by_uid("owner"),
    ),
    "subject": Input(
        lambda ticket, user: StringField(
            _l("Subject"),
            default=ticket.subject,
            validators=[DataRequired(), Length(max=SUBJECT_MAX_LENGTH)],
        )
    ),
    "priority": Input(
        lambda ticket, user: SelectField(
            _l("Priority"),
            default=str(ticket.priority),
            choices=choices(PRIORITY_LABELS.items()),
        ),
        lambda value, ticket: int(value),
    ),
    "ticket_scope": Input(
        lambda ticket, user: SelectField(
            _l("Visibility"),
            default=ticket.scope.value,
            choices=choices((s.value, s.label) for s in TicketScope),
        )
    ),
    "origin": Input(
        lambda ticket, user: SelectField(
            _l("Origin"),
            default=ticket.origin.value,
            choices=choices((o.value, o.label) for o in Origin),
        )
    ),
    "category": Input(
        lambda ticket, user: SelectField(_l("Category"), validators=[DataRequired()]),
        _category,
    ),
    "attachment": Input(
        lambda ticket, user: HiddenField(validators=[DataRequired()]),
        _attachment,
    ),
    # The closure's message then links the entry that answers the ticket.
    "faq_entry": Input(
        lambda ticket, user: SelectField(
            _l("FAQ entry that answers the ticket"), validate_choice=False
        ),
        _faq_entry,
    ),
}


class ActionForm(HdForm):
    """Base of the generated forms; ``inputs()`` gives ``act()`` its keyword arguments."""

    action: Action
    ticket: Ticket
    version = HiddenField()

    def inputs(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        if "message" in self._fields:
            values["message"] = self.message.data or ""
        if "scope" in self._fields:
            values["scope"] = self.scope.data
        if "quiet" in self._fields and self.quiet.data:
            values["alert"] = False
        for name in ACTIONS[self.action].params:
            if name in INPUTS and name in self._fields:
                data = self._fields[name].data
                values[name] = (
                    INPUTS[name].read(data, self.ticket) if data not in (None, "") else None
                )
        return values

    def insert_response(self, user: User) -> bool:
        """« Insérer »: the chosen saved response goes at the end of the message."""
        if "insert" not in self._fields or not self.insert.data:
            return False
        chosen = next((r for r in self.responses if str(r.id) == self.response.data), None)
        if chosen is not None:
            self.message.data = "\n\n".join(
                filter(None, [self.message.data, chosen.text_for(user)])
            )
        return True

    @property
    def seen_version(self) -> int | None:
        return parse_id(self.version.data)


def action_form(
    action: Action,
    ticket: Ticket,
    user: User,
    formdata=None,
    defaults=None,
    responses: Sequence[Response] = (),
) -> ActionForm:
    """The form of ``action`` on ``ticket`` for ``user``, filled from ``formdata``;
    ``defaults`` (a quick link's query string) may preset its inputs.

    The service's people also get « ne pas prévenir » and, with ``responses``,
    the « Réponses enregistrées » to insert into the message.
    """
    spec = ACTIONS[action]
    for_the_service = bool(SILENT_ACTORS.intersection(actors_of(user, ticket)))
    fields: dict[str, Any] = {}
    for name in spec.params:
        # An upload's attachment is made from the files sent, not from a field.
        if name in INPUTS and action is not Action.UPLOAD:
            fields[name] = INPUTS[name].field(ticket, user)
    if action is not Action.UPLOAD:
        fields["message"] = TextAreaField(
            MESSAGE_LABELS.get(action, _l("Message")),
            validators=[
                DataRequired() if spec.message_required else Optional(),
                Length(max=MESSAGE_MAX_LENGTH),
            ],
        )
    if action in (Action.COMMENT, Action.UPLOAD):
        fields["files"] = MultipleFileField(_l("Attached files"))
        fields["scope"] = SelectField(
            _l("Visible to"),
            default=ActionScope.DEFAULT.value,
            choices=choices((s.value, s.label) for s in scopes_for(user, ticket)),
        )
    if for_the_service:
        fields["quiet"] = BooleanField(_l("Do not alert anyone (« ne pas prévenir »)"))
        if responses and "message" in fields:
            fields["response"] = SelectField(
                _l("Saved responses"), choices=choices((r.id, r.label) for r in responses)
            )
            fields["insert"] = SubmitField(_l("Insert"))
    fields["submit"] = SubmitField(action.label)
    form_class = type(f"{action.name.title()}Form", (ActionForm,), fields)
    preset = {name: defaults[name] for name in spec.params if defaults and name in defaults}
    form = form_class(formdata, version=str(ticket.version), **preset)
    form.action, form.ticket, form.responses = action, ticket, list(responses)
    if "category" in form._fields:
        form.category.choices = _category_choices(ticket, action is Action.CHANGE_CATEGORY)
    if "faq_entry" in form._fields:
        form.faq_entry.choices = _faq_choices(ticket)
        if len(form.faq_entry.choices) == 1:  # no entry to point to: no field
            del form.faq_entry
    return form


class ReturnForm(ActionForm):
    """« Retourner à l'envoyeur »: an optional word for the sender."""

    message = TextAreaField(_l("Message"), validators=[Optional(), Length(max=MESSAGE_MAX_LENGTH)])
    quiet = BooleanField(_l("Do not alert anyone (« ne pas prévenir »)"))
    submit = SubmitField(_l("Return to sender"))

    def insert_response(self, user: User) -> bool:
        return False
