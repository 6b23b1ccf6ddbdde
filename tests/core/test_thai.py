from datetime import UTC, date, datetime

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from thukkhon.core import thai
from thukkhon.core.fields import BEDateField, NationalIdField, clean_id_number, validate_thai_national_id


@pytest.fixture(autouse=True)
def _english_messages():
    """Messages are checked against their English source strings (the Thai catalogue may change)."""
    with translation.override("en"):
        yield


# --- National ID ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first12", "check"),
    [
        ("111203456356", 2),  # 1-1120-34563-56-2, the documented example
        ("310150012345", 9),
        ("012345678901", 6),
        ("612345678901", 5),
        ("712345678901", 3),
        ("812345678901", 1),
        ("000000000000", 1),
        ("111111111111", 9),
        ("222222222222", 7),
        ("555555555555", 1),
        ("666666666666", 0),  # (11 − 1) mod 10 = 0
        ("999999999999", 4),
    ],
)
def test_check_digit(first12, check):
    assert thai.national_id_check_digit(first12) == check


def test_check_digit_needs_twelve_digits():
    with pytest.raises(ValueError):
        thai.national_id_check_digit("12345")
    with pytest.raises(ValueError):
        thai.national_id_check_digit("11120345635x")


def test_check_digit_accepts_thai_digits():
    assert thai.national_id_check_digit("๑๑๑๒๐๓๔๕๖๓๕๖") == 2


@pytest.mark.parametrize(
    "text",
    ["1-1120-34563-56-2", "1112034563562", " 1 1120 34563 56 2 ", "๑-๑๑๒๐-๓๔๕๖๓-๕๖-๒", "3101500123459"],
)
def test_valid_thai_ids(text):
    assert thai.is_valid_thai_national_id(text)
    assert thai.national_id_error(text, "thai") is None


@pytest.mark.parametrize(
    "text",
    [
        "1-1120-34563-56-3",  # wrong check digit
        "1-1120-34563-65-2",  # two digits swapped
        "111203456356",  # 12 digits
        "11120345635621",  # 14 digits
        "0123456789016",  # type 0 is not Thai
        "9123456789010",  # no type 9
        "1111111111119",  # placeholder: passes the check digit, never issued
        "1-1120-34563-56-2x",
        "",
        None,
    ],
)
def test_invalid_thai_ids(text):
    assert not thai.is_valid_thai_national_id(text)


def test_all_same_digit_numbers_are_refused_for_every_kind():
    for digit in "0123456789":
        number = digit * 12 + str(thai.national_id_check_digit(digit * 12))
        assert not thai.is_valid_thai_national_id(number)
    assert thai.national_id_error("1111111111119", "thai") == (
        "This is a placeholder, not a real ID number: choose “No identity document” instead."
    )
    assert thai.national_id_error("0000000000001", "non_thai") is not None


def test_normalize_national_id():
    assert thai.normalize_national_id("1-1120 34563-56-2") == "1112034563562"
    assert thai.normalize_national_id("๑-๑๑๒๐") == "11120"
    assert thai.normalize_national_id(None) == ""


@pytest.mark.parametrize(
    ("text", "kind", "message"),
    [
        ("1-1120-34563-56-2", "thai", None),
        (
            "1-1120-34563-56-3",
            "thai",
            "The last digit does not match the other twelve: check the number again.",
        ),
        ("1-1120-34563", "thai", "An ID number has 13 digits; this one has 10."),
        ("", "thai", "Enter the 13-digit ID number."),
        ("1-1120-34563-5A-2", "thai", "An ID number has digits only."),
        ("0123456789016", "thai", "A Thai national ID starts with a digit from 1 to 8."),
        ("0123456789016", "non_thai", None),
        ("6123456789015", "non_thai", None),
        ("7123456789013", "non_thai", None),
        ("8123456789011", "non_thai", None),
        (
            "0123456789017",
            "non_thai",
            "The last digit does not match the other twelve: check the number again.",
        ),
        ("1-1120-34563-56-2", "non_thai", "A non-Thai ID number starts with 0, 6, 7 or 8."),
        ("AA1234567", "passport", None),
        ("mm-123 456", "passport", None),
        ("A12", "passport", "Enter the document number: 5 to 20 letters or digits."),
        ("A" * 21, "passport", "Enter the document number: 5 to 20 letters or digits."),
        ("AB/12345", "passport", "Enter the document number: 5 to 20 letters or digits."),
        ("", "none", None),
        ("1112034563562", "none", "Leave the number empty when the person has no identity document."),
        ("1112034563562", "alien", "Unknown kind of identity document."),
    ],
)
def test_national_id_error(text, kind, message):
    assert thai.national_id_error(text, kind) == message


def test_format_and_mask():
    assert thai.format_national_id("1112034563562") == "1-1120-34563-56-2"
    assert thai.format_national_id("๑๑๑๒๐๓๔๕๖๓๕๖๒") == "1-1120-34563-56-2"
    assert thai.format_national_id(" AA1234567 ") == "AA1234567"
    assert thai.format_national_id("12345") == "12345"
    assert thai.format_national_id(None) == ""
    assert thai.mask_national_id("1112034563562") == "1-xxxx-xxxxx-56-2"
    assert thai.mask_national_id("1-1120-34563-56-2") == "1-xxxx-xxxxx-56-2"
    assert thai.mask_national_id("0123456789016") == "0-xxxx-xxxxx-01-6"
    assert thai.mask_national_id("AB1234567") == "xxxxxx567"
    assert thai.mask_national_id("AB-12") == "xB12"
    assert thai.mask_national_id("AB1") == "xxx"
    assert thai.mask_national_id("") == ""


def test_mask_never_shows_the_middle():
    masked = thai.mask_national_id("3101500123459")
    assert masked == "3-xxxx-xxxxx-45-9"
    assert "10150" not in masked and "01234" not in masked


# --- Digits -------------------------------------------------------------------------------------------


def test_thai_digits_round_trip():
    assert thai.thai_digits("05/03/2568") == "๐๕/๐๓/๒๕๖๘"
    assert thai.arabic_digits("๐๕/๐๓/๒๕๖๘") == "05/03/2568"
    assert thai.thai_digits("หมู่ 7") == "หมู่ ๗"
    assert thai.arabic_digits(thai.thai_digits("0123456789")) == "0123456789"


# --- Buddhist Era -----------------------------------------------------------------------------------------


def test_months():
    assert len(thai.THAI_MONTHS) == len(thai.THAI_MONTHS_SHORT) == 12
    assert thai.THAI_MONTHS[0] == "มกราคม" and thai.THAI_MONTHS[11] == "ธันวาคม"
    assert thai.THAI_MONTHS_SHORT[2] == "มี.ค." and thai.THAI_MONTHS_SHORT[11] == "ธ.ค."


@pytest.mark.parametrize(
    ("d", "year"),
    [
        (date(2025, 3, 5), 2568),
        (date(2025, 12, 31), 2568),
        (date(1941, 1, 1), 2484),  # the first B.E. year to begin on 1 January
        (date(1941, 3, 31), 2484),
        (date(1940, 12, 31), 2483),
        (date(1940, 4, 1), 2483),  # B.E. 2483 began on 1 April 1940 …
        (date(1940, 3, 31), 2482),  # … so the day before was still 2482
        (date(1940, 1, 1), 2482),
        (date(1939, 4, 1), 2482),
        (date(1920, 2, 29), 2462),
        (date(1900, 1, 1), 2442),
    ],
)
def test_be_year_with_the_pre_2484_rule(d, year):
    assert thai.be_year(d) == year


def test_format_thai_date_styles():
    d = date(2025, 3, 5)
    assert thai.format_thai_date(d) == "5 มีนาคม 2568"
    assert thai.format_thai_date(d, "short") == "5 มี.ค. 68"
    assert thai.format_thai_date(d, "numeric") == "05/03/2568"
    assert thai.format_thai_date(date(1940, 2, 15), "long") == "15 กุมภาพันธ์ 2482"
    assert thai.format_thai_date(date(2500 - 543, 1, 9), "short") == "9 ม.ค. 00"
    assert thai.format_thai_date(None) == ""
    with pytest.raises(ValueError):
        thai.format_thai_date(d, "fancy")


def test_format_thai_datetime_in_bangkok_time():
    moment = datetime(2025, 3, 5, 7, 30, tzinfo=UTC)  # 14:30 in Bangkok
    assert thai.format_thai_datetime(moment) == "5 มีนาคม 2568 14:30 น."
    assert thai.format_thai_datetime(moment, "numeric") == "05/03/2568 14:30"
    assert thai.format_thai_datetime(datetime(2025, 12, 31, 23, 59, tzinfo=UTC)) == "1 มกราคม 2569 06:59 น."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("05/03/2568", date(2025, 3, 5)),
        ("5/3/2568", date(2025, 3, 5)),
        ("5-3-2568", date(2025, 3, 5)),
        ("5.3.2568", date(2025, 3, 5)),
        (" 05 / 03 / 2568 ", date(2025, 3, 5)),
        ("๕/๓/๒๕๖๘", date(2025, 3, 5)),
        ("๐๕/๐๓/๒๕๖๘", date(2025, 3, 5)),
        ("29/02/2567", date(2024, 2, 29)),
        ("15/02/2482", date(1940, 2, 15)),  # old reckoning: C.E. + 542
        ("31/03/2482", date(1940, 3, 31)),
        ("01/04/2483", date(1940, 4, 1)),
        ("01/01/2484", date(1941, 1, 1)),
        ("15/02/2483", date(1940, 2, 15)),  # did not exist; read in the modern reckoning
    ],
)
def test_parse_be_date(text, expected):
    assert thai.parse_be_date(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("31/02/2568", "There is no day 31: month 2 of 2568 has 28 days."),
        ("29/02/2568", "There is no day 29: month 2 of 2568 has 28 days."),
        ("00/01/2568", "There is no day 0: month 1 of 2568 has 31 days."),
        ("5/13/2568", "There is no month 13: use 1 to 12."),
        ("5/3/2025", "Use the Buddhist Era year: 2025 C.E. is 2568 B.E."),
        ("5/3/1990", "Use the Buddhist Era year: 1990 C.E. is 2533 B.E."),
        ("5/3/68", "Enter the year with four digits in the Buddhist Era, e.g. 2568."),
        ("5/3/02568", "Enter the year with four digits in the Buddhist Era, e.g. 2568."),
        ("5/3/2900", "The year 2900 is too far in the future."),
        ("2568-03-05", "Enter the date as day/month/year in the Buddhist Era, e.g. 05/03/2568."),
        ("5 มีนาคม 2568", "Enter the date as day/month/year in the Buddhist Era, e.g. 05/03/2568."),
        ("", "Enter a date."),
        (None, "Enter a date."),
    ],
)
def test_parse_be_date_errors(text, message):
    with pytest.raises(ValueError) as error:
        thai.parse_be_date(text)
    assert str(error.value) == message


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_numeric_format_parses_back_exactly(d):
    text = thai.format_thai_date(d, "numeric")
    assert thai.parse_be_date(text) == d
    assert thai.parse_be_date(thai.thai_digits(text)) == d
    assert thai.ce_year(thai.be_year(d), d.month) == d.year


# --- Titles -----------------------------------------------------------------------------------------------


def test_titles_by_age():
    assert thai.titles_allowed(0)[:2] == ["ด.ช.", "ด.ญ."]
    assert set(thai.titles_allowed(14)) == {"ด.ช.", "ด.ญ.", "สามเณร", "ม.จ.", "ม.ร.ว.", "ม.ล."}
    assert "นาย" not in thai.titles_allowed(14)
    assert "สามเณร" not in thai.titles_allowed(6)
    adult = thai.titles_allowed(15)
    assert adult[:3] == ["นาย", "นาง", "นางสาว"]
    assert "ด.ช." not in adult and "ด.ญ." not in adult
    assert {"แม่ชี", "ดร.", "ศ.", "รศ.", "ผศ.", "พ.ต.อ.", "ร.ต."} <= set(adult)
    assert "พระ" not in adult and "พระ" in thai.titles_allowed(20)
    assert len(thai.titles_allowed(None)) == len(thai.TITLES)


def test_title_choices_are_grouped_data():
    groups = dict(thai.TITLE_CHOICES)
    assert ("ด.ช.", "ด.ช. (เด็กชาย)") in groups["Common titles"]
    assert ("นางสาว", "นางสาว") in groups["Common titles"]
    assert ("พระ", "พระ (พระภิกษุ)") in groups["Monastic"]
    values = [value for _group, options in thai.TITLE_CHOICES for value, _label in options]
    assert len(values) == len(set(values)) == len(thai.TITLES)
    assert all(len(v) <= 30 for v in values)  # Resident.title


def test_title_error():
    on = date(2025, 6, 1)
    assert thai.title_error("ด.ช.", date(2015, 1, 1), on=on) is None
    assert thai.title_error("เด็กหญิง", date(2015, 1, 1), on=on) is None
    assert thai.title_error("นาย", date(2010, 6, 2), on=on) == (
        "นาย is for people aged 15 or over; this person is 14."
    )
    assert thai.title_error("นาย", date(2010, 6, 1), on=on) is None  # 15th birthday
    assert thai.title_error("ด.ญ.", date(2010, 6, 1), on=on) == (
        "ด.ญ. is for children under 15; this person is 15."
    )
    assert thai.title_error("นางสาว", None, on=on) is None
    assert thai.title_error("", date(2020, 1, 1), on=on) is None
    assert thai.title_error("คุณหญิง", date(2020, 1, 1), on=on) is None  # not in the list: free text
    assert thai.title_error("ว่าที่ร.ต.", date(1990, 1, 1), on=on) is None
    assert thai.find_title("ว่าที่ร.ต.") is not None


def test_thai_sort_key_puts_leading_vowels_after_their_consonant():
    words = ["เมือง", "แม่ทา", "มะเขือ", "ลี้", "ป่าซาง", "บ้านธิ"]
    assert sorted(words, key=thai.thai_sort_key) == ["บ้านธิ", "ป่าซาง", "มะเขือ", "เมือง", "แม่ทา", "ลี้"]


# --- Form fields -----------------------------------------------------------------------------------------


class PersonForm(forms.Form):
    born = BEDateField(required=False)
    national_id = NationalIdField(required=False)


def test_be_date_field_parses_and_renders_in_be():
    form = PersonForm(data={"born": "๕/๓/๒๕๖๘", "national_id": "1-1120-34563-56-2"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"born": date(2025, 3, 5), "national_id": "1112034563562"}
    unbound = PersonForm(initial={"born": date(1940, 2, 15)})
    assert 'value="15/02/2482"' in str(unbound["born"])


def test_be_date_field_errors_speak_plainly():
    form = PersonForm(data={"born": "31/02/2568", "national_id": "1-1120-34563-56-3"})
    assert not form.is_valid()
    assert form.errors["born"] == ["There is no day 31: month 2 of 2568 has 28 days."]
    assert form.errors["national_id"] == [
        "The last digit does not match the other twelve: check the number again."
    ]
    form = PersonForm(data={"born": "5/3/2025"})
    assert form.errors["born"] == ["Use the Buddhist Era year: 2025 C.E. is 2568 B.E."]


def test_clean_id_number():
    assert clean_id_number("6-1234-56789-01-5", "non_thai") == "6123456789015"
    assert clean_id_number("aa 123-4567", "passport") == "AA1234567"
    assert clean_id_number("", "none") == ""
    validate_thai_national_id("")
    with pytest.raises(forms.ValidationError):
        validate_thai_national_id("1111111111119")


# --- Template filters -----------------------------------------------------------------------------------


class _Resident:
    def __init__(self, born, estimated=False, status="alive", status_date=None):
        self.birth_date = born
        self.birth_date_estimated = estimated
        self.status = status
        self.status_date = status_date


def _render(source, **context):
    return Template(source).render(Context(context))


def test_filters_in_thai_show_the_buddhist_era():
    d = date(2025, 3, 5)
    with translation.override("th"):
        assert _render("{{ d|be_date }}", d=d) == "5 มีนาคม 2568"
        assert _render('{{ d|be_date:"short" }}', d=d) == "5 มี.ค. 68"
        assert _render('{{ d|be_date:"numeric" }}', d=d) == "05/03/2568"
        assert (
            _render("{{ t|be_datetime }}", t=datetime(2025, 3, 5, 7, 30, tzinfo=UTC))
            == "5 มีนาคม 2568 14:30 น."
        )
        assert _render("{{ missing|be_date }}") == ""


def test_filters_in_english_show_the_common_era():
    d = date(2025, 3, 5)
    assert _render("{{ d|be_date }}", d=d) == "5 March 2025"
    assert _render('{{ d|be_date:"short" }}', d=d) == "5 Mar 2025"
    assert _render('{{ d|be_date:"numeric" }}', d=d) == "05/03/2025"
    assert _render("{{ t|be_datetime }}", t=datetime(2025, 3, 5, 7, 30, tzinfo=UTC)) == "5 March 2025 14:30"


def test_id_filters():
    assert _render("{{ n|national_id }}", n="1112034563562") == "1-1120-34563-56-2"
    assert _render("{{ n|masked_id }}", n="1112034563562") == "1-xxxx-xxxxx-56-2"
    assert _render("{{ n|thai_digits }}", n="51000") == "๕๑๐๐๐"


def test_thai_age_filter():
    today = date.today()
    born = date(today.year - 72, 1, 1)
    assert _render("{{ r|thai_age }}", r=_Resident(born)) == "aged 72"
    assert _render("{{ r|thai_age }}", r=_Resident(born, estimated=True)) == "aged about 72"
    dead = _Resident(date(1930, 5, 1), status="deceased", status_date=date(2020, 4, 30))
    assert _render("{{ r|thai_age }}", r=dead) == "aged 89"
    assert _render("{{ n|thai_age }}", n=5) == "aged 5"
    assert _render("{{ d|thai_age }}", d=born) == "aged 72"
    assert _render("{{ r|thai_age }}", r=_Resident(None)) == ""
    baby = date.fromordinal(today.toordinal() - 70)  # always two whole months
    assert _render("{{ r|thai_age }}", r=_Resident(baby)) == "aged 2 months"
