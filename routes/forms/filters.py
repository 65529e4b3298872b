"""The filters of the ticket lists: GET forms, bookmarkable, no token needed."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, Form, SelectField, SubmitField

from models.queries import (
    SORTS,
    Involvement,
    QueueInvolvement,
    QueueStatus,
    StatusFilter,
    parse_choice,
)
from models.queries import QueueFilters as QueueFiltersValue
from models.validation import parse_id

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


QUEUE_STATUS_LABELS = {
    QueueStatus.OPEN: _l("Open"),
    QueueStatus.AWAITING_APPROVAL: _l("Awaiting approval"),
    QueueStatus.CLOSED: _l("Closed"),
    QueueStatus.ANY: _l("All"),
}
QUEUE_INVOLVEMENT_LABELS = {
    QueueInvolvement.FREE: _l("Free ones"),
    QueueInvolvement.MINE: _l("Mine"),
    QueueInvolvement.MINE_OR_FREE: _l("Mine or free"),
    QueueInvolvement.MINE_OR_INVITED: _l("Mine or where I am invited"),
    QueueInvolvement.ANY: _l("All"),
}
SORT_LABELS = {
    "updated": _l("Last action"),
    "created": _l("Date"),
    "number": _l("No."),
    "priority": _l("Priority"),
    "status": _l("Status"),
    "service": _l("Service"),
    "category": _l("Category"),
    "subject": _l("Subject"),
    "owner": _l("Owner"),
    "manager": _l("Manager"),
}
# The query string keys of the queue, remembered per manager.
QUEUE_KEYS = ("department", "category", "mine", "status", "involvement", "manager", "sort", "order")


class QueueFilters(_GetForm):
    department = SelectField(_l("Service"), choices=[])
    category = SelectField(_l("Category"), choices=[])
    mine = BooleanField(_l("Only my member categories"))
    status = SelectField(_l("Status"), choices=choices(QUEUE_STATUS_LABELS.items()))
    involvement = SelectField(_l("Involvement"), choices=[])
    manager = SelectField(_l("Manager"), choices=[])
    sort = SelectField(_l("Sort by"), choices=choices(SORT_LABELS.items()))
    order = SelectField(
        _l("Order"), choices=choices([("desc", _l("Descending")), ("asc", _l("Ascending"))])
    )
    submit = SubmitField(_l("Filter"))

    def fill(self, departments, counts) -> None:
        """Choices that depend on who looks: their services, categories and colleagues."""
        everything = [("", _l("All"))]
        self.department.choices = choices(everything + [(d.id, d.label) for d in departments])
        categories = [
            (c.id, f"{d.label} — {c.full_label}") for d in departments for c in d.categories
        ]
        self.category.choices = choices(everything + categories)
        colleagues = {m.user.id: m.user.label for d in departments for m in d.managers}
        self.manager.choices = choices(everything + sorted(colleagues.items(), key=lambda p: p[1]))
        self.involvement.choices = choices(
            (choice, _l("%(label)s (%(count)s)", label=label, count=counts.get(choice, 0)))
            for choice, label in QUEUE_INVOLVEMENT_LABELS.items()
        )

    def filters(self) -> QueueFiltersValue:
        return QueueFiltersValue(
            department_id=parse_id(self.department.data),
            category_id=parse_id(self.category.data),
            member_categories=bool(self.mine.data),
            status=parse_choice(QueueStatus, self.status.data, QueueStatus.OPEN),
            involvement=parse_choice(
                QueueInvolvement, self.involvement.data, QueueInvolvement.MINE_OR_FREE
            ),
            manager_id=parse_id(self.manager.data),
            sort=self.sort.data if self.sort.data in SORTS else "updated",
            descending=self.order.data != "asc",
        )
