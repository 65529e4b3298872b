"""The FAQ's forms: an entry (with a preview of its text), where it goes, and the
confirmation of its deletion. The domain (models/faq/) checks every value and says
what is wrong beside the field."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.widgets import CheckboxInput, ListWidget

from models.enums import FaqVisibility

from .base import HdForm, choices

NO_PARENT = _l("None: at the top of the FAQ")


class EntryForm(HdForm):
    title = StringField(_l("Title"))
    body = TextAreaField(_l("Text"))
    visibility = SelectField(_l("Who may read it"), validate_choice=False)
    categories = SelectMultipleField(
        _l("Show it when a ticket is filed in these categories"),
        validate_choice=False,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    preview = SubmitField(_l("Preview"))
    submit = SubmitField(_l("Save the entry"))

    def __init__(self, formdata=None, *, department=None, category_choices=(), **kwargs):
        super().__init__(formdata, **kwargs)
        self.visibility.choices = choices(
            (v.value, v.label)
            for v in FaqVisibility
            if department is not None or v is not FaqVisibility.DEPARTMENT
        )
        self.categories.choices = choices((c.id, label) for c, label in category_choices)

    @classmethod
    def of(cls, entry, **kwargs):
        return cls(
            title=entry.title,
            body=entry.body,
            visibility=entry.visibility.value,
            categories=[str(category.id) for category in entry.categories],
            department=entry.department,
            **kwargs,
        )

    def values(self) -> dict:
        return {
            "title": self.title.data,
            "body": self.body.data,
            "visibility": self.visibility.data,
            "category_ids": self.categories.data or [],
        }


class NewEntryForm(EntryForm):
    # The domain says when the parent is not an entry of the same FAQ.
    parent = SelectField(_l("Put it under"), validate_choice=False)
    submit = SubmitField(_l("Add the entry"))

    def __init__(self, formdata=None, *, parents=(), **kwargs):
        super().__init__(formdata, **kwargs)
        self.parent.choices = choices([("", NO_PARENT), *parents])

    def values(self) -> dict:
        return {**super().values(), "parent_id": self.parent.data}


class MoveEntryForm(HdForm):
    parent = SelectField(_l("Put it under"), validate_choice=False)
    submit = SubmitField(_l("Move the entry"))

    def __init__(self, formdata=None, *, parents=(), **kwargs):
        kwargs.setdefault("prefix", "hd-move")
        super().__init__(formdata, **kwargs)
        self.parent.choices = choices([("", NO_PARENT), *parents])
