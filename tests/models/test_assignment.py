"""Who gets a new ticket: nobody, the first available member, at random, in turn."""

from __future__ import annotations

import random

import pytest

from models import CategoryMember
from models.assignment import pick_assignee
from models.enums import Action, Actor, AssignmentAlgorithm, Status
from models.operations import file_ticket


def file(session, world, category=None):
    return file_ticket(
        session,
        creator=world.owner,
        category_id=(category or world.category).id,
        subject="Pas de réseau",
        message="Le réseau est coupé.",
    )


def test_by_default_a_new_ticket_stays_free(session, world):
    ticket = file(session, world)
    assert (ticket.status, ticket.manager) == (Status.FREE, None)


def test_the_first_available_member_gets_it(session, world):
    world.category.assignment_algorithm = AssignmentAlgorithm.FIRST_AVAILABLE
    world.category.members += [
        CategoryMember(user=world.dm, position=0),
        CategoryMember(user=world.colleague, position=1),
    ]
    session.commit()
    ticket = file(session, world)
    assign = ticket.events[-1]
    assert (assign.kind, assign.actor, assign.author_id) == (Action.ASSIGN, Actor.APPLICATION, None)
    assert (ticket.status, ticket.manager) == (Status.IN_PROGRESS, world.dm)
    world.service.manager_of(world.dm).is_available = False
    session.commit()
    assert file(session, world).manager == world.colleague


def test_without_members_a_category_inherits_its_parents_then_the_whole_service(session, world):
    world.service.assignment_algorithm = AssignmentAlgorithm.FIRST_AVAILABLE
    session.commit()
    assert [m.user for m in world.category.effective_members()] == [
        world.tm,
        world.dm,
        world.colleague,
    ]
    assert file(session, world).manager == world.tm


def test_round_robin_serves_members_in_turn_and_skips_the_unavailable(session, world):
    world.category.assignment_algorithm = AssignmentAlgorithm.ROUND_ROBIN
    session.commit()
    managers = [file(session, world).manager for _ in range(4)]
    assert managers == [world.tm, world.dm, world.colleague, world.tm]
    world.service.manager_of(world.dm).is_available = False
    session.commit()
    assert [file(session, world).manager for _ in range(3)] == [
        world.colleague,
        world.tm,
        world.colleague,
    ]


def test_random_picks_only_available_members(session, world):
    world.category.assignment_algorithm = AssignmentAlgorithm.RANDOM
    world.service.manager_of(world.tm).is_available = False
    session.commit()
    rng = random.Random(4)
    picked = {pick_assignee(world.category, rng) for _ in range(40)}
    assert picked == {world.dm, world.colleague}


@pytest.mark.parametrize("algorithm", list(AssignmentAlgorithm))
def test_nobody_available_leaves_the_ticket_free(session, world, algorithm):
    world.category.assignment_algorithm = algorithm
    for manager in world.service.managers:
        manager.is_available = False
    session.commit()
    assert file(session, world).status is Status.FREE
