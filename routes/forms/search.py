"""« Recherche »: the words and the filters, a GET form (bookmarkable, no token)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session
from wtforms import DateField, Form, SearchField, SelectField, StringField, SubmitField
from wtforms.validators import Length, Optional

from models.errors import InvalidValue
from models.queries import parse_choice
from models.search.query import SearchFilters, SearchKind, check_period, person_id
from models.search.syntax import MAX_QUERY_LENGTH
from models.validation import parse_id

from .base import choices

KIND_LABELS = {
    SearchKind.ALL: _l("Tickets and FAQ"),
    SearchKind.OPEN: _l("Open tickets"),
    SearchKind.CLOSED: _l("Closed tickets"),
    SearchKind.FAQ: _l("FAQ entries"),
}
PEOPLE = ("owner", "manager", "involved")  # managers only
NOT_AVAILABLE = _l("This choice is not available.")
UNKNOWN_USER = _l("No user with this identifier is known.")


class SearchForm(Form):
    class Meta:
        # WTForms' own messages (« Not a valid date value »…) in the user's language.
        @property
        def locales(self):
            return [str(get_locale() or "fr")]

    q = SearchField(
        _l("Words to find"),
        validators=[Length(max=MAX_QUERY_LENGTH, message=_l("Type %(max)d characters at most."))],
    )
    kind = SelectField(_l("Look in"), choices=choices(KIND_LABELS.items()), validate_choice=False)
    service = SelectField(_l("Service"), choices=[], validate_choice=False)
    category = SelectField(_l("Category"), choices=[], validate_choice=False)
    created_from = DateField(_l("Created from"), validators=[Optional()])
    created_until = DateField(_l("Created until"), validators=[Optional()])
    owner = StringField(_l("Owner (uid)"))
    manager = StringField(_l("Manager (uid)"))
    involved = StringField(_l("Involved user (uid)"))
    submit = SubmitField(_l("Find"))

    def __init__(self, formdata=None, **kwargs):
        kwargs.setdefault("prefix", "")
        super().__init__(formdata, **kwargs)
        self.people: dict[str, int] = {}

    def fill(self, departments, *, manager: bool) -> None:
        """Services and categories to choose from; the people filters for managers."""
        everything = [("", _l("All"))]
        self.service.choices = choices(everything + [(d.id, d.label) for d in departments])
        self.category.choices = choices(everything) + [
            choice
            for d in departments
            for choice in choices([(c.id, c.full_label) for c in d.categories], optgroup=d.label)
        ]
        if not manager:
            for name in PEOPLE:
                delattr(self, name)

    def check(self, session: Session) -> bool:
        """Validate, with the choices and the people looked up; errors beside fields."""
        valid = self.validate()
        self.kind.data = parse_choice(SearchKind, self.kind.data, SearchKind.ALL).value
        for select in (self.service, self.category):
            known = {choice.value for choice in select.choices if choice.value}
            if select.data and select.data not in known:
                select.errors = [*select.errors, NOT_AVAILABLE]
                valid = False
        if not self.created_from.errors and not self.created_until.errors:
            try:
                check_period(self.created_from.data, self.created_until.data)
            except InvalidValue as error:
                self[error.field].errors = [*self[error.field].errors, error.message]
                valid = False
        for name in PEOPLE:
            if name in self and (self[name].data or "").strip():
                found = person_id(session, self[name].data)
                if found is None:
                    self[name].errors = [*self[name].errors, UNKNOWN_USER]
                    valid = False
                else:
                    self.people[name] = found
        return valid

    def filters(self, zone: ZoneInfo) -> SearchFilters:
        """The filters, once ``check`` passed; days are the user's local days."""

        def midnight(day: date | None, later: int = 0) -> datetime | None:
            return None if day is None else datetime.combine(day + timedelta(later), time(), zone)

        return SearchFilters(
            kind=SearchKind(self.kind.data),
            department_id=parse_id(self.service.data),
            category_id=parse_id(self.category.data),
            created_from=midnight(self.created_from.data),
            created_until=midnight(self.created_until.data, later=1),
            owner_id=self.people.get("owner"),
            manager_id=self.people.get("manager"),
            involved_id=self.people.get("involved"),
        )
