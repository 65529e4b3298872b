"""« Services »: the forms of the services' set-up.

The domain (models/administration/) checks every value and says what is wrong
beside the field; these forms only carry the values, each with its own prefix so
that several of them live in one page with unique ids.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput, ListWidget

from models.enums import (
    DEFAULT_PRIORITY,
    PRIORITY_LABELS,
    AddressLevel,
    AssignmentAlgorithm,
    Right,
    TicketScope,
)
from models.services import DEFAULT_EXPIRY_DAYS

from .base import HdForm, choices

PRIORITIES = list(PRIORITY_LABELS.items())
SCOPES = [(scope.value, scope.label) for scope in TicketScope]
ALGORITHMS = [(algorithm.value, algorithm.label) for algorithm in AssignmentAlgorithm]
ADDRESS_LEVELS = [(level.value, level.label) for level in AddressLevel]
INHERITED = _l("Inherited")


class _Form(HdForm):
    """A form of this page, named by its own prefix (``hd-service-label``…)."""

    PREFIX = "hd"

    def __init__(self, formdata=None, **kwargs):
        kwargs.setdefault("prefix", self.PREFIX)
        super().__init__(formdata, **kwargs)


def _text(value) -> str:
    return "" if value is None else str(getattr(value, "value", value))


class DepartmentForm(_Form):
    """A service's properties, as managers with « Gérer les propriétés » edit them."""

    PREFIX = "hd-service"

    label = StringField(_l("Label"))
    title = StringField(_l("Full name"))
    description = TextAreaField(_l("Description"))
    default_priority = SelectField(_l("Default priority"), choices=choices(PRIORITIES))
    default_scope = SelectField(_l("Default visibility"), choices=choices(SCOPES))
    assignment_algorithm = SelectField(_l("Assignment of new tickets"), choices=choices(ALGORITHMS))
    expiry_days = IntegerField(
        _l("Days before a closed ticket expires (0: never)"), validators=[Optional()]
    )
    spent_time_required = BooleanField(_l("Managers must give the time spent on a ticket"))
    submit = SubmitField(_l("Save the properties"))

    FIELDS = (
        "label",
        "title",
        "description",
        "default_priority",
        "default_scope",
        "assignment_algorithm",
        "expiry_days",
        "spent_time_required",
    )

    @classmethod
    def of(cls, department):
        return cls(
            **{
                name: getattr(department, name)
                if name in ("expiry_days", "spent_time_required")
                else _text(getattr(department, name))
                for name in cls.FIELDS
            }
        )

    def values(self) -> dict:
        return {name: self[name].data for name in self.FIELDS}


class NewDepartmentForm(DepartmentForm):
    PREFIX = "hd-new-service"

    enabled = BooleanField(_l("Enabled: the service takes tickets"))
    submit = SubmitField(_l("Create the service"))

    @classmethod
    def blank(cls):
        """A new service starts with the defaults the domain gives it."""
        return cls(
            default_priority=str(DEFAULT_PRIORITY),
            default_scope=TicketScope.PRIVATE.value,
            assignment_algorithm=AssignmentAlgorithm.NOBODY.value,
            expiry_days=DEFAULT_EXPIRY_DAYS,
        )

    def values(self) -> dict:
        return {**super().values(), "enabled": self.enabled.data}


def _inheriting(pairs, inherited_label) -> list:
    return choices([("", inherited_label), *pairs])


class CategoryForm(_Form):
    """A category's properties; each default is a value, or « inherited »."""

    PREFIX = "hd-category"

    label = StringField(_l("Label"))
    description = TextAreaField(_l("Description"))
    accepts_tickets = BooleanField(_l("Takes tickets even when it has sub-categories"))
    default_priority = SelectField(_l("Default priority"))
    default_scope = SelectField(_l("Default visibility"))
    assignment_algorithm = SelectField(_l("Assignment of new tickets"))
    expiry_days = StringField(_l("Days before a closed ticket expires (empty: inherited)"))
    monitoring_email = EmailField(_l("Extra address"))
    monitoring_email_level = SelectField(
        _l("When the extra address is told"), choices=choices(ADDRESS_LEVELS)
    )
    submit = SubmitField(_l("Save the category"))

    FIELDS = (
        "label",
        "description",
        "accepts_tickets",
        "default_priority",
        "default_scope",
        "assignment_algorithm",
        "expiry_days",
        "monitoring_email",
        "monitoring_email_level",
    )
    DEFAULTS = {
        "default_priority": PRIORITIES,
        "default_scope": SCOPES,
        "assignment_algorithm": ALGORITHMS,
    }

    def __init__(self, formdata=None, inherited: dict | None = None, **kwargs):
        """``inherited``: for each default, how the « inherited » choice reads."""
        super().__init__(formdata, **kwargs)
        for name, pairs in self.DEFAULTS.items():
            label = (inherited or {}).get(name, INHERITED)
            self[name].choices = _inheriting(pairs, label)

    @classmethod
    def of(cls, category, inherited: dict | None = None):
        data = {
            name: getattr(category, name)
            if name == "accepts_tickets"
            else _text(getattr(category, name))
            for name in cls.FIELDS
        }
        return cls(inherited=inherited, **data)

    def values(self) -> dict:
        return {name: self[name].data for name in self.FIELDS}


class NewCategoryForm(CategoryForm):
    PREFIX = "hd-new-category"

    # The domain says when the parent is not one of the service's categories.
    parent = SelectField(_l("Parent category"), validate_choice=False)
    submit = SubmitField(_l("Add the category"))
    # The extra address is set on the category's own page, once it exists.
    monitoring_email = monitoring_email_level = None
    FIELDS = tuple(
        name
        for name in CategoryForm.FIELDS
        if name not in ("monitoring_email", "monitoring_email_level")
    )

    def __init__(self, formdata=None, parents=(), **kwargs):
        super().__init__(formdata, **kwargs)
        self.parent.choices = choices([("", _l("None: at the root of the service")), *parents])

    def values(self) -> dict:
        return {**super().values(), "parent_id": self.parent.data}


class MoveCategoryForm(_Form):
    PREFIX = "hd-move"

    parent = SelectField(_l("Put it under"), validate_choice=False)
    submit = SubmitField(_l("Move the category"))

    def __init__(self, formdata=None, parents=(), **kwargs):
        super().__init__(formdata, **kwargs)
        self.parent.choices = choices([("", _l("None: at the root of the service")), *parents])


class MemberForm(_Form):
    PREFIX = "hd-member"

    member = SelectField(_l("Manager to add to the members"), validate_choice=False)
    submit = SubmitField(_l("Add to the members"))

    def __init__(self, formdata=None, candidates=(), **kwargs):
        super().__init__(formdata, **kwargs)
        self.member.choices = choices(candidates)


class RemoveMemberForm(HdForm):
    """« Retirer »: one small form per member."""

    member = HiddenField()


class ManagerForm(_Form):
    PREFIX = "hd-manager"

    uid = StringField(_l("Identifier (CAS uid) of the new manager"))
    submit = SubmitField(_l("Add the manager"))


class RightsForm(_Form):
    PREFIX = "hd-rights"

    rights = SelectMultipleField(
        _l("Rights"),
        choices=choices((right.value, right.label) for right in Right),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    submit = SubmitField(_l("Save the rights"))

    @classmethod
    def of(cls, manager):
        return cls(rights=sorted(right.value for right in manager.rights))


class AdministratorForm(_Form):
    PREFIX = "hd-administrator"

    uid = StringField(_l("Identifier (CAS uid) of the new administrator"))
    submit = SubmitField(_l("Add the administrator"))


class DirectionForm(HdForm):
    """« Monter » / « Descendre »: the button pressed says which."""

    direction = HiddenField()
