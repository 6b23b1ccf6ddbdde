"""Import of households and residents: the report, all-or-nothing, valid rows only, idempotence,
encodings, the template, background jobs and permissions."""

from __future__ import annotations

import csv
import io
import os
import time
from datetime import date, datetime

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from tests.factories import CommunityFactory, MunicipalityFactory, make_thai_id, member
from thukkhon.core.actor import actor_for
from thukkhon.core.models import Job
from thukkhon.core.thai import parse_be_date
from thukkhon.people import importing
from thukkhon.people.importing import COLUMNS, apply_plan, check_file, read_table
from thukkhon.people.models import Household, Resident
from thukkhon.people.tasks import IMPORT_APPLY, IMPORT_CHECK

pytestmark = pytest.mark.django_db

HEADERS = [c.header for c in COLUMNS]
TODAY = date(2025, 6, 1)
BIRTH_DATE_HEADER = "วันเกิด (วว/ดด/ปปปป พ.ศ.)"


@pytest.fixture
def town():
    return MunicipalityFactory(code="lamphun")


@pytest.fixture
def community(town):
    return CommunityFactory(municipality=town, code="01", name_th="ชุมชนประตูลี้")


@pytest.fixture
def other_community(town):
    return CommunityFactory(municipality=town, code="02", name_th="ชุมชนสันป่ายางหลวง")


@pytest.fixture
def welfare_user(town):
    return member(town, "welfare", username="welfare")


@pytest.fixture
def welfare(welfare_user, town):
    return actor_for(welfare_user, town.pk)


def resident_row(**values: str) -> list[str]:
    defaults = {
        "registration_no": "51010000001",
        "community": "01",
        "house_no": "12/3",
        "road": "อินทยงยศ",
        "tambon": "ในเมือง",
        "amphoe": "เมืองลำพูน",
        "changwat": "ลำพูน",
        "postcode": "51000",
        "relation_to_owner": "เจ้าบ้าน",
        "national_id": make_thai_id(1),
        "title": "นาง",
        "first_name": "บัวผัน",
        "last_name": "ใจดี",
        "sex": "หญิง",
        "birth_date": "15/03/2490",
        "phone": "0812345678",
    }
    defaults |= values
    return [defaults.get(c.key, "") for c in COLUMNS]


def three_rows(**row3: str) -> list[list[str]]:
    """Two households: rows 2 and 3 are one house, row 4 another."""
    return [
        resident_row(),
        resident_row(
            **{
                "relation_to_owner": "บุตร",
                "national_id": make_thai_id(2),
                "title": "นาย",
                "first_name": "สมชาย",
                "sex": "ชาย",
                "birth_date": "01/01/2520",
                "phone": "",
            }
            | row3
        ),
        resident_row(
            registration_no="51010000002",
            house_no="7",
            national_id=make_thai_id(3),
            title="นาย",
            first_name="มานพ",
            last_name="ทองดี",
            sex="ชาย",
            birth_date="20/10/2500",
            phone="0898765432",
        ),
    ]


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8-sig", headers: list[str] | None = None) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS if headers is None else headers)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def check(town, rows, **kw):
    return check_file(town, read_table("people.csv", csv_bytes(rows, **kw)), today=TODAY)


# --- The report ------------------------------------------------------------------------------------------


def test_one_bad_row_is_reported_by_row_column_and_message(town, community):
    plan = check(town, three_rows(birth_date="31/02/2510"))
    with translation.override("th"), pytest.raises(ValueError) as expected:
        parse_be_date("31/02/2510")
    # The check ran in Thai (the default language): the message is the Thai one of the date field.
    assert [p.as_dict() for p in plan.problems] == [
        {"row": 3, "column": "W", "header": BIRTH_DATE_HEADER, "message": str(expected.value)}
    ]
    assert plan.counts() == {
        "rows": 3,
        "valid_rows": 2,
        "invalid_rows": 1,
        "households_new": 2,
        "households_updated": 0,
        "households_unchanged": 0,
        "residents_new": 2,
        "residents_updated": 0,
        "residents_unchanged": 0,
    }
    # The message is the date field's own, in the user's language.
    with translation.override("en"):
        english = check(town, three_rows(birth_date="31/02/2510"))
        with pytest.raises(ValueError) as expected_en:
            parse_be_date("31/02/2510")
    assert english.problems[0].message == str(expected_en.value)


def test_service_errors_are_reported_in_their_column(town, community):
    rows = three_rows(national_id="1234567890123", phone="12345")
    plan = check(town, rows)
    found = [(p.row, p.column, p.header) for p in plan.problems]
    assert found == [(3, "Q", "เลขประจำตัวประชาชน"), (3, "Y", "โทรศัพท์")]
    assert plan.problems[1].message == str(
        translation.gettext("A Thai phone number has 9 or 10 digits and starts with 0.")
    )


def test_an_invalid_file_writes_nothing(town, community, welfare):
    plan = check(town, three_rows(birth_date="31/02/2510"))
    result = apply_plan(welfare, plan)
    assert result.written is False
    assert Resident.objects.count() == 0
    assert Household.objects.count() == 0


def test_valid_rows_only_writes_exactly_the_valid_rows(town, community, welfare):
    plan = check(town, three_rows(birth_date="31/02/2510"))
    result = apply_plan(welfare, plan, mode=importing.VALID_ONLY)
    assert result.as_dict() == {
        "written": True,
        "households_created": 2,
        "households_updated": 0,
        "households_unchanged": 0,
        "residents_created": 2,
        "residents_updated": 0,
        "residents_unchanged": 0,
        "rows_skipped": 1,
    }
    assert sorted(Resident.objects.values_list("first_name", "household__registration_no")) == [
        ("บัวผัน", "51010000001"),
        ("มานพ", "51010000002"),
    ]
    owner = Resident.objects.get(first_name="บัวผัน")
    assert owner.birth_date == date(1947, 3, 15)
    assert owner.national_id == make_thai_id(1)
    assert owner.relation_to_owner == "owner"
    assert owner.sex == "female"
    assert owner.community == community
    assert owner.household.tambon == "ในเมือง"


def test_reimport_is_idempotent_and_updates_fields(town, community, welfare):
    apply_plan(welfare, check(town, three_rows()))
    assert (Household.objects.count(), Resident.objects.count()) == (2, 3)
    son = Resident.objects.get(national_id=make_thai_id(2))
    versions = son.history.count()

    # The same file again: everything is found, nothing changes, nothing is written.
    plan = check(town, three_rows())
    assert plan.counts() == {
        "rows": 3,
        "valid_rows": 3,
        "invalid_rows": 0,
        "households_new": 0,
        "households_updated": 0,
        "households_unchanged": 2,
        "residents_new": 0,
        "residents_updated": 0,
        "residents_unchanged": 3,
    }
    apply_plan(welfare, plan)
    assert (Household.objects.count(), Resident.objects.count()) == (2, 3)
    assert son.history.count() == versions

    # Row 3 has a new phone and surname, row 4's house a new number: those are updated.
    rows = three_rows(phone="0861112222", last_name="ใจงาม")
    rows[2][COLUMNS.index(importing.COLUMN_BY_KEY["house_no"])] = "7/1"
    plan = check(town, rows)
    assert plan.counts() == {
        "rows": 3,
        "valid_rows": 3,
        "invalid_rows": 0,
        "households_new": 0,
        "households_updated": 1,
        "households_unchanged": 1,
        "residents_new": 0,
        "residents_updated": 1,
        "residents_unchanged": 2,
    }
    result = apply_plan(welfare, plan)
    assert (result.households_created, result.residents_created) == (0, 0)
    assert (result.households_updated, result.residents_updated) == (1, 1)
    assert (Household.objects.count(), Resident.objects.count()) == (2, 3)
    son.refresh_from_db()
    assert (son.phone, son.last_name) == ("0861112222", "ใจงาม")
    assert son.history.count() == versions + 1
    assert Household.objects.get(registration_no="51010000002").house_no == "7/1"


def test_households_without_registration_no_are_grouped_by_key_and_matched_again(town, community, welfare):
    rows = [
        resident_row(registration_no="", household_key="H1"),
        resident_row(
            registration_no="",
            household_key="H1",
            relation_to_owner="คู่สมรส",
            national_id="",
            id_kind="ไม่มีเอกสาร",
            title="นาย",
            first_name="ทองคำ",
            sex="ชาย",
            birth_date="01/01/2488",
        ),
    ]
    apply_plan(welfare, check(town, rows))
    apply_plan(welfare, check(town, rows))
    assert Household.objects.count() == 1
    assert Resident.objects.count() == 2
    assert set(Household.objects.get().members.values_list("first_name", flat=True)) == {"บัวผัน", "ทองคำ"}


def test_rows_of_one_household_must_agree(town, community, other_community):
    rows = three_rows()
    rows[1][COLUMNS.index(importing.COLUMN_BY_KEY["house_no"])] = "99"
    plan = check(town, rows)
    assert [(p.row, p.column, p.message) for p in plan.problems] == [
        (
            3,
            "D",
            translation.gettext("Rows of the same household must agree: row %(row)d has “%(value)s”.")
            % {"row": 2, "value": "12/3"},
        ),
    ]


def test_file_level_checks(town, community):
    # Duplicate ID numbers within the file.
    rows = three_rows(national_id=make_thai_id(1))
    plan = check(town, rows)
    assert [(p.row, p.column) for p in plan.problems] == [(3, "Q")]
    assert plan.problems[0].message == translation.gettext(
        "The same ID number is already in row %(row)d."
    ) % {"row": 2}

    # Missing required columns stop the check; unknown columns are listed.
    headers = [h for h in HEADERS if h not in ("ชื่อ", "ชุมชน")] + ["หมายเหตุ"]
    rows = [[*r[: len(headers) - 1], "x"] for r in three_rows()]
    plan = check_file(town, read_table("p.csv", csv_bytes(rows, headers=headers)), today=TODAY)
    assert [(p.row, p.header) for p in plan.file_problems] == [(1, "ชุมชน"), (1, "ชื่อ")]
    assert plan.groups == []
    assert "หมายเหตุ" in plan.warnings[0]

    # English headers are accepted.
    english = [c.alias for c in COLUMNS]
    plan = check_file(town, read_table("p.csv", csv_bytes(three_rows(), headers=english)), today=TODAY)
    assert plan.is_valid

    # A header row and nothing below it.
    plan = check_file(town, read_table("p.csv", csv_bytes([])), today=TODAY)
    assert [p.message for p in plan.file_problems] == [
        translation.gettext("The file has no rows of data below the header.")
    ]


def test_unreadable_files_are_refused(settings):
    with pytest.raises(importing.ImportFileError):
        read_table("people.pdf", b"%PDF-1.4 ...")
    with pytest.raises(importing.ImportFileError):
        read_table("people.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    with pytest.raises(importing.ImportFileError):
        read_table("people.csv", b"")
    settings.THUKKHON_IMPORT_MAX_ROWS = 2
    with pytest.raises(importing.ImportFileError, match="2"):
        read_table("people.csv", csv_bytes(three_rows()))
    settings.THUKKHON_IMPORT_MAX_BYTES = 100
    with pytest.raises(importing.ImportFileError):
        read_table("people.csv", csv_bytes(three_rows()))


def test_cp874_csv_is_read(town, community, welfare):
    data = csv_bytes(three_rows(), encoding="cp874")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    plan = check_file(town, read_table("people.csv", data), today=TODAY)
    assert plan.is_valid
    apply_plan(welfare, plan)
    assert sorted(Resident.objects.values_list("first_name", "last_name")) == [
        ("บัวผัน", "ใจดี"),
        ("มานพ", "ทองดี"),
        ("สมชาย", "ใจดี"),
    ]


def test_utf8_without_bom_and_semicolons(town, community):
    text = csv_bytes(three_rows(), encoding="utf-8").decode().replace(",", ";")
    plan = check_file(town, read_table("people.csv", text.encode()), today=TODAY)
    assert plan.is_valid
    assert plan.counts()["residents_new"] == 3


def test_excel_cells_dates_and_numbers(town, community, welfare):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    row: list[object] = list(resident_row())
    row[COLUMNS.index(importing.COLUMN_BY_KEY["birth_date"])] = datetime(1947, 3, 15)  # typed by Excel: C.E.
    row[COLUMNS.index(importing.COLUMN_BY_KEY["phone"])] = 812345678  # a number cell loses the 0
    row[COLUMNS.index(importing.COLUMN_BY_KEY["national_id"])] = int(make_thai_id(1))
    row[COLUMNS.index(importing.COLUMN_BY_KEY["registration_no"])] = 51010000001
    sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    plan = check_file(town, read_table("people.xlsx", buffer.getvalue()), today=TODAY)
    assert plan.problems == []
    apply_plan(welfare, plan)
    resident = Resident.objects.get()
    assert (resident.birth_date, resident.phone, resident.national_id) == (
        date(1947, 3, 15),
        "0812345678",
        make_thai_id(1),
    )


# --- Pages and jobs ----------------------------------------------------------------------------------------


def upload(client, data: bytes, name: str = "people.csv"):
    return client.post("/registry/import/", {"file": SimpleUploadedFile(name, data)})


def test_upload_preview_and_all_or_nothing_through_the_pages(
    client, town, community, welfare_user, django_capture_on_commit_callbacks
):
    client.force_login(welfare_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, csv_bytes(three_rows(birth_date="31/02/2510")))
    assert response.status_code == 302
    job = Job.objects.get(kind=IMPORT_CHECK)
    assert response["Location"] == f"/registry/import/{job.pk}/"
    assert job.status == Job.Status.DONE
    assert job.params["path"].startswith(f"imports/{town.pk}/")
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert BIRTH_DATE_HEADER in html
    assert 'value="all" disabled' in html
    assert 'value="valid"' in html

    # "Import" is refused while a row has a problem: nothing is written.
    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(f"/registry/import/{job.pk}/apply/", {"mode": "all"})
    assert refused.status_code == 400
    assert Resident.objects.count() == 0

    # The explicit choice writes the valid rows; a second submission does not import twice.
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(f"/registry/import/{job.pk}/apply/", {"mode": "valid"})
    apply_job = Job.objects.get(kind=IMPORT_APPLY)
    assert done["Location"] == f"/registry/import/{apply_job.pk}/result/"
    assert apply_job.status == Job.Status.DONE
    assert apply_job.result["result"]["residents_created"] == 2
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(f"/registry/import/{job.pk}/apply/", {"mode": "valid"})
    assert again["Location"] == done["Location"]
    assert Job.objects.filter(kind=IMPORT_APPLY).count() == 1
    assert Resident.objects.count() == 2
    assert client.get(done["Location"]).status_code == 200


def test_a_file_with_a_bad_type_is_refused_on_the_upload_page(client, town, welfare_user):
    client.force_login(welfare_user)
    response = upload(client, b"%PDF-1.4", name="people.pdf")
    assert response.status_code == 400
    assert Job.objects.count() == 0


def test_a_large_file_runs_as_a_job_with_progress(
    client, town, community, welfare_user, django_capture_on_commit_callbacks
):
    rows = [
        resident_row(
            registration_no=f"5101{i // 3:07d}",
            national_id=make_thai_id(100 + i),
            relation_to_owner="เจ้าบ้าน" if i % 3 == 0 else "บุตร",
            first_name=f"คนที่{i}",
            title="",
            phone="",
        )
        for i in range(600)
    ]
    client.force_login(welfare_user)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = upload(client, csv_bytes(rows))
    job = Job.objects.get(kind=IMPORT_CHECK)
    assert job.status == Job.Status.QUEUED  # enqueued: it runs after the commit
    assert len(callbacks) == 1
    callbacks[0]()
    job.refresh_from_db()
    assert (job.status, job.percent, job.progress, job.total) == (Job.Status.DONE, 100, 600, 600)
    assert job.result["counts"]["residents_new"] == 600
    assert job.result["counts"]["households_new"] == 200
    assert client.get(response["Location"]).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/registry/import/{job.pk}/apply/", {"mode": "all"})
    apply_job = Job.objects.get(kind=IMPORT_APPLY)
    assert (apply_job.status, apply_job.percent) == (Job.Status.DONE, 100)
    assert apply_job.result["result"] == {
        "written": True,
        "households_created": 200,
        "households_updated": 0,
        "households_unchanged": 0,
        "residents_created": 600,
        "residents_updated": 0,
        "residents_unchanged": 0,
        "rows_skipped": 0,
    }
    assert Resident.objects.filter(municipality=town).count() == 600
    # The history records who imported, although the job ran outside the request.
    assert Resident.objects.filter(municipality=town).first().history.get().history_user == welfare_user
    progress = client.get(f"/registry/import/{apply_job.pk}/progress/", HTTP_HX_REQUEST="true")
    assert progress["HX-Refresh"] == "true"


def test_template_round_trip(client, town, community, welfare_user, django_capture_on_commit_callbacks):
    client.force_login(welfare_user)
    response = client.get("/registry/import/template.xlsx")
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["ข้อมูล", "คำอธิบาย"]
    sheet = workbook["ข้อมูล"]
    assert [c.value for c in sheet[1]] == HEADERS
    assert sheet.cell(row=1, column=23).value == BIRTH_DATE_HEADER
    explained = [
        r[1] for r in workbook["คำอธิบาย"].iter_rows(min_row=2, max_row=len(COLUMNS) + 1, values_only=True)
    ]
    assert explained == HEADERS

    with django_capture_on_commit_callbacks(execute=True):
        checked = upload(client, data, name="template.xlsx")
    job = Job.objects.get(kind=IMPORT_CHECK)
    assert job.result["valid"] is True, job.result["problems"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/registry/import/{job.pk}/apply/", {"mode": "all"})
    resident = Resident.objects.get()
    assert (resident.first_name, resident.last_name, resident.birth_date, resident.national_id) == (
        "บัวผัน",
        "ใจดี",
        date(1947, 3, 15),
        "1510100123451",
    )
    assert resident.household.registration_no == "51010012345"
    assert checked.status_code == 302

    csv_template = client.get("/registry/import/template.csv")
    assert csv_template.content.startswith(b"\xef\xbb\xbf")
    assert read_table("t.csv", csv_template.content).headers == HEADERS


@pytest.mark.parametrize("role", ["volunteer", "teacher", "dispatcher", "executive", "driver", "parent"])
def test_import_is_404_for_other_roles(client, town, role):
    client.force_login(member(town, role))
    for url in ("/registry/import/", "/registry/import/template.xlsx", "/registry/import/template.csv"):
        assert client.get(url).status_code == 404


def test_import_pages_of_another_person_are_404(
    client, town, community, welfare_user, django_capture_on_commit_callbacks
):
    client.force_login(welfare_user)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, csv_bytes(three_rows()))
    job = Job.objects.get()
    client.force_login(member(town, "welfare"))
    assert client.get(f"/registry/import/{job.pk}/").status_code == 404
    other_town = MunicipalityFactory()
    client.force_login(member(other_town, "admin"))
    assert client.get(f"/registry/import/{job.pk}/").status_code == 404
    client.force_login(member(town, "admin"))
    assert client.get(f"/registry/import/{job.pk}/").status_code == 200


# --- Benchmark (run on demand) -----------------------------------------------------------------------------


@pytest.mark.skipif(not os.environ.get("THUKKHON_BENCH"), reason="set THUKKHON_BENCH=1 to measure")
def test_benchmark_14000_rows(town, community, welfare):
    """Measure an import of 14,000 rows on SQLite:

    THUKKHON_BENCH=1 THUKKHON_TEST_SQLITE_FILE=1 uv run pytest tests/people/test_importing.py -k benchmark -s
    """
    n = 14_000
    rows = [
        resident_row(
            registration_no=f"5101{i * 5 // 13:07d}",
            national_id=make_thai_id(1000 + i),
            relation_to_owner="บุตร",
            first_name=f"คนที่{i}",
            title="",
            birth_date=f"{1 + i % 28:02d}/{1 + i % 12:02d}/{2480 + i % 85}",
            phone=f"08{i:08d}",
        )
        for i in range(n)
    ]
    data = csv_bytes(rows)
    timings = {}
    start = time.perf_counter()
    table = read_table("big.csv", data)
    timings["read"] = time.perf_counter() - start
    start = time.perf_counter()
    plan = check_file(town, table)
    timings["check"] = time.perf_counter() - start
    assert plan.problems == []
    start = time.perf_counter()
    result = apply_plan(welfare, plan)
    timings["write"] = time.perf_counter() - start
    assert result.residents_created == n
    start = time.perf_counter()
    again = apply_plan(welfare, check_file(town, read_table("big.csv", data)))
    timings["re-import (check + write)"] = time.perf_counter() - start
    assert (again.residents_created, again.residents_unchanged) == (0, n)
    print(f"\n{n} rows, {result.households_created} households, {len(data) / 1e6:.1f} MB CSV")
    for name, seconds in timings.items():
        print(f"  {name:28s} {seconds:6.1f} s")
