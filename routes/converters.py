"""URL converters: an unknown action in a URL is a 404, never a crash."""

from __future__ import annotations

from werkzeug.routing import BaseConverter, ValidationError

from models.enums import Action


class ActionConverter(BaseConverter):
    regex = "[a-z_]+"

    def to_python(self, value: str) -> Action:
        try:
            action = Action(value)
        except ValueError:
            raise ValidationError() from None
        if action is Action.CREATE:  # created through « Ajouter un ticket » only
            raise ValidationError()
        return action

    def to_url(self, value) -> str:
        return Action(value).value
