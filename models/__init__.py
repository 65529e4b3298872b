"""The Assistance domain: models, the ticket workflow and its rules.

Importing this package registers every table on ``db.metadata``. Nothing here
reads Flask's request, session or ``g``.
"""

from .attachments import Attachment, StagedFile
from .audit import AdminChange
from .db import db
from .faq import FaqEntry
from .history import TicketEvent
from .involvement import Bookmark, Invitation, Monitor, ReadMarker, RecentView
from .logins import LoginSession
from .mail_tokens import ActionToken
from .outbox import OutboxMessage
from .responses import Response
from .search import upkeep as _search_upkeep  # noqa: F401  (keeps the index current)
from .services import Category, CategoryMember, Department, DepartmentManager
from .tickets import Ticket
from .users import User

__all__ = [
    "ActionToken",
    "AdminChange",
    "Response",
    "Attachment",
    "Bookmark",
    "Category",
    "CategoryMember",
    "Department",
    "DepartmentManager",
    "FaqEntry",
    "Invitation",
    "LoginSession",
    "Monitor",
    "OutboxMessage",
    "ReadMarker",
    "RecentView",
    "StagedFile",
    "Ticket",
    "TicketEvent",
    "User",
    "db",
]
