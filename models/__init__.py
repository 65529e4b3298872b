"""The Assistance domain: models, the ticket workflow and its rules.

Importing this package registers every table on ``db.metadata``. Nothing here
reads Flask's request, session or ``g``.
"""

from .db import db
from .users import User
from .services import Category, CategoryMember, Department, DepartmentManager
from .tickets import Ticket
from .history import TicketEvent
from .attachments import Attachment
from .involvement import Bookmark, Invitation, Monitor, ReadMarker, RecentView
from .outbox import OutboxMessage

__all__ = [
    "Attachment",
    "Bookmark",
    "Category",
    "CategoryMember",
    "Department",
    "DepartmentManager",
    "Invitation",
    "Monitor",
    "OutboxMessage",
    "ReadMarker",
    "RecentView",
    "Ticket",
    "TicketEvent",
    "User",
    "db",
]
