"""Who is told of an action: one outbox row per recipient, in the action's transaction.

Each recipient is told only of what they may read (an internal note never
reaches the owner), never of their own action, and as their preferences say.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import object_session

from .delivery import GROUP_SECONDS
from .enums import Action
from .history import TicketEvent
from .involvement import Bookmark, Monitor
from .outbox import OutboxMessage, Reason
from .permissions import can_view_event
from .users import User

# Actions that bring a ticket to a service's attention, as a creation does.
CREATION_LIKE = frozenset(
    {
        Action.CREATE,
        Action.REOPEN,
        Action.CHANGE_DEPARTMENT,
        Action.CHANGE_CATEGORY,
        Action.CANCEL_POSTPONEMENT,
    }
)

# The preference that lets a user silence alerts they get for this reason.
PREFERENCE_FOR = {
    Reason.OWNER: "notify_own_tickets",
    Reason.PREVIOUS_OWNER: "notify_own_tickets",
    Reason.INVITEE: "notify_invited_tickets",
    Reason.BOOKMARK: "notify_bookmarked_tickets",
}


def recipients(event: TicketEvent) -> dict[int, tuple[User, Reason]]:
    """Everyone to tell of ``event``, each with the first reason that applies."""
    ticket = event.ticket
    session = object_session(ticket)
    found: dict[int, tuple[User, Reason]] = {}

    def add(user: User | None, reason: Reason) -> None:
        if user is not None and user.id not in found:
            found[user.id] = (user, reason)

    add(ticket.owner, Reason.OWNER)
    if event.owner_id_before is not None:
        add(session.get(User, event.owner_id_before), Reason.PREVIOUS_OWNER)
    add(ticket.manager, Reason.MANAGER)
    if event.manager_id_before is not None:
        add(session.get(User, event.manager_id_before), Reason.PREVIOUS_MANAGER)
    if event.kind in CREATION_LIKE and ticket.manager_id is None:
        for member in ticket.category.effective_members():
            add(member.user, Reason.CATEGORY_MEMBER)
    if event.kind is Action.INVITE:
        add(event.invitee, Reason.NEW_INVITEE)
    for invitation in ticket.invitations:
        add(invitation.user, Reason.INVITEE)
    if ticket.id is not None:
        for model, reason in ((Bookmark, Reason.BOOKMARK), (Monitor, Reason.MONITOR)):
            for link in session.query(model).filter_by(ticket_id=ticket.id):
                add(session.get(User, link.user_id), reason)
    return found


def enqueue(event: TicketEvent) -> list[OutboxMessage]:
    """Write the outbox rows for ``event`` into its session."""
    messages = []
    for user, reason in recipients(event).values():
        if user.id == event.author_id or not user.email:
            continue
        preference = PREFERENCE_FOR.get(reason)
        if preference is not None and not user.preference(preference):
            continue
        if event.kind is Action.EXPIRE and not user.preference("notify_expiry"):
            continue
        if not can_view_event(user, event):
            continue
        messages.append(
            OutboxMessage(
                event=event,
                ticket=event.ticket,
                recipient=user,
                reason=reason,
                created_at=event.created_at,
                next_attempt_at=event.created_at + timedelta(seconds=GROUP_SECONDS),
            )
        )
    object_session(event.ticket).add_all(messages)
    return messages
