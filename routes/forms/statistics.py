"""« Statistiques »: which services and which days, a GET form (bookmarkable, no token)."""

from __future__ import annotations

from datetime import date

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session
from wtforms import DateField, Form, SelectField, SubmitField
from wtforms.validators import Optional

from models.errors import InvalidValue
from models.statistics import (
    Interval,
    Period,
    Scope,
    choose_span,
    chosen_departments,
)
from models.validation import parse_id

from .base import choices

PERIOD_LABELS = {
    Period.WEEK: _l("Last 7 days"),
    Period.MONTH: _l("Last 30 days"),
    Period.YEAR: _l("Last 12 months"),
    Period.CUSTOM: _l("From one day to another"),
}
INTERVAL_LABELS = {
    "": _l("Automatic"),
    Interval.DAY: _l("One bar a day"),
    Interval.MONTH: _l("One bar a month"),
}
# The query string keys, carried over to the CSV links.
KEYS = ("department", "period", "start", "end", "interval")


class StatisticsForm(Form):
    class Meta:
        # WTForms' own messages (« Not a valid date value »…) in the user's language.
        @property
        def locales(self):
            return [str(get_locale() or "fr")]

    department = SelectField(_l("Service"), choices=[], validate_choice=False)
    period = SelectField(_l("Period"), choices=choices(PERIOD_LABELS.items()), default="month")
    start = DateField(_l("First day"), validators=[Optional()])
    end = DateField(_l("Last day"), validators=[Optional()])
    interval = SelectField(_l("Intervals"), choices=choices(INTERVAL_LABELS.items()), default="")
    submit = SubmitField(_l("Show"))

    def __init__(self, formdata=None, **kwargs):
        kwargs.setdefault("prefix", "")
        super().__init__(formdata, **kwargs)

    def fill(self, departments, *, admin: bool) -> None:
        everything = _l("All services") if admin else _l("All my services")
        self.department.choices = choices(
            [("", everything)] + [(d.id, d.label) for d in departments]
        )

    def check(self, session: Session, viewable, today: date, zone: str) -> Scope | None:
        """The scope asked for, or None with the errors beside their fields."""
        valid = self.validate()
        departments = span = None
        try:
            raw = self.department.data or ""
            departments = chosen_departments(session, viewable, parse_id(raw), bool(raw))
        except InvalidValue as error:
            self._place(error)
        if not (self.period.errors or self.interval.errors or self.start.errors or self.end.errors):
            try:
                span = choose_span(
                    Period(self.period.data),
                    today,
                    zone,
                    first=self.start.data,
                    last=self.end.data,
                    interval=Interval(self.interval.data) if self.interval.data else None,
                )
            except InvalidValue as error:
                self._place(error)
        if not valid or departments is None or span is None:
            return None
        # The days shown, ready to be changed into a period of one's own.
        for name, day in (("start", span.first), ("end", span.last)):
            self[name].data, self[name].raw_data = day, []
        return Scope.of(session, departments, span)

    def _place(self, error: InvalidValue) -> None:
        self[error.field].errors = [*self[error.field].errors, error.message]
