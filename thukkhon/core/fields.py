"""Form fields for Thai data: B.E. dates, ID numbers and addresses with cascading selects.

Dates are typed and shown in the Buddhist Era (dd/mm/yyyy, e.g. 05/03/2568) in both languages:
a form is where a mistyped year does harm, and staff switch languages; B.E. is what is written on
Thai documents. (Read-only pages show C.E. in English: see ``templatetags/thai.py``.)
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from thukkhon.core import address
from thukkhon.core.address_views import PLACEHOLDERS
from thukkhon.core.thai import format_thai_date, national_id_error, normalize_national_id, parse_be_date

# --- Dates ---------------------------------------------------------------------------------------------


class BEDateInput(forms.DateInput):
    """A text input showing a date as dd/mm/yyyy in the Buddhist Era."""

    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        defaults = {"placeholder": _("dd/mm/yyyy (B.E.)"), "inputmode": "numeric", "autocomplete": "off"}
        super().__init__(attrs={**defaults, **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, date):
            return format_thai_date(value, "numeric")
        return value or None


class BEDateField(forms.DateField):
    """A date typed as dd/mm/yyyy (also d/m/yyyy, with dashes or Thai digits) in the Buddhist Era."""

    widget = BEDateInput
    default_error_messages = {
        "invalid": _("Enter the date as day/month/year in the Buddhist Era, e.g. 05/03/2568."),
    }

    def to_python(self, value: Any) -> date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        try:
            return parse_be_date(value)
        except ValueError as error:
            raise ValidationError(str(error), code="invalid") from None

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return self.to_python(data) != self.to_python(initial)
        except ValidationError:
            return True


# --- ID numbers ------------------------------------------------------------------------------------------


def clean_id_number(value: str, id_kind: str) -> str:
    """The number as stored: digits only for 13-digit numbers, upper case without spaces or dashes
    for other documents, empty for none. Raises ValidationError with the reason."""
    error = national_id_error(value, id_kind)
    if error:
        raise ValidationError(error, code="invalid_id")
    if id_kind in ("thai", "non_thai"):
        return normalize_national_id(value)
    if id_kind == "passport":
        return "".join((value or "").split()).replace("-", "").upper()
    return ""


def validate_thai_national_id(value: str) -> None:
    """A validator for model and form fields that hold a Thai national ID."""
    if value:
        clean_id_number(value, "thai")


class NationalIdField(forms.CharField):
    """A 13-digit ID typed with or without dashes and spaces; cleaned to 13 digits.

    ``id_kind`` is "thai" (default) or "non_thai". When the kind is another field of the form, use
    a plain field and call :func:`clean_id_number` in the form's ``clean()``."""

    def __init__(self, *, id_kind: str = "thai", **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("label", _("National ID number"))
        super().__init__(**kwargs)
        self.id_kind = id_kind
        self.widget.attrs.setdefault("inputmode", "numeric")
        self.widget.attrs.setdefault("placeholder", "x-xxxx-xxxxx-xx-x")

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        return clean_id_number(value, self.id_kind) if value else ""


# --- Addresses -----------------------------------------------------------------------------------------

ADDRESS_LABELS = {
    "changwat": _("changwat"),
    "amphoe": _("amphoe"),
    "tambon": _("tambon"),
    "postcode": _("postcode"),
}

if TYPE_CHECKING:
    _FormBase = forms.BaseForm
else:
    _FormBase = object


class AddressFieldsMixin(_FormBase):
    """Gives a form (or a ModelForm of a ``ThaiAddress`` model) changwat → amphoe → tambon →
    postcode selects wired with htmx to the ``address:*`` endpoints, and checks them against the
    official list in ``clean()``. Put it before ``forms.Form`` / ``forms.ModelForm``::

        class HouseholdForm(AddressFieldsMixin, forms.ModelForm): ...

    Render with ``{% include "core/address/fields.html" with form=form %}`` or field by field.
    """

    address_required = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        add_address_fields(self, required=self.address_required)

    @property
    def address_bound_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in address.ADDRESS_FIELDS]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        clean_address_fields(self, cleaned)
        return cleaned


def _current(form: forms.BaseForm, name: str) -> str:
    if form.is_bound:
        return str(form.data.get(form.add_prefix(name), "") or "")
    value = form.initial.get(name)
    if value is None and name in form.fields:
        value = form.fields[name].initial
    return str(value or "")


def _with_current(
    choices: list[tuple[str, str]], current: str, placeholder: object
) -> list[tuple[str, object]]:
    options: list[tuple[str, object]] = [("", placeholder)]
    options.extend(choices)
    if current and current not in {value for value, _label in choices}:
        options.append((current, current))  # an old or mistyped value stays visible until corrected
    return options


def add_address_fields(form: forms.BaseForm, *, required: bool = False) -> None:
    """Put (or replace) the four address selects on ``form``, changwat first, with their choices
    for the values the form holds, and the htmx attributes that refill them."""
    values = {name: _current(form, name) for name in address.ADDRESS_FIELDS}
    choices = {
        "changwat": address.changwat_choices(),
        "amphoe": address.amphoe_choices(values["changwat"]) if values["changwat"] else [],
        "tambon": address.tambon_choices(values["changwat"], values["amphoe"]) if values["amphoe"] else [],
        "postcode": [
            (code, code) for code in address.postcodes(values["changwat"], values["amphoe"], values["tambon"])
        ],
    }
    new_fields = {}
    for name in address.ADDRESS_FIELDS:
        old = form.fields.get(name)
        new_fields[name] = forms.CharField(
            label=old.label if old is not None and old.label else ADDRESS_LABELS[name],
            required=required,
            widget=forms.Select(choices=_with_current(choices[name], values[name], PLACEHOLDERS[name])),
        )
    # Keep the form's field order, with the four together where the first of them was.
    names = list(form.fields)
    at = min((names.index(n) for n in address.ADDRESS_FIELDS if n in names), default=len(names))
    before = [n for n in names[:at] if n not in new_fields]
    after = [n for n in names[at:] if n not in new_fields]
    old_fields = form.fields
    form.fields = {
        **{n: old_fields[n] for n in before},
        **new_fields,
        **{n: old_fields[n] for n in after},
    }

    ids = {name: form[name].auto_id or name for name in address.ADDRESS_FIELDS}
    wiring = {
        "changwat": ("address:amphoes", "amphoe", [], ["tambon", "postcode"]),
        "amphoe": ("address:tambons", "tambon", ["changwat"], ["postcode"]),
        "tambon": ("address:postcodes", "postcode", ["changwat", "amphoe"], []),
    }
    for name, (url_name, target, include, reset) in wiring.items():
        attrs = form.fields[name].widget.attrs
        attrs.update(
            {
                "hx-get": reverse(url_name),
                "hx-target": f"#{ids[target]}",
                "hx-swap": "innerHTML",
                "hx-trigger": "change",
            }
        )
        if include:
            attrs["hx-include"] = ", ".join(f"#{ids[n]}" for n in include)
        if reset:
            attrs["hx-vals"] = json.dumps({"reset": " ".join(f"{ids[n]}:{n}" for n in reset)})


def clean_address_fields(form: forms.BaseForm, cleaned: dict[str, Any]) -> None:
    """Check the four address fields together; put the official spelling into ``cleaned`` and an
    error on each wrong field."""
    if not all(name in cleaned for name in address.ADDRESS_FIELDS):
        return  # a field already failed on its own
    values = {name: cleaned.get(name) or "" for name in address.ADDRESS_FIELDS}
    errors = address.address_errors(**values)
    for name, message in errors.items():
        form.add_error(name, message)
    if not errors:
        cleaned.update(address.normalize_address(**values))
