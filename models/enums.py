"""The closed vocabularies of the domain, each member with its translatable label.

Values are stored as readable lower-case strings; labels are English msgids that
the French catalogue turns into the user guide's words (« Libre », « Clos »…).
"""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class LabelledEnum(enum.StrEnum):
    """A string enum whose members carry a translatable ``label``."""

    def __new__(cls, value: str, label):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    def __str__(self) -> str:  # the stored value, not "Status.FREE"
        return self.value


class Status(LabelledEnum):
    FREE = "free", _l("Free")
    IN_PROGRESS = "in_progress", _l("In progress")
    INCOMPLETE = "incomplete", _l("Incomplete")
    POSTPONED = "postponed", _l("Postponed")
    CLOSED = "closed", _l("Closed")
    APPROVED = "approved", _l("Closed/approved")
    EXPIRED = "expired", _l("Expired")
    CANCELLED = "cancelled", _l("Cancelled")
    REFUSED = "refused", _l("Refused")

    @property
    def is_open(self) -> bool:
        return self in OPEN_STATUSES

    @property
    def awaits_approval(self) -> bool:
        return self is Status.CLOSED


OPEN_STATUSES = frozenset({Status.FREE, Status.IN_PROGRESS, Status.INCOMPLETE, Status.POSTPONED})
# Open statuses that always have a manager; FREE never has one (a CHECK enforces both).
MANAGED_STATUSES = frozenset({Status.IN_PROGRESS, Status.INCOMPLETE, Status.POSTPONED})
FINAL_STATUSES = frozenset({Status.APPROVED, Status.EXPIRED, Status.CANCELLED, Status.REFUSED})


class Action(LabelledEnum):
    """What can happen to a ticket: the kinds of its history entries.

    ``label`` names the button, ``phrase`` completes « <author> … » in the history.
    """

    def __new__(cls, value: str, label, phrase):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        member.phrase = phrase
        return member

    CREATE = "create", _l("Create the ticket"), _l("created the ticket")
    TAKE = "take", _l("Take"), _l("took the ticket")
    ASSIGN = "assign", _l("Assign"), _l("assigned the ticket")
    FREE = "free", _l("Release"), _l("released the ticket")
    REQUEST_INFORMATION = (
        "request_information",
        _l("Request information"),
        _l("asked for more information"),
    )
    COMMENT = "comment", _l("Add comment"), _l("added a comment")
    POSTPONE = "postpone", _l("Postpone"), _l("postponed the ticket")
    CANCEL_POSTPONEMENT = "cancel_postponement", _l("Recall"), _l("recalled the ticket")
    CLOSE = "close", _l("Close"), _l("closed the ticket")
    CLOSE_BY_OWNER = "close_by_owner", _l("Close"), _l("closed the ticket")
    APPROVE_CLOSURE = "approve_closure", _l("Approve"), _l("approved the closure")
    REFUSE_CLOSURE = "refuse_closure", _l("Refuse closure"), _l("refused the closure")
    EXPIRE = "expire", _l("Expire"), _l("expired the ticket")
    CANCEL = "cancel", _l("Cancel"), _l("cancelled the ticket")
    REFUSE = "refuse", _l("Refuse"), _l("refused the ticket")
    REOPEN = "reopen", _l("Reopen"), _l("reopened the ticket")
    INVITE = "invite", _l("Invite"), _l("invited a user")
    REMOVE_INVITATION = "remove_invitation", _l("Remove invitation"), _l("removed an invitation")
    UPLOAD = "upload", _l("Attach a file"), _l("attached a file")
    DELETE_ATTACHMENT = "delete_attachment", _l("Delete attachment"), _l("deleted an attachment")
    CHANGE_SUBJECT = "change_subject", _l("Change subject"), _l("changed the subject")
    CHANGE_OWNER = "change_owner", _l("Change owner"), _l("changed the owner")
    CHANGE_PRIORITY = "change_priority", _l("Change priority"), _l("changed the priority")
    CHANGE_SCOPE = "change_scope", _l("Change visibility"), _l("changed the visibility")
    CHANGE_ORIGIN = "change_origin", _l("Change origin"), _l("changed the origin")
    CHANGE_SPENT_TIME = "change_spent_time", _l("Change spent time"), _l("changed the spent time")
    CHANGE_CATEGORY = (
        "change_category",
        _l("Move to another category"),
        _l("moved the ticket to another category"),
    )
    CHANGE_DEPARTMENT = (
        "change_department",
        _l("Move to another service"),
        _l("moved the ticket to another service"),
    )


class Actor(LabelledEnum):
    """The role in which someone acts on a ticket; one person may hold several."""

    OWNER = "owner", _l("owner")
    TICKET_MANAGER = "ticket_manager", _l("ticket manager")
    DEPARTMENT_MANAGER = "department_manager", _l("service manager")
    INVITEE = "invitee", _l("invitee")
    ADMIN = "admin", _l("administrator")
    APPLICATION = "application", _l("the application")


class TicketScope(LabelledEnum):
    """Who may read a ticket besides its owner, managers and invitees."""

    PUBLIC = "public", _l("Public")
    INTRANET = "intranet", _l("Intranet")
    SUBJECT_ONLY = "subject_only", _l("Subject only")
    PRIVATE = "private", _l("Private")


class ActionScope(LabelledEnum):
    """Who may read one history entry or file of a ticket."""

    DEFAULT = "default", _l("Same as the ticket")
    OWNER = "owner", _l("Managers and owner")
    INVITED = "invited", _l("Managers, owner and invitees")
    INVITED_MANAGER = "invited_manager", _l("Managers and invitees")
    MANAGER = "manager", _l("Managers only")


class Origin(LabelledEnum):
    WEB = "web", _l("Web")
    EMAIL = "email", _l("E-mail")
    PHONE = "phone", _l("Phone")
    OTHER = "other", _l("Other")


class AssignmentAlgorithm(LabelledEnum):
    """Who gets a new ticket of a category, among its available members."""

    NOBODY = "nobody", _l("Nobody (the ticket stays free)")
    FIRST_AVAILABLE = "first_available", _l("First available member")
    RANDOM = "random", _l("A random available member")
    ROUND_ROBIN = "round_robin", _l("Available members in turn")


class Right(LabelledEnum):
    """What a service lets one of its managers do."""

    TAKE_FREE = "take_free", _l("Take a free ticket")
    TAKE_ASSIGNED = "take_assigned", _l("Take a ticket already assigned")
    ASSIGN = "assign", _l("Assign tickets")
    REFUSE = "refuse", _l("Refuse tickets")
    REOPEN = "reopen", _l("Reopen closed tickets")
    MOVE_DEPARTMENT = "move_department", _l("Move tickets to another service")
    MANAGE_CATEGORIES = "manage_categories", _l("Manage categories")
    MANAGE_MANAGERS = "manage_managers", _l("Manage managers")
    MANAGE_PROPERTIES = "manage_properties", _l("Manage the service's properties")
    SET_OWN_AVAILABILITY = "set_own_availability", _l("Set one's own availability")
    MANAGE_FAQ = "manage_faq", _l("Edit the service's FAQ")


# New managers get what the original ESUP-Helpdesk gives them by default.
DEFAULT_RIGHTS = frozenset(
    {
        Right.TAKE_FREE,
        Right.TAKE_ASSIGNED,
        Right.ASSIGN,
        Right.REFUSE,
        Right.REOPEN,
        Right.MOVE_DEPARTMENT,
        Right.MANAGE_CATEGORIES,
        Right.MANAGE_FAQ,
    }
)

MIN_PRIORITY, MAX_PRIORITY, DEFAULT_PRIORITY = 1, 5, 3
PRIORITY_LABELS = {
    1: _l("Very low"),
    2: _l("Low"),
    3: _l("Normal"),
    4: _l("High"),
    5: _l("Very high"),
}


class MonitoringLevel(LabelledEnum):
    """How much of a service's activity a manager is told of, for one kind of ticket."""

    NEVER = "never", _l("Never")
    CREATION = "creation", _l("When it arrives")
    ALWAYS = "always", _l("At every step")


# « Surveillance » presets, as the original offers them: (any ticket of the service,
# tickets of my member categories, tickets I handle).
MONITORING_PRESETS: dict[str, tuple[MonitoringLevel, MonitoringLevel, MonitoringLevel]] = {
    "none": (MonitoringLevel.NEVER, MonitoringLevel.NEVER, MonitoringLevel.NEVER),
    "minimal": (MonitoringLevel.NEVER, MonitoringLevel.NEVER, MonitoringLevel.ALWAYS),
    "medium": (MonitoringLevel.NEVER, MonitoringLevel.CREATION, MonitoringLevel.ALWAYS),
    "assiduous": (MonitoringLevel.CREATION, MonitoringLevel.CREATION, MonitoringLevel.ALWAYS),
    "complete": (MonitoringLevel.ALWAYS, MonitoringLevel.ALWAYS, MonitoringLevel.ALWAYS),
}
DEFAULT_MONITORING = MONITORING_PRESETS["medium"]


class AddressLevel(LabelledEnum):
    """When a category's extra address (a team list, say) is told of its tickets."""

    NEVER = "never", _l("Never")
    CREATION = "creation", _l("When a ticket arrives")
    CREATION_OR_RELEASE = "creation_or_release", _l("When a ticket arrives or is released")
    CREATION_OR_FREE = "creation_or_free", _l("When a ticket arrives, and while it is free")
    ALWAYS = "always", _l("At every step")


class MailKind(LabelledEnum):
    """What an outbox row tells: an action, an approaching expiry, or a daily digest."""

    EVENT = "event", _l("Action on a ticket")
    EXPIRY_REMINDER = "expiry_reminder", _l("Expiry reminder")
    DIGEST = "digest", _l("Daily digest")


class FaqVisibility(LabelledEnum):
    """Who may read a FAQ entry (administrators read every entry).

    From the widest to the narrowest: each reader of a narrower level also reads the
    wider ones, so an entry is never seen by more people than the entry it belongs to.
    """

    EVERYONE = "everyone", _l("Everyone, even without signing in")
    AUTHENTICATED = "authenticated", _l("Signed-in users")
    MANAGERS = "managers", _l("Managers of any service")
    DEPARTMENT = "department", _l("Managers of this service")

    @property
    def breadth(self) -> int:
        """0 for the widest; a child entry's is never lower than its parent's."""
        return list(FaqVisibility).index(self)
