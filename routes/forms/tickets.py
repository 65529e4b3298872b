"""« Ajouter un ticket », step 2: the form of the guide."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    HiddenField,
    MultipleFileField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length

from models import Category
from models.enums import PRIORITY_LABELS, TicketScope
from models.tickets import SUBJECT_MAX_LENGTH
from models.validation import MESSAGE_MAX_LENGTH

from .base import HdForm, choices


class NewTicketForm(HdForm):
    category = HiddenField()
    # Names this form: its staged files, and the ticket a second click finds again.
    draft = HiddenField()
    subject = StringField(
        _l("Subject"), validators=[DataRequired(), Length(max=SUBJECT_MAX_LENGTH)]
    )
    message = TextAreaField(
        _l("Please give every detail needed to solve your problem."),
        validators=[DataRequired(), Length(max=MESSAGE_MAX_LENGTH)],
    )
    priority = SelectField(_l("Priority"), choices=choices(PRIORITY_LABELS.items()))
    scope = SelectField(_l("Visibility"), choices=choices((s.value, s.label) for s in TicketScope))
    files = MultipleFileField(_l("Attached files"))
    attach = SubmitField(_l("Attach a file"))
    # « Vérifier la FAQ »: the entries matching the subject, everything typed kept.
    check_faq = SubmitField(_l("Check the FAQ"))
    preview = SubmitField(_l("Preview"))
    create = SubmitField(_l("Create the ticket"))

    def __init__(self, formdata=None, category: Category | None = None, **kwargs):
        if category is not None:
            kwargs.setdefault("category", str(category.id))
            kwargs.setdefault("priority", str(category.effective("default_priority")))
            kwargs.setdefault("scope", category.effective("default_scope").value)
        super().__init__(formdata, **kwargs)

    def fit(self, category: Category) -> None:
        """Defaults for what an older form left out (the advanced properties)."""
        if not self.priority.data:
            self.priority.data = str(category.effective("default_priority"))
        if not self.scope.data:
            self.scope.data = category.effective("default_scope").value

    def ticket_values(self) -> dict:
        return {
            "subject": self.subject.data,
            "message": self.message.data,
            "priority": self.priority.data,
            "scope": self.scope.data,
        }
