"""The quick links of a mail: what its recipient may do on the ticket now, read from
the workflow table for that recipient, in the order the original mails give them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .enums import Action
from .tickets import Ticket
from .users import User
from .workflow import resolve

# In the mail's order; « take and … » follow « take ».
QUICK_ACTIONS = (
    Action.TAKE,
    Action.CLOSE,
    Action.FREE,
    Action.REQUEST_INFORMATION,
    Action.COMMENT,
    Action.REOPEN,
    Action.REFUSE,
    Action.APPROVE_CLOSURE,
    Action.REFUSE_CLOSURE,
    Action.ASSIGN,
    Action.POSTPONE,
)
TAKE_AND = (Action.CLOSE, Action.REQUEST_INFORMATION)
# Links that act at once for their signed-in recipient, carrying a single-use token.
# Refusing a closure never does: it always asks why.
ONE_CLICK = frozenset({Action.APPROVE_CLOSURE})


@dataclass(frozen=True)
class QuickLink:
    action: Action
    then: Action | None = None  # « Prendre en charge et … »

    @property
    def one_click(self) -> bool:
        return self.then is None and self.action in ONE_CLICK


def quick_links(ticket: Ticket, user: User, now: datetime | None = None) -> list[QuickLink]:
    """What ``user`` may do on ``ticket`` from a mail, by the workflow table."""
    links: list[QuickLink] = []
    for action in QUICK_ACTIONS:
        if resolve(ticket, action, user, now) is None:
            continue
        links.append(QuickLink(action))
        if action is Action.TAKE:
            links += [QuickLink(Action.TAKE, then) for then in TAKE_AND]
    return links
