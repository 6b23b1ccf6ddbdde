"""Import of households with their residents from CSV or Excel (.xlsx).

One file format: one row per resident; the household's columns are repeated on every row of its
members. Rows belong to the same household when they share the house registration number
(เลขรหัสประจำบ้าน) or, for houses without one, the household key (รหัสครัวเรือน) — any text the file
uses to group rows. A row with neither is a household of its own.

The import has two steps that share this module:

1. :func:`check_file` reads the file and judges every row exactly as a form would (the services'
   ``household_errors`` and ``resident_errors``), plus file-level checks. It writes nothing and
   returns an :class:`ImportPlan`: what would be created or updated, and every problem by row (as
   Excel numbers it: the header is row 1) and column (letter and header).
2. :func:`apply_plan` writes the plan in one transaction through the services: all rows, or only the
   valid rows when the user chose so. Matching makes a re-import idempotent: residents by national
   ID within the municipality, households by registration number (or, without one, by the household
   of a matched member), residents without an ID by name within their matched household.

Dates are typed as day/month/year in the Buddhist Era (``15/03/2510``). An Excel date cell holds a
calendar date that Excel itself typed and stores in the Common Era, so it is taken as it is.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from thukkhon.core.actor import Actor
from thukkhon.core.address import normalize_address
from thukkhon.core.models import Municipality
from thukkhon.core.thai import format_thai_date, normalize_national_id, parse_be_date
from thukkhon.people.models import (
    Community,
    Household,
    IdKind,
    Relation,
    Religion,
    Resident,
    ResidentStatus,
    Sex,
)
from thukkhon.people.services import (
    HouseholdData,
    ResidentData,
    _resident_values,
    household_create,
    household_errors,
    household_update,
    resident_create,
    resident_errors,
    resident_update,
)

DEFAULT_MAX_ROWS = 20_000
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_INLINE_ROWS = 500
PREVIEW_ROWS = 20
MAX_STORED_PROBLEMS = 2_000


def max_rows() -> int:
    return int(getattr(settings, "THUKKHON_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS))


def max_bytes() -> int:
    return int(getattr(settings, "THUKKHON_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def inline_rows() -> int:
    """Files with at most this many rows are checked and imported during the request."""
    return int(getattr(settings, "THUKKHON_IMPORT_INLINE_ROWS", DEFAULT_INLINE_ROWS))


# --- The columns ---------------------------------------------------------------------------------------

HOUSEHOLD = "household"
RESIDENT = "resident"


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the Thai header written in the template
    alias: str  # the English header, also accepted
    level: str  # HOUSEHOLD or RESIDENT
    required: bool
    help: str  # what to write, in Thai (the template's second sheet)
    example: str
    other_names: tuple[str, ...] = ()


RELATION_WORDS: dict[str, str] = {
    "เจ้าบ้าน": Relation.OWNER,
    "คู่สมรส": Relation.SPOUSE,
    "สามี": Relation.SPOUSE,
    "ภรรยา": Relation.SPOUSE,
    "บุตร": Relation.CHILD,
    "ลูก": Relation.CHILD,
    "หลาน": Relation.GRANDCHILD,
    "บิดามารดา": Relation.PARENT,
    "บิดา": Relation.PARENT,
    "มารดา": Relation.PARENT,
    "พ่อ": Relation.PARENT,
    "แม่": Relation.PARENT,
    "พี่น้อง": Relation.SIBLING,
    "ญาติ": Relation.RELATIVE,
    "ผู้อาศัย": Relation.OTHER,
    "ไม่เกี่ยวข้อง": Relation.OTHER,
}
ID_KIND_WORDS: dict[str, str] = {
    "บัตรประชาชน": IdKind.THAI,
    "คนไทย": IdKind.THAI,
    "ต่างด้าว": IdKind.NON_THAI,
    "เลข13หลักต่างด้าว": IdKind.NON_THAI,
    "หนังสือเดินทาง": IdKind.PASSPORT,
    "เอกสารอื่น": IdKind.PASSPORT,
    "ไม่มีเอกสาร": IdKind.NONE,
    "ไม่มี": IdKind.NONE,
}
SEX_WORDS: dict[str, str] = {"ชาย": Sex.MALE, "หญิง": Sex.FEMALE, "m": Sex.MALE, "f": Sex.FEMALE}
RELIGION_WORDS: dict[str, str] = {
    "พุทธ": Religion.BUDDHISM,
    "ศาสนาพุทธ": Religion.BUDDHISM,
    "อิสลาม": Religion.ISLAM,
    "ศาสนาอิสลาม": Religion.ISLAM,
    "คริสต์": Religion.CHRISTIANITY,
    "ศาสนาคริสต์": Religion.CHRISTIANITY,
    "อื่นๆ": Religion.OTHER,
    "อื่น": Religion.OTHER,
}
STATUS_WORDS: dict[str, str] = {
    "มีชีวิต": ResidentStatus.ALIVE,
    "เสียชีวิต": ResidentStatus.DECEASED,
    "ตาย": ResidentStatus.DECEASED,
    "ย้ายออก": ResidentStatus.MOVED,
}
YES_WORDS = frozenset({"ใช่", "y", "yes", "true", "1", "x", "✓", "/"})
NO_WORDS = frozenset({"", "ไม่", "ไม่ใช่", "n", "no", "false", "0", "-"})

COLUMNS: tuple[Column, ...] = (
    Column(
        "registration_no",
        "เลขรหัสประจำบ้าน",
        "registration_no",
        HOUSEHOLD,
        False,
        "เลขรหัสประจำบ้าน 11 หลักตามทะเบียนบ้าน (ท.ร.14) แถวที่มีเลขเดียวกันคือบ้านเดียวกัน "
        "ถ้าบ้านไม่มีเลขนี้ ให้ใช้คอลัมน์รหัสครัวเรือนแทน",
        "51010012345",
    ),
    Column(
        "household_key",
        "รหัสครัวเรือน",
        "household_key",
        HOUSEHOLD,
        False,
        "รหัสใด ๆ ที่ใช้จัดกลุ่มแถวของบ้านที่ไม่มีเลขรหัสประจำบ้าน แถวที่มีรหัสเดียวกันคือบ้านเดียวกัน (ใช้เฉพาะในไฟล์นี้ ไม่บันทึกลงระบบ)",
        "H001",
    ),
    Column(
        "community", "ชุมชน", "community", HOUSEHOLD, True, "รหัสชุมชนหรือชื่อชุมชนภาษาไทยตามที่ลงทะเบียนไว้ในระบบ", "01"
    ),
    Column("house_no", "บ้านเลขที่", "house_no", HOUSEHOLD, True, "บ้านเลขที่ เช่น 12/3", "12/3"),
    Column("moo", "หมู่ที่", "moo", HOUSEHOLD, False, "หมู่ที่ (ถ้ามี) ตัวเลขเท่านั้น", "4"),
    Column("village", "หมู่บ้าน", "village", HOUSEHOLD, False, "ชื่อหมู่บ้านหรืออาคาร (ถ้ามี)", ""),
    Column("soi", "ซอย", "soi", HOUSEHOLD, False, "ชื่อซอย (ไม่ต้องพิมพ์คำว่า ซ.)", ""),
    Column("road", "ถนน", "road", HOUSEHOLD, False, "ชื่อถนน (ไม่ต้องพิมพ์คำว่า ถ.)", "อินทยงยศ"),
    Column("tambon", "ตำบล", "tambon", HOUSEHOLD, False, "ตำบลหรือแขวง ตามรายชื่อทางการ", "ในเมือง"),
    Column("amphoe", "อำเภอ", "amphoe", HOUSEHOLD, False, "อำเภอหรือเขต ตามรายชื่อทางการ", "เมืองลำพูน"),
    Column("changwat", "จังหวัด", "changwat", HOUSEHOLD, False, "จังหวัด", "ลำพูน"),
    Column("postcode", "รหัสไปรษณีย์", "postcode", HOUSEHOLD, False, "รหัสไปรษณีย์ 5 หลัก", "51000"),
    Column(
        "latitude",
        "ละติจูด",
        "latitude",
        HOUSEHOLD,
        False,
        "พิกัดละติจูดของบ้าน (ทศนิยม เช่น 18.5786) ใส่คู่กับลองจิจูด",
        "18.5786",
    ),
    Column(
        "longitude",
        "ลองจิจูด",
        "longitude",
        HOUSEHOLD,
        False,
        "พิกัดลองจิจูดของบ้าน (ทศนิยม เช่น 99.0087) ใส่คู่กับละติจูด",
        "99.0087",
    ),
    Column(
        "relation_to_owner",
        "ความสัมพันธ์กับเจ้าบ้าน",
        "relation_to_owner",
        RESIDENT,
        True,
        "หนึ่งใน: " + ", ".join(dict.fromkeys(RELATION_WORDS)),
        "เจ้าบ้าน",
        ("relation",),
    ),
    Column(
        "id_kind",
        "ประเภทเอกสาร",
        "id_kind",
        RESIDENT,
        False,
        "บัตรประชาชน (ค่าเริ่มต้นเมื่อมีเลข), ต่างด้าว (เลข 13 หลักของคนที่ไม่มีสัญชาติไทย), "
        "หนังสือเดินทาง, ไม่มีเอกสาร (ค่าเริ่มต้นเมื่อไม่มีเลข)",
        "บัตรประชาชน",
    ),
    Column(
        "national_id",
        "เลขประจำตัวประชาชน",
        "national_id",
        RESIDENT,
        False,
        "เลข 13 หลัก (มีหรือไม่มีขีดก็ได้) หรือเลขหนังสือเดินทาง เว้นว่างได้ถ้าไม่มีเอกสาร",
        "1-5101-00123-45-1",
        ("เลขบัตรประชาชน",),
    ),
    Column("title", "คำนำหน้า", "title", RESIDENT, False, "เช่น ด.ช. ด.ญ. นาย นาง นางสาว", "นาง"),
    Column("first_name", "ชื่อ", "first_name", RESIDENT, True, "ชื่อจริง", "บัวผัน"),
    Column("last_name", "นามสกุล", "last_name", RESIDENT, False, "นามสกุล", "ใจดี"),
    Column("nickname", "ชื่อเล่น", "nickname", RESIDENT, False, "ชื่อเล่น (ถ้ามี)", ""),
    Column("sex", "เพศ", "sex", RESIDENT, False, "ชาย หรือ หญิง (เว้นว่างได้)", "หญิง"),
    Column(
        "birth_date",
        "วันเกิด (วว/ดด/ปปปป พ.ศ.)",
        "birth_date",
        RESIDENT,
        False,
        "วัน/เดือน/ปี พ.ศ. เช่น 15/03/2490 (ถ้าเป็นเซลล์วันที่ของ Excel จะถือตามปฏิทินของ Excel)",
        "15/03/2490",
        ("วันเกิด", "วันเดือนปีเกิด"),
    ),
    Column(
        "birth_date_estimated",
        "วันเกิดโดยประมาณ",
        "birth_date_estimated",
        RESIDENT,
        False,
        "ใส่ ใช่ ถ้าทราบเพียงปีเกิดโดยประมาณ",
        "",
    ),
    Column(
        "phone",
        "โทรศัพท์",
        "phone",
        RESIDENT,
        False,
        "เบอร์โทร 9–10 หลัก ขึ้นต้นด้วย 0",
        "0812345678",
        ("เบอร์โทรศัพท์",),
    ),
    Column("line_id", "ไลน์ไอดี", "line_id", RESIDENT, False, "LINE ID (ถ้ามี)", "", ("line id",)),
    Column("religion", "ศาสนา", "religion", RESIDENT, False, "พุทธ, อิสลาม, คริสต์, อื่น ๆ (เว้นว่างได้)", "พุทธ"),
    Column("status", "สถานะ", "status", RESIDENT, False, "มีชีวิต (ค่าเริ่มต้น), เสียชีวิต, ย้ายออก", "มีชีวิต"),
    Column(
        "status_date",
        "วันที่เสียชีวิตหรือย้ายออก (วว/ดด/ปปปป พ.ศ.)",
        "status_date",
        RESIDENT,
        False,
        "ต้องใส่เมื่อสถานะเป็นเสียชีวิตหรือย้ายออก รูปแบบ วว/ดด/ปปปป พ.ศ.",
        "",
        ("วันที่เสียชีวิตหรือย้ายออก",),
    ),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
HOUSEHOLD_FIELDS = (
    "community",
    "house_no",
    "moo",
    "village",
    "soi",
    "road",
    "tambon",
    "amphoe",
    "changwat",
    "postcode",
    "latitude",
    "longitude",
)
HOUSEHOLD_KEYS = frozenset(c.key for c in COLUMNS if c.level == HOUSEHOLD)


def _norm_header(text: object) -> str:
    value = str(text or "").replace("\ufeff", "").replace("\u00a0", " ")
    return re.sub(r"\s+", " ", value).strip().casefold()


def _header_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for c in COLUMNS:
        for name in (c.header, c.alias, c.key, *c.other_names):
            index[_norm_header(name)] = c.key
            # "วันเกิด (วว/ดด/ปปปป พ.ศ.)" is also recognised as "วันเกิด".
            index.setdefault(_norm_header(re.sub(r"\s*\(.*\)\s*$", "", name)), c.key)
    return index


HEADER_INDEX = _header_index()


# --- Problems and the plan -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One problem: a row as Excel numbers it (None for the whole file), a column (letter and
    header, or empty), and a message in the user's language."""

    row: int | None
    column: str
    header: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "header": self.header, "message": self.message}


class ImportFileError(Exception):
    """The file cannot be read at all (type, size, encoding): nothing of it is checked."""


@dataclass
class Table:
    """The cells of the first sheet: the header row and the data rows with their Excel numbers."""

    headers: list[str]
    rows: list[tuple[int, list[Any]]]


@dataclass
class RowPlan:
    number: int
    data: ResidentData
    existing: Resident | None
    problems: list[Problem] = field(default_factory=list)
    display: dict[str, Any] = field(default_factory=dict)
    changed: bool = True  # False: the resident exists with exactly these values

    @property
    def valid(self) -> bool:
        return not self.problems


@dataclass
class GroupPlan:
    key: str
    data: HouseholdData
    existing: Household | None
    rows: list[RowPlan] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # the household's own, on its first row
    broken: bool = False  # a household cell of the first row could not be read
    changed: bool = True  # False: the household exists with exactly these values

    @property
    def valid(self) -> bool:
        return not self.problems and not self.broken


def _outcome(what: str, exists: bool, changed: bool) -> str:
    if not exists:
        return f"{what}_new"
    return f"{what}_updated" if changed else f"{what}_unchanged"


def _household_changed(existing: Household, data: HouseholdData) -> bool:
    for f in fields(HouseholdData):
        new = getattr(data, f.name)
        if f.name == "community":
            if existing.community_id != new.pk:
                return True
        elif (new.strip() if isinstance(new, str) else new) != getattr(existing, f.name):
            return True
    return False


def _resident_changed(existing: Resident, data: ResidentData, household: Household | None) -> bool:
    """Whether writing ``data`` would change ``existing`` (compared as the service would store it)."""
    if household is None or household.pk is None:
        return True
    for name, new in _resident_values(replace(data, household=household)).items():
        if name in ("community", "household"):
            if getattr(existing, f"{name}_id") != (new.pk if new is not None else None):
                return True
        elif getattr(existing, name) != new:
            return True
    return False


@dataclass
class ImportPlan:
    file_problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    groups: list[GroupPlan] = field(default_factory=list)

    @property
    def rows(self) -> list[RowPlan]:
        return sorted((r for g in self.groups for r in g.rows), key=lambda r: r.number)

    @property
    def problems(self) -> list[Problem]:
        found = list(self.file_problems)
        for g in self.groups:
            found.extend(g.problems)
            for r in g.rows:
                found.extend(r.problems)
        return sorted(found, key=lambda p: (p.row or 0, p.column.rjust(3)))

    @property
    def is_valid(self) -> bool:
        return not self.file_problems and all(g.valid and all(r.valid for r in g.rows) for g in self.groups)

    def counts(self) -> dict[str, int]:
        c = {
            "rows": 0,
            "valid_rows": 0,
            "invalid_rows": 0,
            "households_new": 0,
            "households_updated": 0,
            "households_unchanged": 0,
            "residents_new": 0,
            "residents_updated": 0,
            "residents_unchanged": 0,
        }
        for g in self.groups:
            valid_rows = [r for r in g.rows if g.valid and r.valid]
            c["rows"] += len(g.rows)
            c["valid_rows"] += len(valid_rows)
            c["invalid_rows"] += len(g.rows) - len(valid_rows)
            if valid_rows:
                c[_outcome("households", g.existing is not None, g.changed)] += 1
            for r in valid_rows:
                c[_outcome("residents", r.existing is not None, r.changed)] += 1
        return c

    def summary(self) -> dict[str, Any]:
        """What the preview shows (JSON-serialisable: it is stored in the job's result)."""
        problems = self.problems
        group_valid = {id(r): g.valid for g in self.groups for r in g.rows}
        preview = [
            r.display
            | {
                "row": r.number,
                "valid": group_valid[id(r)] and r.valid,
                "action": "new" if r.existing is None else ("update" if r.changed else "unchanged"),
            }
            for r in self.rows[:PREVIEW_ROWS]
        ]
        return {
            "valid": self.is_valid,
            "file_ok": not self.file_problems,
            "counts": self.counts(),
            "warnings": self.warnings,
            "problems": [p.as_dict() for p in problems[:MAX_STORED_PROBLEMS]],
            "problem_count": len(problems),
            "preview": preview,
        }


# --- Reading files -------------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, or TIS-620/Windows-874 as Thai Excel saves."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp874")
    except UnicodeDecodeError:
        raise ImportFileError(
            _("The file's characters cannot be read: save it as CSV UTF-8 or as an Excel workbook.")
        ) from None


def _limit_error(limit: int) -> ImportFileError:
    return ImportFileError(
        _("The file has more than %(limit)s rows of data: split it into smaller files.")
        % {"limit": f"{limit:,}"}
    )


def _read_csv(data: bytes, limit: int) -> Table:
    text = _decode(data)
    sample = text[:8192]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    headers: list[str] | None = None
    rows: list[tuple[int, list[Any]]] = []
    try:
        for number, cells in enumerate(reader, start=1):
            if headers is None:
                headers = [str(c) for c in cells]
                continue
            if any(str(c).strip() for c in cells):
                rows.append((number, list(cells)))
                if len(rows) > limit:
                    raise _limit_error(limit)
    except csv.Error as exc:
        raise ImportFileError(_("The CSV file is damaged: %(error)s") % {"error": exc}) from None
    return Table(headers or [], rows)


def _read_xlsx(data: bytes, limit: int) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise ImportFileError(_("The Excel file cannot be opened: save it again as .xlsx.")) from None
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # type: ignore[union-attr]
        headers: list[str] | None = None
        rows: list[tuple[int, list[Any]]] = []
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            if headers is None:
                headers = ["" if c is None else str(c) for c in cells]
                continue
            values = list(cells)
            if any(v is not None and str(v).strip() for v in values):
                rows.append((number, values))
                if len(rows) > limit:
                    raise _limit_error(limit)
        return Table(headers or [], rows)
    finally:
        workbook.close()


def read_table(name: str, data: bytes, *, limit: int | None = None) -> Table:
    """The first sheet of an .xlsx file or a CSV file. Raises :class:`ImportFileError`."""
    limit = max_rows() if limit is None else limit
    if len(data) > max_bytes():
        raise ImportFileError(
            _("The file is larger than %(size)d MB: split it into smaller files.")
            % {"size": max_bytes() // (1024 * 1024)}
        )
    lower = name.lower()
    if data.startswith(b"PK"):
        if not lower.endswith((".xlsx", ".xlsm")):
            raise ImportFileError(_("Upload an Excel workbook (.xlsx) or a CSV file."))
        table = _read_xlsx(data, limit)
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            _("This is an old Excel file (.xls): open it in Excel and save it as .xlsx or CSV UTF-8.")
        )
    elif lower.endswith((".csv", ".txt")):
        if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise ImportFileError(_("Upload an Excel workbook (.xlsx) or a CSV file."))
        table = _read_csv(data, limit)
    else:
        raise ImportFileError(_("Upload an Excel workbook (.xlsx) or a CSV file."))
    if not any(h.strip() for h in table.headers):
        raise ImportFileError(_("The file is empty: the first row must hold the column headers."))
    return table


# --- Cell values ---------------------------------------------------------------------------------------


class CellError(ValueError):
    pass


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return format_thai_date(value, "numeric")
    return str(value).replace("\u00a0", " ").strip()


def _date(value: Any) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float):
        raise CellError(_("Enter the date as day/month/year in the Buddhist Era, e.g. 05/03/2568."))
    try:
        return parse_be_date(str(value))
    except ValueError as exc:
        raise CellError(str(exc)) from None


def _decimal(value: Any) -> Decimal | None:
    text = _text(value)
    if not text:
        return None
    try:
        number = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise CellError(_("Enter a number with a decimal point, e.g. 18.5786.")) from None
    if not number.is_finite():
        raise CellError(_("Enter a number with a decimal point, e.g. 18.5786."))
    return number.quantize(Decimal("0.000001"))


def _bool(value: Any) -> bool:
    text = _text(value).casefold()
    if text in YES_WORDS:
        return True
    if text in NO_WORDS:
        return False
    raise CellError(_("Write ใช่ (yes) or leave the cell empty."))


def _choice(value: Any, words: dict[str, str], values: Iterable[str]) -> str:
    text = _text(value)
    if not text:
        return ""
    squashed = re.sub(r"\s+", "", text).casefold()
    for word, code in words.items():
        if squashed == re.sub(r"\s+", "", word).casefold():
            return code
    for code in values:
        if code and squashed == code.casefold():
            return code
    raise CellError(
        _("“%(value)s” is not one of: %(choices)s.")
        % {"value": text, "choices": ", ".join(dict.fromkeys(words))}
    )


def _phone(value: Any) -> str:
    text = _text(value)
    # Excel drops the leading 0 of a phone number typed into a number cell: 812345678 → 0812345678.
    if isinstance(value, int | float) and text.isdigit() and len(text) in (8, 9):
        return "0" + text
    return text


# --- Checking -------------------------------------------------------------------------------------------


@dataclass
class _Located:
    """The column positions of a table: key → (0-based index, letter, header as written)."""

    positions: dict[str, tuple[int, str, str]]

    def where(self, key: str) -> tuple[str, str]:
        if key in self.positions:
            _i, letter, header = self.positions[key]
            return letter, header
        column = COLUMN_BY_KEY.get(key)
        return "", column.header if column else ""

    def get(self, cells: list[Any], key: str) -> Any:
        if key not in self.positions:
            return None
        index = self.positions[key][0]
        return cells[index] if index < len(cells) else None


def _locate(table: Table, plan: ImportPlan) -> _Located | None:
    positions: dict[str, tuple[int, str, str]] = {}
    unknown: list[str] = []
    for index, raw in enumerate(table.headers):
        header = str(raw or "").replace("\ufeff", "").strip()
        if not header:
            continue
        letter = get_column_letter(index + 1)
        key = HEADER_INDEX.get(_norm_header(header))
        if key is None:
            unknown.append(f"{letter} “{header}”")
        elif key in positions:
            plan.file_problems.append(
                Problem(
                    1,
                    letter,
                    header,
                    _("This column repeats column %(column)s.") % {"column": positions[key][1]},
                )
            )
        else:
            positions[key] = (index, letter, header)
    if unknown:
        plan.warnings.append(
            _("These columns are not part of the import and will be ignored: %(columns)s.")
            % {"columns": ", ".join(unknown)}
        )
    for column in COLUMNS:
        if column.required and column.key not in positions:
            plan.file_problems.append(
                Problem(
                    1,
                    "",
                    column.header,
                    _("The column “%(header)s” (%(alias)s) is missing.")
                    % {"header": column.header, "alias": column.alias},
                )
            )
    return None if plan.file_problems else _Located(positions)


@dataclass
class _Row:
    number: int
    values: dict[str, Any]
    problems: list[Problem]
    failed: set[str]  # keys whose cell could not be read: their service errors are not repeated


def _parse_row(number: int, cells: list[Any], located: _Located, communities: _Communities) -> _Row:
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    failed: set[str] = set()

    def fail(key: str, message: str) -> None:
        letter, header = located.where(key)
        problems.append(Problem(number, letter, header, message))
        failed.add(key)

    converters: dict[str, Callable[[Any], Any]] = {
        "latitude": _decimal,
        "longitude": _decimal,
        "birth_date": _date,
        "status_date": _date,
        "birth_date_estimated": _bool,
        "phone": _phone,
        "relation_to_owner": lambda v: _choice(v, RELATION_WORDS, Relation.values),
        "id_kind": lambda v: _choice(v, ID_KIND_WORDS, IdKind.values),
        "sex": lambda v: _choice(v, SEX_WORDS, [Sex.MALE, Sex.FEMALE]),
        "religion": lambda v: _choice(v, RELIGION_WORDS, Religion.values),
        "status": lambda v: _choice(v, STATUS_WORDS, ResidentStatus.values),
    }
    for column in COLUMNS:
        raw = located.get(cells, column.key)
        convert = converters.get(column.key, _text)
        try:
            values[column.key] = convert(raw)
        except CellError as exc:
            fail(column.key, str(exc))
            values[column.key] = (
                None if column.key in ("latitude", "longitude", "birth_date", "status_date") else ""
            )
    if values.get("birth_date_estimated") == "":
        values["birth_date_estimated"] = False
    community_text = values["community"]
    values["community"] = None
    if not community_text:
        fail("community", _("Enter the community's code or Thai name."))
    else:
        community = communities.find(community_text)
        if community is None:
            fail(
                "community",
                _("There is no community “%(value)s” in this municipality.") % {"value": community_text},
            )
        values["community"] = community
    if not values["status"]:
        values["status"] = ResidentStatus.ALIVE
    if not values["id_kind"]:
        values["id_kind"] = IdKind.THAI if values["national_id"] else IdKind.NONE
    return _Row(number, values, problems, failed)


class _Communities:
    def __init__(self, municipality: Municipality) -> None:
        self.by_name: dict[str, Community] = {}
        for c in Community.objects.filter(municipality=municipality).order_by("-code"):
            for name in (c.name_en, c.name_th, c.code):
                if name:
                    self.by_name[re.sub(r"\s+", " ", name).strip().casefold()] = c

    def find(self, text: str) -> Community | None:
        return self.by_name.get(re.sub(r"\s+", " ", text).strip().casefold())


def _group_key(row: _Row) -> str:
    if row.values["registration_no"]:
        return "reg:" + row.values["registration_no"]
    if row.values["household_key"]:
        return "key:" + row.values["household_key"]
    return f"row:{row.number}"


def _national_id(values: dict[str, Any]) -> str:
    """The number as the services store it (digits only for 13-digit kinds)."""
    raw = values["national_id"]
    if values["id_kind"] in (IdKind.THAI, IdKind.NON_THAI):
        return normalize_national_id(raw)
    return str(raw).strip().upper()


def _map_errors(
    errors: dict[str, list[str]], number: int, located: _Located, skip: set[str], aliases: dict[str, str]
) -> list[Problem]:
    problems: list[Problem] = []
    for name, messages in errors.items():
        key = aliases.get(name, name)
        if key in skip or name in skip:
            continue
        letter, header = located.where(key)
        problems.extend(Problem(number, letter, header, str(m)) for m in messages)
    return problems


def check_file(
    municipality: Municipality,
    table: Table,
    *,
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportPlan:
    """Judge every row of ``table`` for ``municipality``. Reads the database, writes nothing."""
    plan = ImportPlan()
    if not table.rows:
        plan.file_problems.append(Problem(None, "", "", _("The file has no rows of data below the header.")))
    located = _locate(table, plan)
    if located is None or not table.rows:
        return plan
    communities = _Communities(municipality)
    total = len(table.rows)
    parsed = [_parse_row(n, cells, located, communities) for n, cells in table.rows]

    # Groups: rows of one household, in file order.
    grouped: dict[str, list[_Row]] = {}
    for row in parsed:
        grouped.setdefault(_group_key(row), []).append(row)

    # What already exists: households by registration number, residents by ID number.
    reg_nos = {k[4:] for k in grouped if k.startswith("reg:")}
    households = {
        h.registration_no: h
        for h in Household.objects.filter(municipality=municipality, registration_no__in=reg_nos)
    }
    ids = {_national_id(r.values) for r in parsed} - {""}
    residents: dict[str, Resident] = {}
    id_list = sorted(ids)
    for start in range(0, len(id_list), 500):
        for res in Resident.objects.filter(
            municipality=municipality, national_id__in=id_list[start : start + 500]
        ):
            residents[res.national_id] = res

    seen_ids: dict[str, int] = {}
    done = 0
    for key, rows in grouped.items():
        first = rows[0]
        existing_household = households.get(key[4:]) if key.startswith("reg:") else None
        if existing_household is None and not key.startswith("reg:"):
            # A house without a registration number is the one its known members live in.
            for row in rows:
                member = residents.get(_national_id(row.values))
                if member is not None and member.household_id is not None:
                    existing_household = Household.objects.filter(
                        pk=member.household_id, municipality=municipality, registration_no=""
                    ).first()
                    if existing_household is not None:
                        break
        community = first.values["community"]
        group_problems: list[Problem] = []
        # Every row of a household must repeat the same household values.
        for row in rows[1:]:
            for name in HOUSEHOLD_FIELDS:
                if name in row.failed or name in first.failed:
                    continue
                if row.values[name] != first.values[name]:
                    letter, header = located.where(name)
                    shown = first.values[name]
                    shown = (
                        shown.code if isinstance(shown, Community) else (shown if shown is not None else "")
                    )
                    row.problems.append(
                        Problem(
                            row.number,
                            letter,
                            header,
                            _("Rows of the same household must agree: row %(row)d has “%(value)s”.")
                            % {"row": first.number, "value": shown},
                        )
                    )
        household_values = {name: first.values[name] for name in HOUSEHOLD_FIELDS if name != "community"}
        household_values |= normalize_address(
            tambon=household_values["tambon"],
            amphoe=household_values["amphoe"],
            changwat=household_values["changwat"],
            postcode=household_values["postcode"],
        )
        household_data = HouseholdData(
            community=community or Community(municipality=municipality),
            registration_no=first.values["registration_no"],
            **household_values,
        )
        if community is not None:
            errors = household_errors(municipality, household_data, instance=existing_household)
            group_problems = _map_errors(errors, first.number, located, first.failed, {})
        group = GroupPlan(
            key=key,
            data=household_data,
            existing=existing_household,
            problems=group_problems,
            broken=bool(first.failed & HOUSEHOLD_KEYS),
            changed=existing_household is None or _household_changed(existing_household, household_data),
        )
        if not group.valid:
            for row in rows[1:]:
                letter, header = located.where(
                    "registration_no" if key.startswith("reg:") else "household_key"
                )
                row.problems.append(
                    Problem(
                        row.number,
                        letter,
                        header,
                        _("The household's details in row %(row)d have a problem.") % {"row": first.number},
                    )
                )
        check_household = existing_household or Household(
            municipality=municipality, community=community or Community(municipality=municipality)
        )
        if community is not None:
            check_household.community = community
        members: dict[tuple[str, str], Resident] = {}
        if existing_household is not None:
            for m in existing_household.members.filter(national_id=""):
                members.setdefault((m.first_name.strip(), m.last_name.strip()), m)
        named_rows: dict[tuple[str, str], int] = {}
        for row in rows:
            v = row.values
            number = _national_id(v)
            existing = residents.get(number) if number else None
            if number and "national_id" not in row.failed:
                if number in seen_ids:
                    letter, header = located.where("national_id")
                    row.problems.append(
                        Problem(
                            row.number,
                            letter,
                            header,
                            _("The same ID number is already in row %(row)d.") % {"row": seen_ids[number]},
                        )
                    )
                else:
                    seen_ids[number] = row.number
            elif not number:
                person = (v["first_name"].strip(), v["last_name"].strip())
                if person in named_rows:
                    letter, header = located.where("first_name")
                    row.problems.append(
                        Problem(
                            row.number,
                            letter,
                            header,
                            _("The same person (same name, no ID number) is already in row %(row)d.")
                            % {"row": named_rows[person]},
                        )
                    )
                named_rows[person] = row.number
                existing = members.get(person)
            data = ResidentData(
                community=community or Community(municipality=municipality),
                first_name=v["first_name"],
                last_name=v["last_name"],
                title=v["title"],
                nickname=v["nickname"],
                id_kind=v["id_kind"],
                national_id=v["national_id"],
                sex=v["sex"],
                birth_date=v["birth_date"],
                birth_date_estimated=v["birth_date_estimated"],
                household=check_household,
                relation_to_owner=v["relation_to_owner"],
                phone=v["phone"],
                line_id=v["line_id"],
                religion=v["religion"],
                status=v["status"],
                status_date=v["status_date"],
            )
            if community is not None:
                errors = resident_errors(municipality, data, instance=existing, today=today)
                skip = set(row.failed)
                if "id_kind" in row.failed:
                    skip.add("national_id")
                row.problems.extend(
                    _map_errors(
                        errors,
                        row.number,
                        located,
                        skip,
                        {"household": "registration_no" if key.startswith("reg:") else "household_key"},
                    )
                )
            plan_row = RowPlan(
                number=row.number,
                data=replace(data, household=None),
                existing=existing,
                problems=row.problems,
                changed=existing is None or _resident_changed(existing, data, existing_household),
                display={
                    "national_id": v["national_id"],
                    "name": f"{v['title']}{v['first_name']} {v['last_name']}".strip(),
                    "community": community.name_th if community else "",
                    "house_no": v["house_no"],
                    "registration_no": v["registration_no"],
                    "birth_date": _text(v["birth_date"]) if v["birth_date"] else "",
                },
            )
            group.rows.append(plan_row)
            done += 1
            if progress is not None and done % 200 == 0:
                progress(done, total)
        plan.groups.append(group)
    if progress is not None:
        progress(total, total)
    return plan


# --- Writing --------------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    written: bool
    households_created: int = 0
    households_updated: int = 0
    households_unchanged: int = 0
    residents_created: int = 0
    residents_updated: int = 0
    residents_unchanged: int = 0
    rows_skipped: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "written": self.written,
            "households_created": self.households_created,
            "households_updated": self.households_updated,
            "households_unchanged": self.households_unchanged,
            "residents_created": self.residents_created,
            "residents_updated": self.residents_updated,
            "residents_unchanged": self.residents_unchanged,
            "rows_skipped": self.rows_skipped,
        }


VALID_ONLY = "valid"
ALL_ROWS = "all"


def apply_plan(
    actor: Actor,
    plan: ImportPlan,
    *,
    mode: str = ALL_ROWS,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Write the plan in one transaction: every row when the whole file is valid (otherwise
    nothing), or only the valid rows when ``mode`` is :data:`VALID_ONLY`. The services check each
    write again; if anything has changed since the check, the whole import is rolled back. Rows and
    households that would not change are left alone (no write, no new history version)."""
    if plan.file_problems or (mode != VALID_ONLY and not plan.is_valid):
        return ImportResult(written=False, rows_skipped=sum(len(g.rows) for g in plan.groups))
    result = ImportResult(written=True)
    total = sum(len(g.rows) for g in plan.groups)
    done = 0
    with transaction.atomic():
        for group in plan.groups:
            rows = [r for r in group.rows if group.valid and r.valid]
            result.rows_skipped += len(group.rows) - len(rows)
            done += len(group.rows) - len(rows)
            if not rows:
                continue
            if group.existing is not None and not group.changed:
                household = group.existing
                result.households_unchanged += 1
            elif group.existing is not None:
                household = household_update(actor=actor, household=group.existing, data=group.data)
                result.households_updated += 1
            else:
                household = household_create(actor=actor, data=group.data)
                result.households_created += 1
            for row in rows:
                data = replace(row.data, household=household, community=household.community)
                if row.existing is not None and not row.changed:
                    result.residents_unchanged += 1
                elif row.existing is not None:
                    resident_update(actor=actor, resident=row.existing, data=data)
                    result.residents_updated += 1
                else:
                    resident_create(actor=actor, data=data)
                    result.residents_created += 1
                done += 1
                if progress is not None and done % 200 == 0:
                    progress(done, total)
    if progress is not None:
        progress(total, total)
    return result


def template_rows() -> list[list[str]]:
    """The header row and one example row of the import template."""
    return [[c.header for c in COLUMNS], [c.example for c in COLUMNS]]
