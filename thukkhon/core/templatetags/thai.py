"""Template filters for Thai dates, IDs and ages (a builtin: available in every template).

Dates follow the active language. In Thai (the default) they are shown in the Buddhist Era with
Thai month names: ``{{ d|be_date }}`` → "5 มีนาคม 2568", ``{{ d|be_date:"short" }}`` →
"5 มี.ค. 68", ``{{ d|be_date:"numeric" }}`` → "05/03/2568". In English they are shown in the
Common Era, as an English reader expects: "5 March 2025", "5 Mar 2025", "05/03/2025". Forms are
the exception: dates are always typed in B.E. (see ``thukkhon/core/fields.py``). Date-times are
shown in the current time zone (Asia/Bangkok by default).

``{{ resident|thai_age }}`` → "อายุ 72 ปี", or "อายุประมาณ 72 ปี" when the birth date is estimated
(the translations of "aged 72" / "aged about 72"); under one year old, in months.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from thukkhon.core import thai

register = template.Library()

_EN_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _english() -> bool:
    return (get_language() or "th").startswith("en")


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).date()
    if isinstance(value, date):
        return value
    return None


def format_english_date(d: date, style: str = "long") -> str:
    """A C.E. date in English: "5 March 2025", "5 Mar 2025", "05/03/2025"."""
    if style == "short":
        return f"{d.day} {_EN_MONTHS[d.month - 1][:3]} {d.year}"
    if style == "numeric":
        return f"{d.day:02d}/{d.month:02d}/{d.year}"
    return f"{d.day} {_EN_MONTHS[d.month - 1]} {d.year}"


@register.filter
def be_date(value: Any, style: str = "long") -> str:
    """A date (or a date-time's local date) in the active language: B.E. in Thai, C.E. in English."""
    d = _as_date(value)
    if d is None:
        return "" if value in (None, "") else str(value)
    if style not in thai.DATE_STYLES:
        style = "long"
    return format_english_date(d, style) if _english() else thai.format_thai_date(d, style)


@register.filter
def be_datetime(value: Any, style: str = "long") -> str:
    """A date-time in the current time zone: "5 มีนาคม 2568 14:30 น." / "5 March 2025 14:30"."""
    if not isinstance(value, datetime):
        return be_date(value, style)
    if style not in thai.DATE_STYLES:
        style = "long"
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    if _english():
        return f"{format_english_date(local.date(), style)} {local:%H:%M}"
    return thai.format_thai_datetime(local, style)


@register.filter
def national_id(value: Any) -> str:
    """ "1112034563562" → "1-1120-34563-56-2" (other numbers unchanged)."""
    return thai.format_national_id(value)


@register.filter
def masked_id(value: Any) -> str:
    """ "1112034563562" → "1-xxxx-xxxxx-56-2" (other documents: all but the last three hidden)."""
    return thai.mask_national_id(value)


@register.filter
def thai_digits(value: Any) -> str:
    """Arabic digits to Thai digits, for documents that use them."""
    return thai.thai_digits(value)


@register.filter
def thai_age(value: Any) -> str:
    """ "aged 72" (Thai "อายุ 72 ปี"), "aged about 72" when the birth date is estimated.

    Takes a resident-like object (``birth_date``, optional ``birth_date_estimated``; a deceased
    person's age is at ``status_date``), a birth date, or a number of years."""
    estimated = False
    if isinstance(value, int) and not isinstance(value, bool):
        years, months = value, None
    else:
        born = _as_date(value)
        on = date.today()
        if born is None and hasattr(value, "birth_date"):
            born = _as_date(value.birth_date)
            estimated = bool(getattr(value, "birth_date_estimated", False))
            if getattr(value, "status", "") == "deceased" and getattr(value, "status_date", None):
                on = value.status_date
        if born is None:
            return ""
        years = thai.age_on(born, on)
        months = (on.year - born.year) * 12 + on.month - born.month - (on.day < born.day)
    if years < 0:
        return ""
    if years < 1 and months is not None and not estimated:
        return ngettext("aged %(months)d month", "aged %(months)d months", months) % {"months": months}
    if estimated:
        return _("aged about %(age)d") % {"age": years}
    return _("aged %(age)d") % {"age": years}
