"""« Préférences » over HTTP, and « Personnes prévenues » on the ticket: in French, as full
pages and portal fragments; a bad value comes back beside its field, a save answers 303
and decides who gets the next mail."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from models import OutboxMessage, User, db
from models.enums import Action, MonitoringLevel, Status
from models.operations import act
from models.outbox import Reason
from tests.factories import ticket_in
from tests.routes.conftest import PUBLIC_URL
from tests.routes.test_admin import form_at
from tests.routes.test_ticket_pages import text

N, C, A = MonitoringLevel.NEVER, MonitoringLevel.CREATION, MonitoringLevel.ALWAYS


def save(person, base: str = "", **changes):
    """Open « Préférences », change fields (short names; None unticks a box), send it."""
    page = person.get(f"{base}/preferences")
    assert page.status_code == 200, page.status_code
    data = form_at(page.text, f"{base}/preferences")
    for name, value in changes.items():
        if value is None:
            data.pop(f"hd-{name}", None)
        else:
            data[f"hd-{name}"] = value
    return person.post(f"{base}/preferences", data=data)


def user(uid: str) -> User:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.uid == uid))


def row_of(world, person):
    return world.service.manager_of(person)


@pytest.mark.parametrize("base", ["", "/portlet"])
def test_everyone_has_the_page_in_both_renderings(world, browser, base):
    page = browser(world.owner).get(f"{base}/preferences")
    body = text(page)
    assert page.status_code == 200
    if base:
        assert page.text.strip().startswith('<div id="hd-root"') and "<h3" in page.text
        assert "<h1" not in page.text and "<script" not in page.text
    else:
        assert page.text.startswith("<!doctype html>") and "<h1" in page.text
    assert re.search(r'aria-current="page"[^>]*>\s*Préférences', page.text)
    for words in (
        "Langue",
        "Me prévenir par courriel",
        "de mes propres tickets",
        "des tickets auxquels je suis invité",
        "des tickets de mes signets",
        "avant l'expiration de mes tickets",
    ):
        assert words in body, words
    assert 'value="Enregistrer les préférences"' in page.text
    assert "Alertes de gestionnaire" not in body and "Récapitulatif quotidien" not in body
    # Each box in a fieldset with its legend, each field with its label.
    assert re.search(r"<fieldset[^>]*>\s*<legend>Me prévenir par courriel</legend>", page.text)
    for name in ("notify_own_tickets", "notify_expiry", "language"):
        assert '<label class="hd-' in page.text and f'for="hd-{name}"' in page.text


def test_a_manager_also_sets_alerts_monitoring_and_the_digest(world, browser):
    page = browser(world.tm).get("/preferences")
    body = text(page)
    for words in (
        "Alertes de gestionnaire",
        "Surveillance du service INFORMATIQUE",
        "Moyenne",  # the default preset, selected
        "Tout ticket du service",
        "Tickets des catégories dont je suis membre",
        "Tickets que je prends en charge",
        "Récapitulatif quotidien",
        "Heure du récapitulatif (heure locale)",
        "Aussi le samedi et le dimanche",
    ):
        assert words in body, words
    row = row_of(world, world.tm)
    assert re.search(
        rf'<select[^>]*name="hd-preset-{row.id}".*?<option selected value="medium">',
        page.text,
        re.S,
    )
    assert re.search(r'<option selected value="8">08 h</option>', page.text)


@pytest.mark.parametrize("base", ["", "/portlet"])
def test_a_save_answers_303_and_says_so_in_french(world, browser, base):
    owner = browser(world.owner)
    saved = save(owner, base, notify_own_tickets=None, notify_expiry=None)
    assert saved.status_code == 303
    assert saved.headers["Location"] == f"{PUBLIC_URL}{base}/preferences"
    page = owner.get(saved.headers["Location"])
    assert "Vos préférences sont enregistrées." in text(page)
    assert user("esup9992").preferences == {
        "notify_own_tickets": False,
        "notify_invited_tickets": True,
        "notify_bookmarked_tickets": True,
        "notify_expiry": False,
    }
    assert not re.search(r'<input[^>]*checked[^>]*name="hd-notify_own_tickets"', page.text)


def test_choosing_english_answers_in_english(world, browser):
    owner = browser(world.owner)
    saved = save(owner, language="en")
    assert saved.status_code == 303 and user("esup9992").language == "en"
    assert "Your preferences are saved." in text(owner.get("/preferences"))


def test_the_home_pages_language_form_still_works(world, browser):
    owner = browser(world.owner)
    home = owner.get("/")
    data = form_at(home.text, "/preferences/language")
    data["hd-language"] = "en"
    answer = owner.post("/preferences/language", data=data)
    assert answer.status_code == 303 and user("esup9992").language == "en"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("language", "de", "N'est pas un choix valide"),
        ("digest_hour", "25", "N'est pas un choix valide"),
        ("digest_hour", "huit", "N'est pas un choix valide"),
        ("preset-{row}", "tout", "N'est pas un choix valide"),
        ("monitor_any-{row}", "parfois", "N'est pas un choix valide"),
    ],
)
def test_a_bad_value_comes_back_beside_its_field_and_nothing_is_saved(
    world, browser, field, value, message
):
    manager = browser(world.tm)
    name = field.format(row=row_of(world, world.tm).id)
    before = (dict(user("jdupont").preferences or {}), row_of(world, world.tm).monitor_any)
    page = save(manager, **{name: value, "notify_expiry": None})
    assert page.status_code == 422
    assert f'id="hd-{name}-error"' in page.text and message in text(page)
    assert re.search(rf'<select[^>]*aria-invalid="true"[^>]*name="hd-{name}"', page.text)
    assert "Veuillez corriger ce qui suit" in text(page)
    db.session.expire_all()
    assert (dict(user("jdupont").preferences or {}), row_of(world, world.tm).monitor_any) == before


def test_garbage_never_breaks_the_page(world, browser):
    manager = browser(world.tm)
    token = form_at(manager.get("/preferences").text, "/preferences")["hd-csrf_token"]
    for data in (
        {},
        {"hd-csrf_token": "périmé", "hd-language": "fr"},
        {"hd-csrf_token": token, "hd-language": ["fr", "en"], "hd-digest_hour": "\r\nBcc: x"},
        {"hd-csrf_token": token, "hd-preset-999": "complete", "hd-notify_expiry": "x" * 10_000},
    ):
        answer = manager.post("/preferences", data=data)
        assert answer.status_code in (303, 422), (data, answer.status_code)
    expired = manager.post("/preferences", data={"hd-csrf_token": "périmé", "hd-language": "en"})
    assert "Ce formulaire avait expiré" in text(expired) and user("jdupont").language == "fr"


def test_a_non_manager_cannot_slip_in_managers_preferences(world, browser):
    owner = browser(world.owner)
    row = row_of(world, world.tm)
    saved = save(owner, digest="y", digest_hour="3", **{f"preset-{row.id}": "none"})
    assert saved.status_code == 303
    assert "digest_hour" not in user("esup9992").preferences
    db.session.expire_all()
    assert row_of(world, world.tm).monitor_managed is A


def test_a_managers_levels_decide_who_gets_the_next_mail(world, browser):
    ticket = ticket_in(db.session, world, Status.IN_PROGRESS, attach=False, invite=False)
    row = row_of(world, world.dm)

    def told_of_a_comment() -> dict[str, Reason]:
        event = act(db.session, ticket.id, Action.COMMENT, user=world.owner, message="Alors ?")
        rows = db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.event_id == event.id)
        )
        return {r.recipient.uid: r.reason for r in rows}

    assert told_of_a_comment() == {"jdupont": Reason.MANAGER}
    manager = browser(world.dm)
    assert save(manager, **{f"preset-{row.id}": "complete"}).status_code == 303
    db.session.expire_all()
    assert (row.monitor_any, row.monitor_category, row.monitor_managed) == (A, A, A)
    assert told_of_a_comment() == {
        "jdupont": Reason.MANAGER,
        "lbernard": Reason.CATEGORY_MEMBER,  # every manager is a member of an unstaffed category
    }
    # The preset left as it was and one level changed: the level is what was meant.
    changed = save(manager, **{f"monitor_category-{row.id}": "never"})
    assert changed.status_code == 303
    db.session.expire_all()
    assert (row.monitor_any, row.monitor_category, row.monitor_managed) == (A, N, A)
    assert 'value="custom">Personnalisée' in manager.get("/preferences").text.replace(
        "selected ", ""
    )
    assert told_of_a_comment()["lbernard"] is Reason.DEPARTMENT_MANAGER
    assert save(manager, notify_as_manager=None).status_code == 303  # no manager alerts
    assert "lbernard" not in told_of_a_comment()


def test_the_digest_is_set_by_the_hour(world, browser):
    manager = browser(world.tm)
    saved = save(manager, digest_hour="17", digest_weekends="y")
    assert saved.status_code == 303
    prefs = user("jdupont").preferences
    assert (prefs["digest"], prefs["digest_hour"], prefs["digest_weekends"]) == (True, 17, True)


# --- « Personnes prévenues » on the ticket ---------------------------------------------------


@pytest.mark.parametrize("base", ["", "/portlet"])
def test_the_service_sees_who_is_told_and_the_owner_does_not(world, browser, base):
    ticket = ticket_in(db.session, world, Status.IN_PROGRESS, attach=False)
    world.category.monitoring_email = "reseau@univ.example"
    world.category.monitoring_email_level = "always"
    db.session.commit()
    page = browser(world.dm).get(f"{base}/tickets/{ticket.id}")
    body = text(page)
    assert "Personnes prévenues" in body
    assert "Test ESUP (esup9992) (propriétaire)" in body
    assert "Jean DUPONT (jdupont) (gestionnaire du ticket)" in body
    assert "Camille MARTIN (cmartin) (invité)" in body
    assert "reseau@univ.example (adresse supplémentaire de la catégorie)" in body
    assert "Léa BERNARD" not in body.split("Personnes prévenues")[1].split("Historique")[0]
    assert "Personnes prévenues" not in text(
        browser(world.owner).get(f"{base}/tickets/{ticket.id}")
    )
