"""Errors the domain raises: each carries a message fit for the user.

Messages are lazy translations, so they render in the reader's language;
``field`` names the form field the error belongs beside, when there is one.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l


class DomainError(Exception):
    default_message = _l("This request cannot be carried out.")

    def __init__(self, message=None, *, field: str | None = None):
        self.message = message if message is not None else self.default_message
        self.field = field
        super().__init__(str(self.message))


class NotAllowed(DomainError):
    """The workflow table has no row for this status, action and role."""

    default_message = _l("You cannot do this on this ticket in its current state.")


class TicketChanged(DomainError):
    """Someone else changed the ticket since it was read: nothing was written."""

    default_message = _l(
        "Someone changed this ticket meanwhile; nothing was saved. Here is its current state."
    )


class Busy(DomainError):
    """Too many people wrote at the same moment; nothing was saved."""

    default_message = _l(
        "The help desk is very busy right now; nothing was saved. Please try again."
    )


class NotFound(DomainError):
    default_message = _l("This ticket does not exist or you cannot see it.")


class UnknownCategory(NotFound):
    default_message = _l("This category does not exist.")


class UnknownUser(NotFound):
    default_message = _l("No user with this identifier is known.")


class InvalidValue(DomainError):
    """Bad input for one field; ``field`` says which."""


class MessageRequired(InvalidValue):
    default_message = _l("Please write a message: this action needs one.")

    def __init__(self, message=None, *, field: str | None = "message"):
        super().__init__(message, field=field)


class DepartmentDisabled(InvalidValue):
    default_message = _l("This service does not take tickets at the moment.")

    def __init__(self, message=None, *, field: str | None = "category"):
        super().__init__(message, field=field)


class CategoryTakesNoTickets(InvalidValue):
    default_message = _l("Please choose one of the sub-categories of this category.")

    def __init__(self, message=None, *, field: str | None = "category"):
        super().__init__(message, field=field)
