"""Report pages of the People Assistance Vehicle: figures for a date range with charts and tables,
an Excel workbook (one sheet per table) and a PDF, all from the same :class:`~.reports.Report`.

Dispatchers, welfare officers, executives and administrators of the municipality see them; anyone
else gets a 404. Dates are typed in the Buddhist Era; the default is the last 30 days.
"""

from __future__ import annotations

from datetime import date
from io import BytesIO
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.styles import Font

from thukkhon.core.actor import Actor
from thukkhon.core.fields import BEDateField
from thukkhon.core.pdf import render_pdf
from thukkhon.core.thai import format_thai_date
from thukkhon.rides import reports

MAX_DAYS = 731


class RangeForm(forms.Form):
    start = BEDateField(label=gettext_lazy("From"), required=False)
    end = BEDateField(label=gettext_lazy("Until"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date must not be after the end date."))
        if start and end and (end - start).days >= MAX_DAYS:
            raise forms.ValidationError(_("Choose a range of at most two years."))
        return data


def _actor(request: HttpRequest) -> Actor:
    actor: Actor | None = request.actor or None  # type: ignore[attr-defined]
    if not reports.can_read_reports(actor):
        raise Http404
    assert actor is not None
    return actor


def _range(request: HttpRequest) -> tuple[RangeForm, date, date]:
    start, end = reports.default_range(timezone.localdate())
    form = RangeForm(request.GET or None)
    if form.is_bound and form.is_valid():
        given_start, given_end = form.cleaned_data["start"], form.cleaned_data["end"]
        if given_end and not given_start:
            start, end = given_end - (end - start), given_end
        else:
            start, end = given_start or start, given_end or end
    return form, start, end


@login_required
@require_GET
def report_page(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form, start, end = _range(request)
    report = reports.build_report(actor, start, end)
    charts = [
        {"data_id": f"data-chart-{t.key}", "data": t.chart_data()}
        for t in report.tables
        if t.chart is not None
    ]
    return render(
        request,
        "rides/reports/page.html",
        {"form": form, "report": report, "charts": charts, "query": request.GET.urlencode()},
    )


def _filename(start: date, end: date, ext: str) -> str:
    return f"rides-{start.isoformat()}-{end.isoformat()}.{ext}"


def report_workbook(report: reports.Report, municipality_name: str) -> bytes:
    """One sheet per table: a title line, a blank line, the header row, the rows and the total."""
    book = Workbook()
    for i, table in enumerate(report.tables):
        sheet = book.active if i == 0 else book.create_sheet()
        assert sheet is not None
        sheet.title = table.title[:31].replace("/", "-")
        period = f"{format_thai_date(report.start)} – {format_thai_date(report.end)}"
        sheet.append([f"{municipality_name}: {table.title} ({period})"])
        sheet["A1"].font = Font(bold=True)
        sheet.append([])
        sheet.append(table.columns)
        for cell in sheet[3]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([c.excel for c in row])
        if table.total:
            sheet.append([c.excel for c in table.total])
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
        sheet.column_dimensions["A"].width = 36
        if table.note:
            sheet.cell(row=sheet.max_row + 2, column=1, value=table.note)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


@login_required
@require_GET
def report_xlsx(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    _form, start, end = _range(request)
    report = reports.build_report(actor, start, end)
    response = HttpResponse(
        report_workbook(report, actor.municipality.name_th),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(start, end, "xlsx")}"'
    return response


# --- PDF ------------------------------------------------------------------------------------------------


def render_report_pdf(report: reports.Report, actor: Actor) -> bytes:
    return render_pdf(
        "rides/reports/pdf.html",
        {"report": report, "municipality": actor.municipality, "issued": timezone.now()},
    )


@login_required
@require_GET
def report_pdf(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    _form, start, end = _range(request)
    report = reports.build_report(actor, start, end)
    response = HttpResponse(render_report_pdf(report, actor), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{_filename(start, end, "pdf")}"'
    return response
