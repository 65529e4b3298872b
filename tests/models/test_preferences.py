"""« Préférences »: what each one chooses about the mail they get, saved whole or not at
all, never losing what another save wrote at the same moment."""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa

from models import DepartmentManager, User
from models.enums import MONITORING_PRESETS, MonitoringLevel
from models.errors import InvalidValue, NotAllowed
from models.preferences import (
    CUSTOM,
    chosen_levels,
    clean_levels,
    levels_of,
    manager_rows,
    preset_of,
    save_preferences,
    set_monitoring,
)
from models.users import DEFAULT_PREFERENCES
from tests.factories import add_manager, build_world

N, C, A = MonitoringLevel.NEVER, MonitoringLevel.CREATION, MonitoringLevel.ALWAYS


def snapshot(session) -> list:
    session.expire_all()
    users = session.execute(sa.select(User.uid, User.language, User.preferences).order_by(User.id))
    rows = session.execute(
        sa.select(
            DepartmentManager.id,
            DepartmentManager.monitor_any,
            DepartmentManager.monitor_category,
            DepartmentManager.monitor_managed,
        ).order_by(DepartmentManager.id)
    )
    return [tuple(r) for r in users] + [tuple(r) for r in rows]


def test_someone_who_never_chose_gets_every_mail_and_the_digest_at_eight(session, world):
    assert {key: world.owner.preference(key) for key in DEFAULT_PREFERENCES} == {
        "notify_own_tickets": True,
        "notify_invited_tickets": True,
        "notify_bookmarked_tickets": True,
        "notify_expiry": True,
        "notify_as_manager": True,
        "digest": True,
        "digest_hour": 8,
        "digest_weekends": False,
    }
    assert levels_of(world.service.manager_of(world.tm)) == (N, C, A)  # « Moyenne »


def test_a_save_changes_what_was_chosen_and_keeps_the_rest(session, world):
    world.owner.preferences = {"queue": {"status": "open"}, "notify_expiry": False}
    session.commit()
    changes = save_preferences(
        session,
        world.owner,
        language="en",
        notify_own_tickets="",  # a box left unticked
        notify_invited_tickets="y",
        notify_bookmarked_tickets=False,
        notify_expiry="y",
    )
    assert changes == {
        "language": ["fr", "en"],
        "notify_own_tickets": [True, False],
        "notify_bookmarked_tickets": [True, False],
        "notify_expiry": [False, True],
    }
    session.expire_all()
    assert world.owner.language == "en"
    assert world.owner.preferences == {
        "queue": {"status": "open"},  # the dashboard's, untouched
        "notify_own_tickets": False,
        "notify_invited_tickets": True,
        "notify_bookmarked_tickets": False,
        "notify_expiry": True,
    }
    assert save_preferences(session, world.owner, language="en", notify_expiry=True) == {}


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"language": "de"}, "language"),
        ({"language": ""}, "language"),
        ({"notify_expiry": "peut-être"}, "notify_expiry"),
        ({"notify_own_tickets": "1\r\nBcc: x@y.fr"}, "notify_own_tickets"),
        ({"digest_hour": 24}, "digest_hour"),
        ({"digest_hour": "-1"}, "digest_hour"),
        ({"digest_hour": "huit"}, "digest_hour"),
        ({"digest_hour": True}, "digest_hour"),
        ({"digest_hour": None}, "digest_hour"),
        ({"notify_expiry": False, "digest_hour": "25"}, "digest_hour"),  # nothing half-saved
    ],
)
def test_a_bad_value_is_refused_beside_its_field_and_nothing_is_saved(
    session, world, values, field
):
    before = snapshot(session)
    with pytest.raises(InvalidValue) as refused:
        save_preferences(session, world.tm, **values)
    assert refused.value.field == field
    assert snapshot(session) == before


def test_an_unknown_preference_is_a_programming_error(session, world):
    with pytest.raises(TypeError):
        save_preferences(session, world.owner, notify_everything=True)


def test_only_managers_have_managers_preferences(session, world):
    before = snapshot(session)
    for values in ({"digest": False}, {"notify_as_manager": False}, {"digest_hour": 7}):
        with pytest.raises(NotAllowed):
            save_preferences(session, world.owner, **values)
    row = world.service.manager_of(world.tm)
    with pytest.raises(NotAllowed):  # nor anyone else's « Surveillance »
        save_preferences(session, world.dm, monitoring={row.id: "complete"})
    assert snapshot(session) == before
    save_preferences(session, world.admin, digest=False)  # administrators are managers
    assert world.admin.preference("digest") is False


@pytest.mark.parametrize(
    ("preset", "levels"),
    [
        # As the original offers them: (any ticket, my categories, tickets I handle).
        ("none", (N, N, N)),
        ("minimal", (N, N, A)),
        ("medium", (N, C, A)),
        ("assiduous", (C, C, A)),
        ("complete", (A, A, A)),
    ],
)
def test_each_preset_sets_the_three_levels(session, world, preset, levels):
    row = world.service.manager_of(world.tm)
    set_monitoring(session, row, preset)
    session.expire_all()
    assert levels_of(row) == levels
    assert preset_of(levels) == preset


def test_three_levels_of_ones_own_are_custom(session, world):
    row = world.service.manager_of(world.tm)
    changes = set_monitoring(session, row, ["always", "never", "creation"])
    assert changes == {
        f"monitor_any-{world.service.id}": [N, A],
        f"monitor_category-{world.service.id}": [C, N],
        f"monitor_managed-{world.service.id}": [A, C],
    }
    assert preset_of(levels_of(row)) == CUSTOM


@pytest.mark.parametrize(
    "levels", ["sometimes", ["always", "never"], ["always", "never", "souvent"], 3, None]
)
def test_levels_that_do_not_exist_are_refused(session, world, levels):
    row = world.service.manager_of(world.tm)
    before = snapshot(session)
    with pytest.raises(InvalidValue) as refused:
        set_monitoring(session, row, levels)
    assert refused.value.field == f"monitoring-{row.id}"
    assert snapshot(session) == before


@pytest.mark.parametrize(
    ("preset", "levels", "current", "result"),
    [
        # A preset just picked wins over the three selects, left as they were.
        ("complete", ["never", "creation", "always"], (N, C, A), (A, A, A)),
        # The preset left as it was: the one level changed is what the manager meant.
        ("medium", ["always", "creation", "always"], (N, C, A), (A, C, A)),
        ("medium", ["never", "creation", "always"], (N, C, A), (N, C, A)),
        # « Personnalisée »: the three levels, whatever they are.
        (CUSTOM, ["creation", "never", "never"], (N, C, A), (C, N, N)),
        (CUSTOM, ["never", "never", "never"], (A, A, A), (N, N, N)),
    ],
)
def test_a_monitoring_form_means_what_the_manager_touched(preset, levels, current, result):
    assert chosen_levels(preset, levels, current) == result


@pytest.mark.parametrize(
    ("preset", "levels", "field"),
    [("everything", ["never", "never", "never"], "preset"), (CUSTOM, ["x", "y", "z"], "levels")],
)
def test_a_monitoring_form_with_garbage_is_refused(preset, levels, field):
    with pytest.raises(InvalidValue) as refused:
        chosen_levels(preset, levels, (N, C, A))
    assert refused.value.field == field


def test_clean_levels_takes_names_values_and_members():
    assert clean_levels("assiduous") == MONITORING_PRESETS["assiduous"]
    assert clean_levels([A, "creation", MonitoringLevel.NEVER]) == (A, C, N)


def test_a_manager_of_two_services_has_a_row_for_each_in_the_services_order(session, world):
    add_manager(session, world.other_service, world.tm)
    world.other_service.position = -1
    session.commit()
    rows = manager_rows(session, world.tm)
    assert [row.department.label for row in rows] == ["HYGIENE - SECURITE", "INFORMATIQUE"]
    changes = save_preferences(
        session,
        world.tm,
        monitoring={rows[0].id: "none", rows[1].id: "complete"},
        notify_as_manager=False,
    )
    assert changes["notify_as_manager"] == [True, False]
    assert (levels_of(rows[0]), levels_of(rows[1])) == ((N, N, N), (A, A, A))


def test_two_saves_at_once_keep_both(committed):
    """The dashboard remembers a manager's filters while they save their preferences: the
    save waits for the other writer and merges into what it wrote."""
    world = build_world(committed())
    user_id = world.tm.id
    other = committed()
    other.get(User, user_id).preferences = {"queue": {"status": "open"}}
    other.flush()  # the row is now held by this uncommitted writer
    failures = []

    def save() -> None:
        session = committed()
        try:
            save_preferences(session, session.get(User, user_id), notify_own_tickets=False)
        except Exception as error:  # reported below, in the test's thread
            failures.append(error)

    saving = threading.Thread(target=save)
    saving.start()
    time.sleep(0.3)  # the save is waiting for the row
    other.commit()
    saving.join(timeout=30)
    assert not saving.is_alive() and failures == []
    assert committed().get(User, user_id).preferences == {
        "queue": {"status": "open"},
        "notify_own_tickets": False,
    }
