"""The infectious-disease protocol: the MoPH template, signing, the 24-hour clock and the gate."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from tests.funerals.conftest import DIED, actor_of, bkk, case_data
from thukkhon.funerals.models import ProtocolStep, ProtocolTemplate
from thukkhon.funerals.protocol import MOPH_COVID19_STEPS, protocol_template_seed
from thukkhon.funerals.services import case_clock, case_create, case_mark_done, protocol_step_sign

pytestmark = pytest.mark.django_db
NOW = bkk(2025, 3, 5, 12, 0)
DONE_AT = bkk(2025, 3, 5, 16, 0)


@pytest.fixture
def covid_case(officer):
    return case_create(actor=officer, data=case_data(cause="infectious", disease="covid19"), now=NOW)


def test_checklist_copied_from_the_moph_template(covid_case):
    steps = list(covid_case.protocol_steps.all())
    assert len(steps) == 10
    assert [s.mandatory for s in steps].count(True) == 9
    assert steps[2].text_th == "บรรจุศพในถุงซิปกันน้ำสองชั้น ติดป้ายระบุชื่อและโรค"
    assert steps[1].text_en == "No bathing, no water-pouring rite and no embalming"
    assert ProtocolTemplate.objects.filter(municipality=covid_case.municipality).count() == 1


def test_template_is_configurable(officer):
    template = protocol_template_seed(officer.municipality)
    template.steps.filter(order__gte=3).delete()
    assert protocol_template_seed(officer.municipality).steps.count() == 2  # an edited template is kept
    case = case_create(actor=officer, data=case_data(cause="infectious", disease="covid19"), now=NOW)
    assert case.protocol_steps.count() == 2
    assert len(MOPH_COVID19_STEPS) == 10


def test_natural_death_has_no_checklist(officer):
    assert case_create(actor=officer, data=case_data(), now=NOW).protocol_steps.count() == 0


def test_sign_a_step(officer, covid_case):
    step = covid_case.protocol_steps.get(order=1)
    signed = protocol_step_sign(actor=officer, step=step, handler_name="นายช่าง ปลอดภัย", at=bkk(2025, 3, 5, 7))
    assert (signed.handler_name, signed.done_at, signed.signed_by) == (
        "นายช่าง ปลอดภัย",
        bkk(2025, 3, 5, 7),
        officer.user,
    )
    with pytest.raises(ValidationError) as error:
        protocol_step_sign(actor=officer, step=step, handler_name="อีกคน", at=bkk(2025, 3, 5, 8))
    assert error.value.message_dict["handler_name"] == ["This step was already signed."]
    other = covid_case.protocol_steps.get(order=2)
    with pytest.raises(ValidationError) as error:
        protocol_step_sign(actor=officer, step=other, handler_name=" ", at=bkk(2025, 3, 5, 8))
    assert error.value.message_dict["handler_name"] == ["Enter the name of the handler who did this step."]
    with pytest.raises(ValidationError) as error:
        protocol_step_sign(actor=officer, step=other, handler_name="ก", at=DIED - timedelta(hours=1))
    assert error.value.message_dict["done_at"] == ["A step cannot be done before the death."]


def test_clock_escalates(covid_case):
    assert case_clock(covid_case, now=NOW).state == "ok"  # type: ignore[union-attr]
    clock = case_clock(covid_case, now=bkk(2025, 3, 6, 2, 0))
    assert clock is not None
    assert (clock.state, clock.hours_left, clock.minutes_left) == ("warning", 4, 30)
    assert case_clock(covid_case, now=bkk(2025, 3, 6, 7, 0)).state == "overdue"  # type: ignore[union-attr]


def test_gate_holds_with_mandatory_steps_open(officer, covid_case):
    with pytest.raises(ValidationError) as error:
        case_mark_done(actor=officer, case=covid_case, at=DONE_AT, now=DONE_AT)
    assert error.value.message_dict["override_reason"] == [
        "Mandatory protocol steps are still open: 1, 2, 3, 4, 5, 6, 7, 8, 9. "
        "Sign them, or override with a reason."
    ]
    covid_case.refresh_from_db()
    assert (covid_case.status, covid_case.disposed_at) == ("accepted", None)


def test_welfare_officer_cannot_override(muni, covid_case):
    welfare = actor_of(muni, "welfare")
    with pytest.raises(ValidationError) as error:
        case_mark_done(actor=welfare, case=covid_case, at=DONE_AT, override_reason="เร่งด่วน", now=DONE_AT)
    assert error.value.message_dict["override_reason"] == [
        "Only a funeral officer may override the protocol."
    ]
    covid_case.refresh_from_db()
    assert covid_case.status == "accepted"


def test_officer_overrides_with_a_recorded_reason(officer, covid_case):
    case = case_mark_done(
        actor=officer,
        case=covid_case,
        at=DONE_AT,
        override_reason="ถุงศพชั้นที่สองหมด ใช้ถุงของโรงพยาบาล",
        now=DONE_AT,
    )
    assert (case.status, case.disposed_at) == ("done", DONE_AT)
    assert (case.gate_override_reason, case.gate_override_by, case.gate_override_at) == (
        "ถุงศพชั้นที่สองหมด ใช้ถุงของโรงพยาบาล",
        officer.user,
        DONE_AT,
    )
    assert case_clock(case).state == "met"  # type: ignore[union-attr]


def test_all_mandatory_steps_signed_opens_the_gate(officer, covid_case):
    for step in ProtocolStep.objects.filter(case=covid_case, mandatory=True):
        protocol_step_sign(actor=officer, step=step, handler_name="นายช่าง ปลอดภัย", at=bkk(2025, 3, 5, 9))
    case = case_mark_done(actor=officer, case=covid_case, at=DONE_AT, now=DONE_AT)
    assert (case.status, case.gate_override_reason, case.gate_override_by) == ("done", "", None)


def test_done_before_death_is_refused(officer):
    case = case_create(actor=officer, data=case_data(), now=NOW)
    with pytest.raises(ValidationError) as error:
        case_mark_done(actor=officer, case=case, at=DIED - timedelta(minutes=5), now=NOW)
    assert error.value.message_dict["at"] == ["The cremation cannot be before the death."]
    case.refresh_from_db()
    assert case.status == "accepted"
