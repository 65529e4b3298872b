"""The outbox: written with the action, for whom it concerns, never to its author."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from models import CategoryMember, OutboxMessage
from models.db import utcnow
from models.enums import Action, ActionScope, AddressLevel, MonitoringLevel, Right, Status
from models.errors import MessageRequired, NotAllowed
from models.notifications import MONITORING_COLUMNS, reads_as_former, watchers
from models.operations import act, file_ticket
from models.outbox import DeliveryState, Reason
from models.tracking import set_bookmark, set_monitoring
from tests.factories import add_manager, make_user, ticket_in


def outbox(session, event):
    rows = session.scalars(sa.select(OutboxMessage).where(OutboxMessage.event_id == event.id))
    return {row.recipient.uid: row.reason for row in rows}


def test_a_request_for_information_reaches_the_owner_and_invitees(session, world, make_ticket):
    ticket = make_ticket(Status.IN_PROGRESS)
    event = act(
        session, ticket.id, Action.REQUEST_INFORMATION, user=world.tm, message="Quel bâtiment ?"
    )
    assert outbox(session, event) == {
        world.owner.uid: Reason.OWNER,
        world.invitee.uid: Reason.INVITEE,
    }
    row = session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.event_id == event.id)
    ).first()
    assert (row.state, row.attempts, row.ticket_id) == (DeliveryState.PENDING, 0, ticket.id)


def test_the_owners_answer_reaches_the_manager(session, world, make_ticket):
    ticket = make_ticket(Status.INCOMPLETE)
    event = act(session, ticket.id, Action.COMMENT, user=world.owner, message="Bâtiment B.")
    assert outbox(session, event) == {
        world.tm.uid: Reason.MANAGER,
        world.invitee.uid: Reason.INVITEE,
    }


def test_a_new_ticket_reaches_the_members_of_its_category(session, world):
    ticket = file_ticket(
        session,
        creator=world.owner,
        category_id=world.category.id,
        subject="Pas de réseau",
        message="Coupure totale.",
    )
    assert outbox(session, ticket.events[0]) == {
        user.uid: Reason.CATEGORY_MEMBER for user in (world.tm, world.dm, world.colleague)
    }


def test_an_internal_note_never_reaches_the_owner(session, world, make_ticket):
    ticket = make_ticket(Status.IN_PROGRESS)
    event = act(
        session,
        ticket.id,
        Action.COMMENT,
        user=world.dm,
        message="Utilisateur pénible.",
        scope=ActionScope.MANAGER,
    )
    assert outbox(session, event) == {world.tm.uid: Reason.MANAGER}


def test_bookmarks_monitors_and_preferences_decide_the_rest(session, world, make_ticket):
    ticket = make_ticket(Status.IN_PROGRESS)
    set_bookmark(session, world.colleague, ticket, True)
    set_monitoring(session, world.admin, ticket, True)
    world.owner.preferences = {"notify_own_tickets": False}
    session.commit()
    event = act(session, ticket.id, Action.CLOSE, user=world.tm, message="Réglé.")
    assert outbox(session, event) == {
        world.invitee.uid: Reason.INVITEE,
        world.colleague.uid: Reason.BOOKMARK,
        world.admin.uid: Reason.MONITOR,
    }


def test_a_failed_action_leaves_no_mail_behind(session, world, make_ticket):
    ticket = make_ticket(Status.IN_PROGRESS)
    before = session.scalar(sa.select(sa.func.count(OutboxMessage.id)))
    with pytest.raises(MessageRequired):
        act(session, ticket.id, Action.REQUEST_INFORMATION, user=world.tm, message="")
    assert session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == before


def test_a_manager_may_act_without_alerting_anyone_but_the_owner_may_not(
    session, world, make_ticket
):
    ticket = make_ticket(Status.IN_PROGRESS)
    silent = act(
        session,
        ticket.id,
        Action.COMMENT,
        user=world.tm,
        message="Correction mineure.",
        alert=False,
    )
    assert silent.alerted is False and outbox(session, silent) == {}
    with pytest.raises(NotAllowed):
        act(session, ticket.id, Action.COMMENT, user=world.owner, message="Chut.", alert=False)


# --- Who gets what, by monitoring level, preference and visibility --------------------
#
# In these tables the category « Réseau et Wi-Fi » and its sibling « Messagerie » have
# one member, pmoreau (``colleague``); lbernard (``dm``) is only a manager of the
# service; jdupont (``tm``) handles the ticket; nnouveau (``newcomer``) is a fourth
# manager of the service, with every right, who acts when a manager must.


def told(session, event) -> dict[str, Reason]:
    """Who got a row for ``event``: users by uid, bare addresses as they are."""
    rows = session.scalars(sa.select(OutboxMessage).where(OutboxMessage.event_id == event.id))
    return {row.recipient.uid if row.recipient else row.recipient_email: row.reason for row in rows}


def level(session, user, service, **levels) -> None:
    """Set a manager's « Surveillance » columns in ``service``."""
    row = service.manager_of(user)
    for column, value in levels.items():
        setattr(row, column, MonitoringLevel(value))
    session.commit()


@pytest.fixture
def staffed(session, world):
    """The world of these tables: members set, a fourth manager."""
    add_manager(session, world.service, world.newcomer).set_rights(set(Right))
    for category in (world.category, world.sibling):
        category.members.append(CategoryMember(user=world.colleague))
    session.commit()
    return world


def _ticket(session, world, status, **options):
    return ticket_in(session, world, status, invite=False, attach=False, **options)


# Each returns the event it tells of; ``creation_like`` says whether CREATION levels hear it.
def _comment(session, w):
    ticket = _ticket(session, w, Status.IN_PROGRESS)
    return act(session, ticket.id, Action.COMMENT, user=w.owner, message="Toujours en panne.")


def _priority(session, w):
    ticket = _ticket(session, w, Status.IN_PROGRESS)
    return act(session, ticket.id, Action.CHANGE_PRIORITY, user=w.owner, priority=5)


def _move(session, w):
    ticket = _ticket(session, w, Status.IN_PROGRESS)
    return act(session, ticket.id, Action.CHANGE_CATEGORY, user=w.newcomer, category=w.sibling)


def _reopen(session, w):
    ticket = _ticket(session, w, Status.CLOSED)
    return act(session, ticket.id, Action.REOPEN, user=w.newcomer, message="Pas réglé.")


def _recall(session, w):
    ticket = _ticket(session, w, Status.POSTPONED)
    return act(session, ticket.id, Action.CANCEL_POSTPONEMENT, user=None)


SCENARIOS = {
    # name: (what happens, told at level NEVER, CREATION, ALWAYS)
    "a comment of the owner": (_comment, False, False, True),
    "a change of priority": (_priority, False, False, True),
    "a move to another category": (_move, False, True, True),
    "a reopening": (_reopen, False, True, True),
    "a recall by the application": (_recall, False, True, True),
}
# Who is under test, the column that decides for them, and the reason they are told with;
# their two other columns are set to « never ».
PERSONAS = {
    "a manager of the service": ("dm", "monitor_any", Reason.DEPARTMENT_MANAGER),
    "a member of the category": ("colleague", "monitor_category", Reason.CATEGORY_MEMBER),
    "the ticket's manager": ("tm", "monitor_managed", Reason.MANAGER),
}


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("chosen", ["never", "creation", "always"])
def test_each_manager_is_told_as_their_monitoring_level_says(
    session, staffed, scenario, persona, chosen
):
    happen, *expected = SCENARIOS[scenario]
    who, column, reason = PERSONAS[persona]
    user = getattr(staffed, who)
    others = {name: "never" for name in MONITORING_COLUMNS if name != column}
    level(session, user, staffed.service, **{column: chosen}, **others)
    event = happen(session, staffed)
    is_told = expected[["never", "creation", "always"].index(chosen)]
    assert told(session, event).get(user.uid) == (reason if is_told else None)


def test_a_new_ticket_reaches_each_manager_by_their_level(session, staffed):
    level(session, staffed.dm, staffed.service, monitor_any="creation")
    level(session, staffed.tm, staffed.service, monitor_any="never")  # the default
    level(session, staffed.newcomer, staffed.service, monitor_any="always")
    ticket = file_ticket(
        session,
        creator=staffed.owner,
        category_id=staffed.category.id,
        subject="Pas de réseau",
        message="Coupure totale.",
    )
    assert told(session, ticket.events[0]) == {
        "pmoreau": Reason.CATEGORY_MEMBER,  # the default: told when a ticket arrives
        "lbernard": Reason.DEPARTMENT_MANAGER,
        "nnouveau": Reason.DEPARTMENT_MANAGER,
    }


def test_everyone_with_the_default_levels_as_a_ticket_goes_along(session, staffed):
    """The defaults (« Moyenne »): members when a ticket arrives, handlers always."""
    w = staffed
    ticket = ticket_in(session, w, Status.IN_PROGRESS, attach=False)  # cmartin is invited
    set_monitoring(session, w.admin, ticket, True)
    session.commit()
    steps = [
        (
            w.owner,
            Action.COMMENT,
            {"message": "Toujours en panne."},
            {"jdupont": Reason.MANAGER, "cmartin": Reason.INVITEE, "admin": Reason.MONITOR},
        ),
        (
            w.tm,
            Action.REQUEST_INFORMATION,
            {"message": "Quel bâtiment ?"},
            {"esup9992": Reason.OWNER, "cmartin": Reason.INVITEE, "admin": Reason.MONITOR},
        ),
        (
            w.newcomer,
            Action.COMMENT,
            {"message": "Utilisateur connu.", "scope": ActionScope.MANAGER},
            {"jdupont": Reason.MANAGER, "admin": Reason.MONITOR},
        ),
        (
            w.newcomer,
            Action.CHANGE_CATEGORY,
            {"category": w.sibling},
            {
                "esup9992": Reason.OWNER,
                "jdupont": Reason.MANAGER,
                "cmartin": Reason.INVITEE,
                "admin": Reason.MONITOR,
                "pmoreau": Reason.CATEGORY_MEMBER,
            },
        ),
        (  # an assignment never goes to the ticket's monitors
            w.newcomer,
            Action.ASSIGN,
            {"assignee": w.colleague},
            {
                "esup9992": Reason.OWNER,
                "pmoreau": Reason.MANAGER,
                "jdupont": Reason.PREVIOUS_MANAGER,
                "cmartin": Reason.INVITEE,
            },
        ),
    ]
    for author, action, params, expected in steps:
        event = act(session, ticket.id, action, user=author, **params)
        assert told(session, event) == expected, action


def test_a_move_to_another_service_tells_both_services(session, staffed):
    w = staffed
    securite = make_user(session, "securite", "Sam SÉCURITÉ")
    add_manager(session, w.other_service, securite)
    level(session, w.newcomer, w.service, monitor_any="creation")
    level(session, w.colleague, w.service, monitor_any="never")
    ticket = ticket_in(session, w, Status.IN_PROGRESS, attach=False)
    moved = act(session, ticket.id, Action.CHANGE_DEPARTMENT, user=w.dm, category=w.other_category)
    released = ticket.events[-1]
    assert (released.kind, released.author_id) == (Action.FREE, None)

    assert told(session, moved) == {
        "esup9992": Reason.OWNER,
        "cmartin": Reason.INVITEE,
        # The manager, until the application releases it.
        "jdupont": Reason.MANAGER,
        # The previous service, by its levels, though it may no longer open the ticket…
        "pmoreau": Reason.CATEGORY_MEMBER,
        "nnouveau": Reason.DEPARTMENT_MANAGER,
        # …and the new one: the category's members (everyone there) hear of its arrival.
        "securite": Reason.CATEGORY_MEMBER,
    }
    assert told(session, released) == {
        "esup9992": Reason.OWNER,
        "cmartin": Reason.INVITEE,
        "jdupont": Reason.PREVIOUS_MANAGER,
    }
    # The mail of those who may no longer open the ticket tells of the move alone.
    left_behind = {w.colleague, w.newcomer}
    for person in (w.owner, w.invitee, w.colleague, w.newcomer, securite):
        assert reads_as_former(person, moved) is (person in left_behind), person.uid
    assert reads_as_former(w.tm, released) and not reads_as_former(w.owner, released)


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        (ActionScope.DEFAULT, {"etudiant": Reason.OWNER, "esup9992": Reason.PREVIOUS_OWNER}),
        # What the owner may read reaches both owners, though the ticket is no longer
        # the previous one's; an internal note reaches neither.
        (ActionScope.OWNER, {"etudiant": Reason.OWNER, "esup9992": Reason.PREVIOUS_OWNER}),
        (ActionScope.MANAGER, {}),
    ],
)
def test_the_previous_owner_hears_that_their_ticket_was_given_away(
    session, staffed, scope, expected
):
    student = make_user(session, "etudiant", "Élise ÉTUDIANTE")
    ticket = _ticket(session, staffed, Status.IN_PROGRESS)
    event = act(
        session,
        ticket.id,
        Action.CHANGE_OWNER,
        user=staffed.tm,
        owner=student,
        message="Le ticket était sur le mauvais compte.",
        scope=scope,
    )
    assert told(session, event) == expected


@pytest.mark.parametrize(
    ("preference", "who", "happen"),
    [
        ("notify_own_tickets", "owner", "request_information"),
        ("notify_invited_tickets", "invitee", "request_information"),
        ("notify_bookmarked_tickets", "newcomer", "request_information"),
        ("notify_as_manager", "tm", "comment_of_the_owner"),
        ("notify_as_manager", "colleague", "move_to_another_category"),
        ("notify_expiry", "owner", "expiry"),
    ],
)
def test_a_preference_turned_off_means_no_mail(session, staffed, preference, who, happen):
    w = staffed
    user = getattr(w, who)

    def run():
        if happen == "expiry":
            ticket = ticket_in(session, w, Status.CLOSED, start=utcnow() - timedelta(days=40))
            return act(session, ticket.id, Action.EXPIRE, user=None)
        ticket = ticket_in(session, w, Status.IN_PROGRESS, attach=False)
        set_bookmark(session, w.newcomer, ticket, True)
        session.commit()
        if happen == "request_information":
            return act(session, ticket.id, Action.REQUEST_INFORMATION, user=w.tm, message="Où ?")
        if happen == "comment_of_the_owner":
            return act(session, ticket.id, Action.COMMENT, user=w.owner, message="Alors ?")
        return act(session, ticket.id, Action.CHANGE_CATEGORY, user=w.dm, category=w.sibling)

    assert user.uid in told(session, run())
    user.preferences = {preference: False}
    session.commit()
    assert user.uid not in told(session, run())


def test_monitoring_a_ticket_outweighs_the_preferences(session, staffed):
    ticket = _ticket(session, staffed, Status.IN_PROGRESS)
    set_monitoring(session, staffed.owner, ticket, True)
    staffed.owner.preferences = {"notify_own_tickets": False}
    session.commit()
    event = act(session, ticket.id, Action.COMMENT, user=staffed.tm, message="En cours.")
    assert told(session, event) == {"esup9992": Reason.MONITOR}


def test_a_monitor_who_may_no_longer_open_the_ticket_is_not_told(session, staffed):
    ticket = _ticket(session, staffed, Status.IN_PROGRESS)
    act(session, ticket.id, Action.INVITE, user=staffed.owner, invitee=staffed.invitee)
    set_monitoring(session, staffed.invitee, ticket, True)
    session.commit()
    event = act(session, ticket.id, Action.COMMENT, user=staffed.tm, message="Un.")
    assert told(session, event)["cmartin"] == Reason.INVITEE
    act(session, ticket.id, Action.REMOVE_INVITATION, user=staffed.owner, invitee=staffed.invitee)
    event = act(session, ticket.id, Action.COMMENT, user=staffed.tm, message="Deux.")
    assert "cmartin" not in told(session, event)


def test_nobody_without_an_address_gets_a_row(session, staffed):
    staffed.owner.email = None
    session.commit()
    ticket = _ticket(session, staffed, Status.IN_PROGRESS)
    event = act(session, ticket.id, Action.REQUEST_INFORMATION, user=staffed.tm, message="Où ?")
    assert told(session, event) == {}


# --- A category's extra address ----------------------------------------------------------

TEAM = "reseau@univ.example"


def _address_new(session, w):
    ticket = file_ticket(
        session, creator=w.owner, category_id=w.category.id, subject="Wi-Fi", message="HS."
    )
    return ticket.events[0]


def _address_free_comment(session, w):
    ticket = _ticket(session, w, Status.FREE)
    return act(session, ticket.id, Action.COMMENT, user=w.owner, message="Toujours HS.")


def _address_take(session, w):
    ticket = _ticket(session, w, Status.FREE)
    return act(session, ticket.id, Action.TAKE, user=w.tm)


def _address_handled_comment(session, w):
    ticket = _ticket(session, w, Status.IN_PROGRESS)
    return act(session, ticket.id, Action.COMMENT, user=w.owner, message="Toujours HS.")


def _address_release(session, w):
    ticket = _ticket(session, w, Status.IN_PROGRESS)
    return act(session, ticket.id, Action.FREE, user=w.tm)


def _address_internal_note(session, w):
    ticket = _ticket(session, w, Status.FREE)
    return act(
        session,
        ticket.id,
        Action.COMMENT,
        user=w.dm,
        message="Usager à rappeler.",
        scope=ActionScope.MANAGER,
    )


def _address_owner_note(session, w):
    ticket = _ticket(session, w, Status.FREE)
    return act(
        session,
        ticket.id,
        Action.COMMENT,
        user=w.owner,
        message="Mon numéro : 06…",
        scope=ActionScope.OWNER,
    )


ADDRESS_LEVELS = ["never", "creation", "creation_or_release", "creation_or_free", "always"]
ADDRESS_TABLE = {
    # scenario: told at NEVER, CREATION, CREATION_OR_RELEASE, CREATION_OR_FREE, ALWAYS
    "a new ticket": (_address_new, 0, 1, 1, 1, 1),
    "a comment while it is free": (_address_free_comment, 0, 0, 0, 1, 1),
    "taking it, as it was free": (_address_take, 0, 0, 0, 1, 1),
    "a comment while it is handled": (_address_handled_comment, 0, 0, 0, 0, 1),
    "releasing it": (_address_release, 0, 0, 1, 1, 1),
    "an internal note": (_address_internal_note, 0, 0, 0, 0, 0),
    "a note for the managers and the owner": (_address_owner_note, 0, 0, 0, 0, 0),
}


@pytest.mark.parametrize("scenario", ADDRESS_TABLE)
@pytest.mark.parametrize("address_level", ADDRESS_LEVELS)
def test_the_categorys_extra_address_is_told_as_its_level_says(
    session, staffed, scenario, address_level
):
    staffed.category.monitoring_email = TEAM
    staffed.category.monitoring_email_level = AddressLevel(address_level)
    session.commit()
    happen, *expected = ADDRESS_TABLE[scenario]
    event = happen(session, staffed)
    rows = told(session, event)
    assert rows.get(TEAM) == (
        Reason.CATEGORY_ADDRESS if expected[ADDRESS_LEVELS.index(address_level)] else None
    )
    if TEAM in rows:
        row = session.scalars(
            sa.select(OutboxMessage).where(
                OutboxMessage.event_id == event.id, OutboxMessage.recipient_email == TEAM
            )
        ).one()
        assert row.recipient_id is None and row.state is DeliveryState.PENDING


def test_the_previous_categorys_address_hears_the_ticket_leave(session, staffed):
    staffed.category.monitoring_email = TEAM
    staffed.sibling.monitoring_email = "messagerie@univ.example"
    staffed.sibling.monitoring_email_level = AddressLevel.NEVER
    session.commit()
    event = _move(session, staffed)
    rows = told(session, event)
    assert rows[TEAM] == Reason.CATEGORY_ADDRESS and "messagerie@univ.example" not in rows


@pytest.mark.parametrize("whose", ["the author", "a recipient"])
def test_an_address_already_told_or_acting_is_not_told_twice(session, staffed, whose):
    address = staffed.owner.email if whose == "the author" else staffed.tm.email
    staffed.category.monitoring_email = address.upper()  # addresses ignore the case
    staffed.category.monitoring_email_level = AddressLevel.ALWAYS
    session.commit()
    event = _comment(session, staffed)  # by the owner, told to the manager
    assert told(session, event) == {"jdupont": Reason.MANAGER}


# --- « Personnes prévenues » ----------------------------------------------------------------


def test_the_ticket_view_lists_who_hears_of_the_next_step(session, staffed):
    w = staffed
    ticket = ticket_in(session, w, Status.IN_PROGRESS, attach=False)
    set_monitoring(session, w.admin, ticket, True)
    set_bookmark(session, w.newcomer, ticket, True)
    level(session, w.dm, w.service, monitor_any="always")
    w.category.monitoring_email, w.category.monitoring_email_level = TEAM, AddressLevel.ALWAYS
    session.commit()
    listed = [(getattr(who, "uid", who), reason) for who, reason in watchers(ticket)]
    assert listed == [
        ("esup9992", Reason.OWNER),
        ("jdupont", Reason.MANAGER),
        ("cmartin", Reason.INVITEE),
        ("admin", Reason.MONITOR),
        ("nnouveau", Reason.BOOKMARK),
        ("lbernard", Reason.DEPARTMENT_MANAGER),
        (TEAM, Reason.CATEGORY_ADDRESS),
    ]
    # The same people as the rows of an ordinary comment, but for its author.
    for author in (w.owner, w.tm, w.invitee):
        event = act(session, ticket.id, Action.COMMENT, user=author, message="Et alors ?")
        assert told(session, event) == {
            who: reason for who, reason in listed if who != author.uid
        }, author.uid
