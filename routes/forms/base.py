"""The base of every form: CSRF bound to the session, and domain errors placed
beside their fields."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, session
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import Form, HiddenField, SelectChoice
from wtforms.csrf.session import SessionCSRF

from models.errors import DomainError

# Long enough for a long message written in a portal tab left open over lunch;
# past it the form comes back filled in, with a fresh token.
CSRF_TIME_LIMIT = timedelta(hours=8)


class HdForm(Form):
    class Meta:
        csrf = True
        csrf_class = SessionCSRF
        csrf_time_limit = CSRF_TIME_LIMIT

        @property
        def csrf_secret(self):
            return current_app.secret_key.encode()

        @property
        def csrf_context(self):
            return session

        # WTForms' own messages (« Not a valid date value »…) in the user's language.
        @property
        def locales(self):
            return [str(get_locale() or "fr")]

    # Ids stay unique inside a portal page that holds other forms.
    def __init__(self, formdata=None, **kwargs):
        kwargs.setdefault("prefix", "hd")
        super().__init__(formdata, **kwargs)

    @property
    def csrf_failed(self) -> bool:
        return bool(self.csrf_token.errors)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.csrf_token.errors:
            # Nothing the user typed is lost: the form comes back with a new token.
            self.csrf_token.errors = [
                _l("This form had expired; nothing was saved. Please check it and send it again.")
            ]
        return valid

    def place(self, error: DomainError) -> bool:
        """Show a domain error beside its field; False when it belongs to no field."""
        field = self._fields.get(error.field or "")
        if field is None:
            return False
        field.errors = (
            [*field.errors, error.message] if isinstance(field.errors, list) else [error.message]
        )
        return True


def choices(pairs, optgroup=None) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(str(value), label, optgroup=optgroup) for value, label in pairs]


class ToggleForm(HdForm):
    """A one-button form that turns something on (``1``) or off (``0``)."""

    on = HiddenField()
