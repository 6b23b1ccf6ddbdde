"""Pages: who sees what (relatives only their own case, others 404, no tenant crossing), the PDPA
access log, forms with bad input, PDFs, the reports in Excel and PDF."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import MunicipalityFactory, member
from tests.funerals.conftest import bkk, case_data
from thukkhon.core.actor import actor_for
from thukkhon.core.models import AccessLog
from thukkhon.funerals.models import CremationBooking, FuneralCase
from thukkhon.funerals.services import case_create, case_mark_done

pytestmark = pytest.mark.django_db
NOW = bkk(2025, 3, 5, 12, 0)


def client_for(user) -> Client:
    user.language = "en"
    user.save(update_fields=["language"])
    client = Client(headers={"accept-language": "en"})
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client


@pytest.fixture
def relative_case(muni):
    relative = member(muni, "resident")
    actor = actor_for(relative)
    case = case_create(actor=actor, data=case_data(), now=NOW)  # type: ignore[arg-type]
    return relative, case


def test_relative_sees_only_their_own_case(muni, relative_case):
    relative, case = relative_case
    other_relative = member(muni, "resident")
    other = case_create(actor=actor_for(other_relative), data=case_data(deceased_name="นายอื่น"), now=NOW)  # type: ignore[arg-type]
    client = client_for(relative)
    page = client.get(reverse("funerals:case-detail", args=[case.pk]))
    assert page.status_code == 200
    assert "นายสมชาย ทดสอบ" in page.content.decode()
    assert client.get(reverse("funerals:case-detail", args=[other.pk])).status_code == 404
    listing = client.get(reverse("funerals:case-list")).content.decode()
    assert case.number in listing and "นายอื่น" not in listing
    # A relative cannot act on the case.
    assert client.post(reverse("funerals:case-accept", args=[case.pk])).status_code == 404
    assert client.get(reverse("funerals:reports")).status_code == 404


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("funeral", 200),
        ("welfare", 200),
        ("admin", 200),
        ("executive", 404),
        ("driver", 404),
        ("dispatcher", 404),
        ("volunteer", 404),
    ],
)
def test_case_page_by_role(muni, relative_case, role, status):
    _relative, case = relative_case
    assert (
        client_for(member(muni, role)).get(reverse("funerals:case-detail", args=[case.pk])).status_code
        == status
    )


@pytest.mark.parametrize(
    ("role", "status"),
    [("executive", 200), ("funeral", 200), ("welfare", 200), ("driver", 404), ("resident", 404)],
)
def test_reports_by_role(muni, role, status):
    assert client_for(member(muni, role)).get(reverse("funerals:reports")).status_code == status


def test_no_tenant_crossing(relative_case):
    _relative, case = relative_case
    outsider = member(MunicipalityFactory(), "funeral")
    client = client_for(outsider)
    assert client.get(reverse("funerals:case-detail", args=[case.pk])).status_code == 404
    assert client.post(reverse("funerals:case-accept", args=[case.pk])).status_code == 404
    assert case.number not in client.get(reverse("funerals:case-list")).content.decode()


def test_reading_a_case_is_logged(muni, relative_case):
    _relative, case = relative_case
    officer = member(muni, "funeral")
    client_for(officer).get(reverse("funerals:case-detail", args=[case.pk]))
    log = AccessLog.objects.get(user=officer)
    assert (log.content_type, log.object_id, log.what) == (
        ContentType.objects.get_for_model(FuneralCase),
        str(case.pk),
        "funeral case",
    )


def test_intake_form_and_bad_input(muni):
    officer = member(muni, "funeral")
    client = client_for(officer)
    assert client.get(reverse("funerals:case-create")).status_code == 200
    form = {
        "deceased_name": "นายทดสอบ ฟอร์ม",
        "died_on": "05/03/2568",
        "died_time": "06:30",
        "place_of_death": "บ้าน",
        "cause": "natural",
        "informant_name": "นางญาติ",
        "registration_no": "99",
        "registered_on": "04/03/2568",
        "registered_time": "09:00",
    }
    bad = client.post(reverse("funerals:case-create"), form)
    assert bad.status_code == 200
    assert bad.context["form"].errors == {
        "registered_on": ["The death cannot be registered before it happened."]
    }
    assert FuneralCase.objects.count() == 0
    form["registered_on"] = "05/03/2568"
    good = client.post(reverse("funerals:case-create"), form)
    case = FuneralCase.objects.get()
    assert good.status_code == 302 and good["Location"] == reverse("funerals:case-detail", args=[case.pk])
    assert (case.died_at, case.registered_at) == (bkk(2025, 3, 5, 6, 30), bkk(2025, 3, 5, 9, 0))


def test_booking_on_a_closed_day_through_the_page(muni, cremator):
    officer = member(muni, "funeral")
    case = case_create(actor=actor_for(officer), data=case_data(), now=NOW)  # type: ignore[arg-type]
    client = client_for(officer)
    page = client.post(
        reverse("funerals:booking-create", args=[case.pk]),
        {"cremator": cremator.pk, "day": "09/03/2568", "slot": "08:00"},
    )
    assert page.status_code == 400
    assert "ฌาปนสถานบ้านหลวย is closed on 9 มีนาคม 2568: choose another day." in page.content.decode()
    assert CremationBooking.objects.count() == 0
    ok = client.post(
        reverse("funerals:booking-create", args=[case.pk]),
        {"cremator": cremator.pk, "day": "06/03/2568", "slot": "08:00"},
    )
    assert ok.status_code == 302
    slots = client.get(
        reverse("funerals:slots"), {"cremator": cremator.pk, "day": "06/03/2568"}
    ).content.decode()
    assert "11:00" in slots and "14:00" in slots and "08:00" not in slots


def test_certificate_grant_and_report_downloads(muni, deceased):
    officer = member(muni, "funeral")
    actor = actor_for(officer)
    case = case_create(actor=actor, data=case_data(deceased=deceased, welfare_card=True), now=NOW)  # type: ignore[arg-type]
    client = client_for(officer)
    assert (
        client.get(reverse("funerals:certificate-pdf", args=[case.pk])).status_code == 404
    )  # not yet cremated
    case_mark_done(actor=actor, case=case, at=bkk(2025, 3, 5, 16), now=bkk(2025, 3, 5, 16))  # type: ignore[arg-type]
    pdf = client.get(reverse("funerals:certificate-pdf", args=[case.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    grant = client.get(reverse("funerals:grant-application", args=[case.pk]))
    assert grant.status_code == 200 and "3,000" in grant.content.decode()
    assert client.get(
        reverse("funerals:grant-application", args=[case.pk]), {"format": "pdf"}
    ).content.startswith(b"%PDF")
    query = {"start": "01/01/2568", "end": "31/12/2568"}
    xlsx = client.get(reverse("funerals:reports-xlsx"), query)
    book = load_workbook(BytesIO(xlsx.content))
    month = book["By month"]
    assert [c.value for c in month[3]][:3] == ["2025-03", 1, 1]
    assert client.get(reverse("funerals:reports-pdf"), query).content.startswith(b"%PDF")
