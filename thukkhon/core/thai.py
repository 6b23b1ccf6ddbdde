"""Thai primitives: national ID numbers, Buddhist Era dates, titles and Thai digits.

Pure functions: no database, no request. Messages are English source strings wrapped in gettext,
translated to Thai (the default language) in the project's message catalogue.

National ID numbers
    13 digits ``T-PPAA-SSSSS-NN-C``: person type, registry office (province, district), serial and a
    check digit ``C = (11 − Σ_{i=1..12} d_i × (14 − i) mod 11) mod 10``. The Department of Provincial
    Administration gives *every* 13-digit personal number this check digit, whatever the person type
    (types 1–5 Thai nationals, 6 and 7 people with temporary status and their children, 8 foreigners
    with residence or naturalised, 0 people without registration status). So the check digit is
    required for Thai IDs and for non-Thai 13-digit numbers alike: a typo is caught either way.
    Twelve identical digits followed by their check digit (``1-1111-11111-11-9``) are refused too:
    they are what people type when they do not know the number.
    People without a 13-digit number are still registrable with ``id_kind`` "passport" (any
    document number, 5–20 letters or digits) or "none".

Masking
    ``mask_national_id`` keeps the person type (first digit) and the last three digits, which is what
    a caller reading the number back needs, and hides the registry office and serial:
    ``1-1120-34563-56-2`` → ``1-xxxx-xxxxx-56-2``. Other document numbers keep their last three
    characters: ``AB1234567`` → ``xxxxxx567``.

Buddhist Era
    B.E. = C.E. + 543. Until B.E. 2483 the Thai year began on 1 April, so 1 January–31 March of a
    C.E. year before 1941 belongs to the previous B.E. year (C.E. + 542); B.E. 2483 was cut short and
    ended on 31 December 1940, and B.E. 2484 began on 1 January 1941. ``parse_be_date`` reverses
    this exactly for every date ``be_year`` produces; for January–March of B.E. 2483 (a span that
    did not exist) it assumes the modern reckoning (C.E. + 543), as many records do.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# --- Digits ------------------------------------------------------------------------------------------

_TO_THAI = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
_TO_ARABIC = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def thai_digits(text: object) -> str:
    """Arabic digits to Thai digits: ``"2568"`` → ``"๒๕๖๘"``; other characters are kept."""
    return str(text).translate(_TO_THAI)


def arabic_digits(text: object) -> str:
    """Thai digits to Arabic digits: ``"๒๕๖๘"`` → ``"2568"``; other characters are kept."""
    return str(text).translate(_TO_ARABIC)


# --- National ID -------------------------------------------------------------------------------------

ID_KINDS = ("thai", "non_thai", "passport", "none")
_NON_THAI_FIRST_DIGITS = frozenset("0678")
_DOCUMENT_RE = re.compile(r"^[A-Za-z0-9]{5,20}$")


def national_id_check_digit(first12: str) -> int:
    """The check digit for the first twelve digits of a 13-digit personal number."""
    digits = arabic_digits(first12)
    if len(digits) != 12 or not digits.isascii() or not digits.isdigit():
        raise ValueError("twelve digits are needed")
    total = sum(int(d) * (13 - i) for i, d in enumerate(digits))
    return (11 - total % 11) % 10


def normalize_national_id(text: object) -> str:
    """Digits only (Thai digits become Arabic): ``"1-1120 34563-56-2"`` → ``"1112034563562"``.
    Anything else (spaces, dashes, dots, letters) is dropped."""
    return "".join(ch for ch in arabic_digits(str(text or "")) if ch.isascii() and ch.isdigit())


def _has_valid_check_digit(digits: str) -> bool:
    return len(digits) == 13 and digits.isdigit() and national_id_check_digit(digits[:12]) == int(digits[12])


def is_placeholder_id(digits: str) -> bool:
    """Twelve identical digits (``1-1111-11111-11-9``): typed when the real number is not known.
    Such a number passes the check digit but is never issued, so it is refused."""
    return len(set(digits[:12])) == 1


def is_valid_thai_national_id(text: object) -> bool:
    """13 digits, person type 1–8 and a correct check digit (separators are ignored); a
    placeholder of twelve identical digits is not valid."""
    raw = str(text or "")
    if re.search(r"[^0-9๐-๙\s\-]", raw):
        return False
    digits = normalize_national_id(raw)
    return _has_valid_check_digit(digits) and digits[0] in "12345678" and not is_placeholder_id(digits)


def national_id_error(text: object, id_kind: str = "thai") -> str | None:
    """Why ``text`` is not a valid number for ``id_kind`` ("thai", "non_thai", "passport", "none"),
    in the active language, or None when it is valid."""
    raw = str(text or "").strip()
    if id_kind == "none":
        return None if not raw else _("Leave the number empty when the person has no identity document.")
    if id_kind == "passport":
        document = re.sub(r"[\s\-]", "", raw)
        if not _DOCUMENT_RE.match(document):
            return _("Enter the document number: 5 to 20 letters or digits.")
        return None
    if id_kind not in ("thai", "non_thai"):
        return _("Unknown kind of identity document.")
    if not raw:
        return _("Enter the 13-digit ID number.")
    if re.search(r"[^0-9๐-๙\s\-]", raw):
        return _("An ID number has digits only.")
    digits = normalize_national_id(raw)
    if len(digits) != 13:
        return _("An ID number has 13 digits; this one has %(count)d.") % {"count": len(digits)}
    if id_kind == "thai" and digits[0] not in "12345678":
        return _("A Thai national ID starts with a digit from 1 to 8.")
    if id_kind == "non_thai" and digits[0] not in _NON_THAI_FIRST_DIGITS:
        return _("A non-Thai ID number starts with 0, 6, 7 or 8.")
    if not _has_valid_check_digit(digits):
        return _("The last digit does not match the other twelve: check the number again.")
    if is_placeholder_id(digits):
        return _("This is a placeholder, not a real ID number: choose “No identity document” instead.")
    return None


def _as_13_digits(text: str) -> str | None:
    if re.search(r"[^0-9๐-๙\s\-]", text):
        return None
    digits = normalize_national_id(text)
    return digits if len(digits) == 13 else None


def format_national_id(text: object) -> str:
    """``"1112034563562"`` → ``"1-1120-34563-56-2"``; anything that is not 13 digits is returned as
    given (stripped)."""
    raw = str(text or "").strip()
    d = _as_13_digits(raw)
    if d is None:
        return raw
    return f"{d[0]}-{d[1:5]}-{d[5:10]}-{d[10:12]}-{d[12]}"


def normalize_phone(text: object) -> str:
    """``"081-234 5678"`` → ``"0812345678"``: spaces and dashes dropped, nothing else changed."""
    return str(text or "").strip().replace("-", "").replace(" ", "")


def phone_error(text: object) -> str | None:
    """None for an empty or a valid Thai phone number (9 or 10 digits starting with 0)."""
    phone = normalize_phone(text)
    if phone and not (phone.isdigit() and 9 <= len(phone) <= 10 and phone.startswith("0")):
        return _("A Thai phone number has 9 or 10 digits and starts with 0.")
    return None


def mask_national_id(text: object) -> str:
    """``"1112034563562"`` → ``"1-xxxx-xxxxx-56-2"`` (first digit and last three digits shown).
    Another document number keeps its last three characters; empty stays empty."""
    raw = str(text or "").strip()
    d = _as_13_digits(raw)
    if d is not None:
        return f"{d[0]}-xxxx-xxxxx-{d[10:12]}-{d[12]}"
    compact = re.sub(r"[\s\-]", "", raw)
    if len(compact) <= 3:
        return "x" * len(compact)
    return "x" * (len(compact) - 3) + compact[-3:]


# --- Buddhist Era --------------------------------------------------------------------------------------

THAI_MONTHS = (
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
)
THAI_MONTHS_SHORT = (
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
)
BE_OFFSET = 543
#: The first C.E. year whose January–March already counts in the new B.E. year (B.E. 2484).
NEW_YEAR_ON_1_JANUARY_FROM = 1941
#: B.E. years accepted by :func:`parse_be_date`.
BE_YEAR_MIN, BE_YEAR_MAX = 2400, 2799

DATE_STYLES = ("long", "short", "numeric")


def be_year(d: date) -> int:
    """The Buddhist Era year of a date, with the pre-1941 rule (1 January–31 March: C.E. + 542)."""
    if d.year < NEW_YEAR_ON_1_JANUARY_FROM and d.month <= 3:
        return d.year + BE_OFFSET - 1
    return d.year + BE_OFFSET


def ce_year(be: int, month: int) -> int:
    """The C.E. year of a month of a B.E. year (the inverse of :func:`be_year`)."""
    if month <= 3 and be < NEW_YEAR_ON_1_JANUARY_FROM + BE_OFFSET - 1:  # Jan–Mar up to B.E. 2482
        return be - BE_OFFSET + 1
    return be - BE_OFFSET


def format_thai_date(d: date | None, style: str = "long") -> str:
    """A date in Thai with the B.E. year: ``long`` "5 มีนาคม 2568", ``short`` "5 มี.ค. 68",
    ``numeric`` "05/03/2568". None gives ""."""
    if d is None:
        return ""
    if isinstance(d, datetime):
        d = _local(d).date()
    year = be_year(d)
    if style == "long":
        return f"{d.day} {THAI_MONTHS[d.month - 1]} {year}"
    if style == "short":
        return f"{d.day} {THAI_MONTHS_SHORT[d.month - 1]} {year % 100:02d}"
    if style == "numeric":
        return f"{d.day:02d}/{d.month:02d}/{year}"
    raise ValueError(f"unknown date style {style!r}; use one of {DATE_STYLES}")


def _local(dt: datetime) -> datetime:
    return timezone.localtime(dt) if timezone.is_aware(dt) else dt


def format_thai_datetime(dt: datetime | None, style: str = "long") -> str:
    """A date and time in Thai, in the current time zone: "5 มีนาคม 2568 14:30 น."
    (``numeric``: "05/03/2568 14:30")."""
    if dt is None:
        return ""
    dt = _local(dt)
    day = format_thai_date(dt.date(), style)
    if style == "numeric":
        return f"{day} {dt:%H:%M}"
    return f"{day} {dt:%H:%M} น."


_DATE_RE = re.compile(r"^\s*(\d{1,2})\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*(\d+)\s*$")


def parse_be_date(text: object) -> date:
    """``"05/03/2568"`` (also "5/3/2568", "5-3-2568", "๕/๓/๒๕๖๘") → ``date(2025, 3, 5)``.

    Raises ValueError with a message in the active language for anything else."""
    raw = arabic_digits(str(text or "")).strip()
    if not raw:
        raise ValueError(_("Enter a date."))
    match = _DATE_RE.match(raw)
    if match is None:
        raise ValueError(_("Enter the date as day/month/year in the Buddhist Era, e.g. 05/03/2568."))
    day, month, year = (int(part) for part in match.groups())
    if len(match.group(3)) != 4:
        raise ValueError(_("Enter the year with four digits in the Buddhist Era, e.g. 2568."))
    if year < BE_YEAR_MIN:
        raise ValueError(
            _("Use the Buddhist Era year: %(year)d C.E. is %(be)d B.E.")
            % {"year": year, "be": year + BE_OFFSET}
        )
    if year > BE_YEAR_MAX:
        raise ValueError(_("The year %(year)d is too far in the future.") % {"year": year})
    if not 1 <= month <= 12:
        raise ValueError(_("There is no month %(month)d: use 1 to 12.") % {"month": month})
    ce = ce_year(year, month)
    days = calendar.monthrange(ce, month)[1]
    if not 1 <= day <= days:
        raise ValueError(
            _("There is no day %(day)d: month %(month)d of %(year)d has %(days)d days.")
            % {"day": day, "month": month, "year": year, "days": days}
        )
    return date(ce, month, day)


# --- Titles ---------------------------------------------------------------------------------------------

CHILD_AGE_LIMIT = 15


@dataclass(frozen=True, slots=True)
class Title:
    """A title (คำนำหน้านาม) as written before a name (``value``) and in full (``full``)."""

    value: str
    full: str
    group: str
    min_age: int | None = None
    max_age: int | None = None  # exclusive

    def allowed_at(self, age: int | None) -> bool:
        if age is None:
            return True
        if self.min_age is not None and age < self.min_age:
            return False
        return not (self.max_age is not None and age >= self.max_age)


_A = CHILD_AGE_LIMIT
TITLE_GROUPS = {
    "common": gettext_lazy("Common titles"),
    "monastic": gettext_lazy("Monastic"),
    "academic": gettext_lazy("Academic and professional"),
    "military": gettext_lazy("Military"),
    "police": gettext_lazy("Police"),
    "royal": gettext_lazy("Royal lineage"),
}
TITLES: tuple[Title, ...] = (
    Title("ด.ช.", "เด็กชาย", "common", max_age=_A),
    Title("ด.ญ.", "เด็กหญิง", "common", max_age=_A),
    Title("นาย", "นาย", "common", min_age=_A),
    Title("นาง", "นาง", "common", min_age=_A),
    Title("นางสาว", "นางสาว", "common", min_age=_A),
    Title("พระ", "พระภิกษุ", "monastic", min_age=20),
    Title("สามเณร", "สามเณร", "monastic", min_age=7),
    Title("แม่ชี", "แม่ชี", "monastic", min_age=_A),
    Title("ดร.", "ดอกเตอร์", "academic", min_age=_A),
    Title("ศ.", "ศาสตราจารย์", "academic", min_age=_A),
    Title("รศ.", "รองศาสตราจารย์", "academic", min_age=_A),
    Title("ผศ.", "ผู้ช่วยศาสตราจารย์", "academic", min_age=_A),
    Title("นพ.", "นายแพทย์", "academic", min_age=_A),
    Title("พญ.", "แพทย์หญิง", "academic", min_age=_A),
    Title("ทพ.", "ทันตแพทย์", "academic", min_age=_A),
    Title("ทพญ.", "ทันตแพทย์หญิง", "academic", min_age=_A),
    Title("ภก.", "เภสัชกร", "academic", min_age=_A),
    Title("ภญ.", "เภสัชกรหญิง", "academic", min_age=_A),
    Title("พล.อ.", "พลเอก", "military", min_age=_A),
    Title("พล.ท.", "พลโท", "military", min_age=_A),
    Title("พล.ต.", "พลตรี", "military", min_age=_A),
    Title("พ.อ.", "พันเอก", "military", min_age=_A),
    Title("พ.ท.", "พันโท", "military", min_age=_A),
    Title("พ.ต.", "พันตรี", "military", min_age=_A),
    Title("ร.อ.", "ร้อยเอก", "military", min_age=_A),
    Title("ร.ท.", "ร้อยโท", "military", min_age=_A),
    Title("ร.ต.", "ร้อยตรี", "military", min_age=_A),
    Title("ว่าที่ ร.ต.", "ว่าที่ร้อยตรี", "military", min_age=_A),
    Title("จ.ส.อ.", "จ่าสิบเอก", "military", min_age=_A),
    Title("จ.ส.ท.", "จ่าสิบโท", "military", min_age=_A),
    Title("จ.ส.ต.", "จ่าสิบตรี", "military", min_age=_A),
    Title("ส.อ.", "สิบเอก", "military", min_age=_A),
    Title("ส.ท.", "สิบโท", "military", min_age=_A),
    Title("ส.ต.", "สิบตรี", "military", min_age=_A),
    Title("พลฯ", "พลทหาร", "military", min_age=_A),
    Title("พล.ต.อ.", "พลตำรวจเอก", "police", min_age=_A),
    Title("พล.ต.ท.", "พลตำรวจโท", "police", min_age=_A),
    Title("พล.ต.ต.", "พลตำรวจตรี", "police", min_age=_A),
    Title("พ.ต.อ.", "พันตำรวจเอก", "police", min_age=_A),
    Title("พ.ต.ท.", "พันตำรวจโท", "police", min_age=_A),
    Title("พ.ต.ต.", "พันตำรวจตรี", "police", min_age=_A),
    Title("ร.ต.อ.", "ร้อยตำรวจเอก", "police", min_age=_A),
    Title("ร.ต.ท.", "ร้อยตำรวจโท", "police", min_age=_A),
    Title("ร.ต.ต.", "ร้อยตำรวจตรี", "police", min_age=_A),
    Title("ด.ต.", "ดาบตำรวจ", "police", min_age=_A),
    Title("จ.ส.ต.อ.", "จ่าสิบตำรวจ", "police", min_age=_A),
    Title("ส.ต.อ.", "สิบตำรวจเอก", "police", min_age=_A),
    Title("ส.ต.ท.", "สิบตำรวจโท", "police", min_age=_A),
    Title("ส.ต.ต.", "สิบตำรวจตรี", "police", min_age=_A),
    Title("ม.จ.", "หม่อมเจ้า", "royal"),
    Title("ม.ร.ว.", "หม่อมราชวงศ์", "royal"),
    Title("ม.ล.", "หม่อมหลวง", "royal"),
)
_TITLE_BY_NAME: dict[str, Title] = {}
for _t in TITLES:
    _TITLE_BY_NAME.setdefault(_t.full.replace(" ", ""), _t)
for _t in TITLES:
    _TITLE_BY_NAME[_t.value.replace(" ", "")] = _t  # an abbreviation wins over a full form

#: Grouped choices for a form field: ``[(group label, [(value, "value — full"), …]), …]``.
TITLE_CHOICES: list[tuple[object, list[tuple[str, str]]]] = [
    (
        label,
        [
            (t.value, t.value if t.value == t.full else f"{t.value} ({t.full})")
            for t in TITLES
            if t.group == key
        ],
    )
    for key, label in TITLE_GROUPS.items()
]


def find_title(text: str) -> Title | None:
    """The known title written as ``text`` (abbreviated or in full, spaces ignored), or None."""
    return _TITLE_BY_NAME.get((text or "").replace(" ", ""))


def age_on(birth_date: date, on: date) -> int:
    """Completed years of age on a day."""
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def titles_allowed(age: int | None) -> list[str]:
    """The titles (as written before a name) that fit an age in years; every title when the age is
    unknown. Under 15: ด.ช., ด.ญ. (and สามเณร from 7, royal lineage); from 15: นาย, นาง, นางสาว
    and the others."""
    return [t.value for t in TITLES if t.allowed_at(age)]


def title_error(title: str, birth_date: date | None, on: date | None = None) -> str | None:
    """Why ``title`` does not fit a person born on ``birth_date`` (age counted on ``on``, default
    today), or None. Blank titles, unknown titles and unknown birth dates are not errors."""
    known = find_title(title)
    if known is None or birth_date is None:
        return None
    age = age_on(birth_date, on or date.today())
    if known.allowed_at(age):
        return None
    if known.max_age is not None:
        return _("%(title)s is for children under %(age)d; this person is %(years)d.") % {
            "title": known.value,
            "age": known.max_age,
            "years": age,
        }
    return _("%(title)s is for people aged %(age)d or over; this person is %(years)d.") % {
        "title": known.value,
        "age": known.min_age,
        "years": age,
    }


# --- Sorting --------------------------------------------------------------------------------------------

_LEADING_VOWELS = "เแโใไ"


def thai_sort_key(text: str) -> str:
    """A key that sorts Thai words in dictionary order: a leading vowel (เ แ โ ใ ไ) is written
    before its consonant but sorts after it."""
    out: list[str] = []
    chars = list(text)
    i = 0
    while i < len(chars):
        if chars[i] in _LEADING_VOWELS and i + 1 < len(chars):
            out.extend((chars[i + 1], chars[i]))
            i += 2
        else:
            out.append(chars[i])
            i += 1
    return "".join(out)
