"""The filters of the ticket lists: GET forms, bookmarkable, no token needed."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import Form, SearchField, SelectField, SubmitField
from wtforms.validators import Length

from models.queries import MAX_WORD_LENGTH, MAX_WORDS, Involvement, StatusFilter

from .base import choices

STATUS_LABELS = {
    StatusFilter.OPEN: _l("Open"),
    StatusFilter.AWAITING_APPROVAL: _l("Awaiting my approval"),
    StatusFilter.CLOSED: _l("Closed"),
    StatusFilter.ANY: _l("All"),
}
INVOLVEMENT_LABELS = {
    Involvement.MINE: _l("Mine, invited or monitored"),
    Involvement.OWNER: _l("I am the owner"),
    Involvement.INVITED: _l("I am invited"),
    Involvement.MONITORED: _l("I monitor them"),
}


class _GetForm(Form):
    def __init__(self, formdata=None, **kwargs):
        kwargs.setdefault("prefix", "")
        super().__init__(formdata, **kwargs)


class DashboardFilters(_GetForm):
    status = SelectField(_l("Status"), choices=choices(STATUS_LABELS.items()))
    involvement = SelectField(_l("Involvement"), choices=choices(INVOLVEMENT_LABELS.items()))
    submit = SubmitField(_l("Filter"))


class SearchForm(_GetForm):
    q = SearchField(_l("Words to find"), validators=[Length(max=MAX_WORDS * (MAX_WORD_LENGTH + 1))])
    status = SelectField(_l("Status"), choices=choices(STATUS_LABELS.items()))
    submit = SubmitField(_l("Find"))
