"""Preferences a user sets from the tab: the language, and « Préférences »."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SelectField, SubmitField

from models.enums import MonitoringLevel
from models.preferences import MANAGER_KEYS, NOTIFY_KEYS, PRESET_LABELS, levels_of, preset_of

from .base import HdForm, choices

LANGUAGE_NAMES = {"fr": "Français", "en": "English"}
HOURS = [(hour, _l("%(hour)02d:00", hour=hour)) for hour in range(24)]
LEVELS = [(level.value, level.label) for level in MonitoringLevel]
# The three levels of a service's « Surveillance », as DepartmentManager names them.
LEVEL_FIELDS = {
    "monitor_any": _l("Any ticket of the service"),
    "monitor_category": _l("Tickets of the categories I am a member of"),
    "monitor_managed": _l("Tickets I handle"),
}


class LanguageForm(HdForm):
    language = SelectField(_l("Language"), choices=choices(LANGUAGE_NAMES.items()))
    next = HiddenField()
    submit = SubmitField(_l("Save"))


class PreferencesForm(HdForm):
    """Everyone's: the language and « Me prévenir par courriel »."""

    language = SelectField(_l("Language"), choices=choices(LANGUAGE_NAMES.items()))
    notify_own_tickets = BooleanField(_l("of my own tickets"))
    notify_invited_tickets = BooleanField(_l("of the tickets I am invited to"))
    notify_bookmarked_tickets = BooleanField(_l("of the tickets in my bookmarks"))
    notify_expiry = BooleanField(_l("before my tickets expire"))
    submit = SubmitField(_l("Save the preferences"))

    KEYS = NOTIFY_KEYS

    def values(self) -> dict:
        return {"language": self.language.data} | {key: self[key].data for key in self.KEYS}


class ManagerPreferencesForm(PreferencesForm):
    """A manager's too: alerts at all, each service's « Surveillance », the digest.

    Each service adds four selects named by its DepartmentManager row
    (``hd-preset-<id>``, ``hd-monitor_any-<id>``…): see ``for_manager``.
    """

    notify_as_manager = BooleanField(_l("Tell me of my services' tickets, as set below"))
    digest = BooleanField(_l("Send me a daily digest of my services' tickets"))
    digest_hour = SelectField(_l("Hour of the digest (local time)"), choices=choices(HOURS))
    digest_weekends = BooleanField(_l("Also on Saturdays and Sundays"))

    KEYS = NOTIFY_KEYS + MANAGER_KEYS

    @classmethod
    def for_manager(cls, rows, formdata=None, **data):
        """The form with one « Surveillance » per service the manager's rows name."""

        class Form(cls):
            pass

        for row in rows:
            setattr(
                Form,
                f"preset-{row.id}",
                SelectField(_l("Monitoring"), choices=choices(PRESET_LABELS.items())),
            )
            for name, label in LEVEL_FIELDS.items():
                setattr(Form, f"{name}-{row.id}", SelectField(label, choices=choices(LEVELS)))
            if formdata is None:
                levels = levels_of(row)
                data[f"preset-{row.id}"] = preset_of(levels)
                for name, level in zip(LEVEL_FIELDS, levels, strict=True):
                    data[f"{name}-{row.id}"] = level.value
        form = Form(formdata, **data)
        form.rows = list(rows)
        return form

    def monitoring(self, row):
        """The preset field and the three level fields of one service."""
        return self[f"preset-{row.id}"], [self[f"{name}-{row.id}"] for name in LEVEL_FIELDS]


def preferences_form(user, rows, manager: bool, formdata=None):
    """The form for this user: filled with their current choices, or with ``formdata``."""
    data = {}
    if formdata is None:
        keys = ManagerPreferencesForm.KEYS if manager else PreferencesForm.KEYS
        data = {"language": user.language} | {key: user.preference(key) for key in keys}
        if manager:
            data["digest_hour"] = str(user.preference("digest_hour"))
    if manager:
        return ManagerPreferencesForm.for_manager(rows, formdata, **data)
    return PreferencesForm(formdata, **data)
