"""The funeral report as an Excel workbook (openpyxl)."""

from __future__ import annotations

from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from thukkhon.core.thai import format_thai_date
from thukkhon.funerals.models import Cause
from thukkhon.funerals.selectors import Group, Report


def _headers() -> list[str]:
    return [
        _("Group"),
        _("Cases"),
        *[str(label) for label in Cause.labels],
        _("Infectious share"),
        _("Cremated or buried"),
        _("Within 24 hours"),
        _("24-hour compliance"),
        _("Mean hours from death"),
        _("Median hours from death"),
        _("Fees charged (baht)"),
        _("Fees waived (baht)"),
        _("Waivers"),
    ]


def group_row(group: Group, label: str | None = None) -> list[object]:
    return [
        label if label is not None else group.label,
        group.cases,
        *[group.by_cause.get(c, 0) for c in Cause.values],
        round(group.infectious_share, 4),
        group.disposed,
        group.within_24h,
        round(group.compliance, 4) if group.compliance is not None else None,
        round(group.mean_hours, 1) if group.mean_hours is not None else None,
        round(group.median_hours, 1) if group.median_hours is not None else None,
        float(group.fees_charged),
        float(group.fees_waived),
        group.waivers,
    ]


def report_xlsx(report: Report, municipality_name: str) -> bytes:
    book = Workbook()
    first = True
    sheets = (
        (_("By month"), report.months),
        (_("By cause"), report.causes),
        (_("By community"), report.communities),
    )
    for title, groups in sheets:
        sheet = book.active if first else book.create_sheet()
        first = False
        assert sheet is not None
        sheet.title = title[:31]
        sheet.append(
            [f"{municipality_name}: {format_thai_date(report.start)} – {format_thai_date(report.end)}"]
        )
        sheet.append(_headers())
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for group in groups:
            sheet.append(group_row(group))
        sheet.append(group_row(report.total, _("Total")))
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
    out = BytesIO()
    book.save(out)
    return out.getvalue()
