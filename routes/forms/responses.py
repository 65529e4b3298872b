"""A saved response: its label and its text."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from models.responses import SIGNATURE
from models.tickets import SUBJECT_MAX_LENGTH
from models.validation import MESSAGE_MAX_LENGTH

from .base import HdForm


class ResponseForm(HdForm):
    kind = HiddenField()
    department = HiddenField()
    label = StringField(_l("Label"), validators=[DataRequired(), Length(max=SUBJECT_MAX_LENGTH)])
    message = TextAreaField(
        _l("Text (%(signature)s becomes your name)", signature=SIGNATURE),
        validators=[DataRequired(), Length(max=MESSAGE_MAX_LENGTH)],
    )
    submit = SubmitField(_l("Save"))
