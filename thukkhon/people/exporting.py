"""Excel workbooks of the registry: the import template and the export of a filtered resident list.

The export uses the import's Thai headers, so a list exported by someone who sees full ID numbers can
be corrected in Excel and imported again. Dates are written as text, day/month/year in the Buddhist
Era, as the import reads them; ID numbers are masked for roles that need not see them. Religion (a
sensitive field) is not exported. The workbook is written in openpyxl's write-only (streaming) mode.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import date
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from thukkhon.core.actor import Actor
from thukkhon.core.thai import format_national_id, format_thai_date, mask_national_id
from thukkhon.people.access import sees_full_national_id
from thukkhon.people.importing import (
    COLUMNS,
    ID_KIND_WORDS,
    RELATION_WORDS,
    SEX_WORDS,
    STATUS_WORDS,
    Column,
    template_rows,
)
from thukkhon.people.models import Dependency, Resident, ResidentStatus
from thukkhon.people.selectors import ResidentFilters, resident_search

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_TEXT_KEYS = frozenset({"registration_no", "national_id", "phone", "postcode", "birth_date", "status_date"})


def _labels(words: dict[str, str]) -> dict[str, str]:
    """Code → the first Thai word for it (the word the template teaches)."""
    labels: dict[str, str] = {}
    for word, code in words.items():
        labels.setdefault(code, word)
    return labels


RELATION_LABELS = _labels(RELATION_WORDS)
SEX_LABELS = _labels(SEX_WORDS)
STATUS_LABELS = _labels(STATUS_WORDS)
ID_KIND_LABELS = _labels(ID_KIND_WORDS)
EXPORT_COLUMNS: tuple[Column, ...] = tuple(c for c in COLUMNS if c.key != "religion")
AGE_HEADER = "อายุ (ปี)"


# --- Filters --------------------------------------------------------------------------------------------

_TRUE = frozenset({"1", "on", "true", "yes"})


def filters_from_params(params: Mapping[str, Any]) -> ResidentFilters:
    """The resident search page's GET parameters: q, community (id), status ("all" for everyone),
    elderly, bedbound, dependency, disabled, welfare_card. Unreadable values are ignored, as the
    search page ignores them."""

    def flag(name: str) -> bool:
        return str(params.get(name) or "").strip().lower() in _TRUE

    community = str(params.get("community") or "").strip()
    status = str(params.get("status") or "").strip()
    dependency = str(params.get("dependency") or "").strip()
    if dependency not in Dependency.values:
        dependency = ""
    if flag("bedbound"):
        dependency = Dependency.BED
    return ResidentFilters(
        q=str(params.get("q") or "").strip()[:100],
        community_id=int(community) if community.isdigit() else None,
        status=""
        if status == "all"
        else (status if status in ResidentStatus.values else ResidentStatus.ALIVE),
        elderly=flag("elderly"),
        dependency=dependency,
        disabled=flag("disabled"),
        welfare_card=flag("welfare_card"),
    )


# --- Export ---------------------------------------------------------------------------------------------


def _header_cells(ws: Any, headers: list[str]) -> list[WriteOnlyCell]:
    cells = []
    for header in headers:
        cell = WriteOnlyCell(ws, value=header)
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cells.append(cell)
    return cells


def _resident_values(resident: Resident, full_ids: bool, today: date) -> dict[str, Any]:
    household = resident.household
    number = resident.national_id
    shown_id = format_national_id(number) if full_ids else mask_national_id(number)
    values: dict[str, Any] = {
        "registration_no": household.registration_no if household else "",
        "household_key": f"H{household.pk}" if household and not household.registration_no else "",
        "community": resident.community.code,
        "relation_to_owner": RELATION_LABELS.get(resident.relation_to_owner, ""),
        "id_kind": ID_KIND_LABELS.get(resident.id_kind, ""),
        "national_id": shown_id,
        "title": resident.title,
        "first_name": resident.first_name,
        "last_name": resident.last_name,
        "nickname": resident.nickname,
        "sex": SEX_LABELS.get(resident.sex, ""),
        "birth_date": format_thai_date(resident.birth_date, "numeric"),
        "birth_date_estimated": "ใช่" if resident.birth_date_estimated else "",
        "phone": resident.phone,
        "line_id": resident.line_id,
        "status": STATUS_LABELS.get(resident.status, ""),
        "status_date": format_thai_date(resident.status_date, "numeric"),
    }
    for name in ("house_no", "moo", "village", "soi", "road", "tambon", "amphoe", "changwat", "postcode"):
        values[name] = getattr(household, name) if household else ""
    for name in ("latitude", "longitude"):
        value = getattr(household, name) if household else None
        values[name] = float(value) if value is not None else None
    values["age"] = resident.age_on(today)
    return values


def export_residents(
    actor: Actor, filters: ResidentFilters, out: IO[bytes], *, today: date | None = None
) -> int:
    """Write the residents ``actor`` finds with ``filters`` as an .xlsx workbook to ``out``; returns
    the number of residents written."""
    day = today or date.today()
    full_ids = sees_full_national_id(actor)
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet("ผู้อยู่อาศัย")
    ws.freeze_panes = "A2"
    headers = [c.header for c in EXPORT_COLUMNS] + [AGE_HEADER]
    for index, header in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(index)].width = max(10, min(30, len(header) + 4))
    ws.append(_header_cells(ws, headers))
    keys = [c.key for c in EXPORT_COLUMNS] + ["age"]
    count = 0
    for resident in resident_search(actor, filters).iterator(chunk_size=2000):
        values = _resident_values(resident, full_ids, day)
        ws.append([values[k] if values[k] != "" else None for k in keys])
        count += 1
    workbook.save(out)
    return count


# --- The import template --------------------------------------------------------------------------------


def template_xlsx(out: IO[bytes]) -> None:
    """The import template: the header row and an example row, and a sheet explaining each column."""
    workbook = Workbook()
    data = workbook.active
    assert data is not None
    data.title = "ข้อมูล"
    header, example = template_rows()
    data.append(header)
    data.append(example)
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        data.column_dimensions[letter].width = max(12, min(30, len(column.header) + 4))
        head = data.cell(row=1, column=index)
        head.font = _BOLD
        head.fill = _HEADER_FILL
        if column.key in _TEXT_KEYS:
            data.cell(row=2, column=index).number_format = "@"
    data.freeze_panes = "A2"

    help_sheet = workbook.create_sheet("คำอธิบาย")
    help_sheet.append(["คอลัมน์", "หัวคอลัมน์", "ชื่อภาษาอังกฤษ", "ต้องมี", "ระดับ", "วิธีกรอก", "ตัวอย่าง"])
    for cell in help_sheet[1]:
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
    for index, column in enumerate(COLUMNS, start=1):
        help_sheet.append(
            [
                get_column_letter(index),
                column.header,
                column.alias,
                "ต้องมี" if column.required else "",
                "ครัวเรือน" if column.level == "household" else "ผู้อยู่อาศัย",
                column.help,
                column.example,
            ]
        )
    notes = [
        "",
        "หนึ่งแถวต่อผู้อยู่อาศัยหนึ่งคน ข้อมูลครัวเรือน (ชุมชนถึงลองจิจูด) ให้กรอกซ้ำทุกแถวของสมาชิกบ้านเดียวกัน",
        "แถวที่มีเลขรหัสประจำบ้านเดียวกัน หรือรหัสครัวเรือนเดียวกัน คือบ้านเดียวกัน",
        "นำเข้าซ้ำได้: คนที่มีเลขประจำตัวประชาชนอยู่แล้วจะถูกปรับปรุง ไม่สร้างซ้ำ บ้านที่มีเลขรหัสประจำบ้านอยู่แล้วก็เช่นกัน",
        "วันที่ให้พิมพ์เป็น วว/ดด/ปปปป พ.ศ. เช่น 15/03/2490 และตั้งรูปแบบเซลล์เป็นข้อความ",
        "แถวที่ 1 ต้องเป็นหัวคอลัมน์ ลบแถวตัวอย่างก่อนนำเข้า บันทึกเป็น .xlsx หรือ CSV (UTF-8)",
    ]
    for line in notes:
        help_sheet.append([line])
    for letter, width in zip("ABCDEFG", (8, 32, 22, 8, 12, 70, 18), strict=True):
        help_sheet.column_dimensions[letter].width = width
    for row in help_sheet.iter_rows(min_row=2, max_col=6):
        row[5].alignment = Alignment(wrap_text=True, vertical="top")
    workbook.save(out)


def template_csv() -> bytes:
    """The import template as CSV, UTF-8 with a BOM so that Excel shows the Thai headers."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(template_rows())
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
