"""Preferences a user sets from the tab."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, SubmitField

from .base import HdForm, choices

LANGUAGE_NAMES = {"fr": "Français", "en": "English"}


class LanguageForm(HdForm):
    language = SelectField(_l("Language"), choices=choices(LANGUAGE_NAMES.items()))
    next = HiddenField()
    submit = SubmitField(_l("Save"))
