"""Body transport on the shared fleet, ashes, receipts, notifications, stream link and PDFs."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tests.fleet_factories import VehicleFactory
from tests.funerals.conftest import bkk, case_data
from thukkhon.core.models import Notification
from thukkhon.core.pdf import render_pdf
from thukkhon.fleet.models import Reservation
from thukkhon.fleet.services import VehicleBusy, vehicle_reserve
from thukkhon.funerals.models import AshesHandover, Receipt
from thukkhon.funerals.services import (
    ashes_handover,
    case_create,
    case_mark_done,
    case_set_stream,
    fee_waive,
    receipt_issue,
    rite_add,
    transport_book,
)

pytestmark = pytest.mark.django_db
NOW = bkk(2025, 3, 5, 12, 0)
DONE = bkk(2025, 3, 6, 10, 0)


def test_transport_holds_the_shared_fleet(officer):
    van = VehicleFactory(municipality=officer.municipality, enclosed_for_infectious=True)
    case = case_create(actor=officer, data=case_data(cause="infectious", disease="covid19"), now=NOW)
    transport = transport_book(
        actor=officer,
        case=case,
        vehicle=van,
        starts_at=bkk(2025, 3, 6, 7),
        ends_at=bkk(2025, 3, 6, 8),
        pickup="โรงพยาบาลลำพูน",
        dropoff="ฌาปนสถานบ้านหลวย",
    )
    assert transport.reference == f"case:{case.pk}:t{transport.pk}"
    slots = Reservation.objects.filter(reference=transport.reference).order_by("slot")
    assert [(r.slot, r.purpose) for r in slots] == [
        (bkk(2025, 3, 6, 7, m), "funeral") for m in (0, 15, 30, 45)
    ]
    # A ride run cannot take the van while the body is carried.
    with pytest.raises(VehicleBusy):
        vehicle_reserve(
            vehicle=van,
            starts_at=bkk(2025, 3, 6, 7, 30),
            ends_at=bkk(2025, 3, 6, 9),
            purpose=Reservation.Purpose.RIDES,
            reference="run:1",
        )


def test_transport_refused_when_a_ride_holds_the_vehicle(officer):
    van = VehicleFactory(municipality=officer.municipality)
    vehicle_reserve(
        vehicle=van,
        starts_at=bkk(2025, 3, 6, 7),
        ends_at=bkk(2025, 3, 6, 9),
        purpose=Reservation.Purpose.RIDES,
        reference="run:7",
    )
    case = case_create(actor=officer, data=case_data(), now=NOW)
    with pytest.raises(VehicleBusy):
        transport_book(
            actor=officer,
            case=case,
            vehicle=van,
            starts_at=bkk(2025, 3, 6, 8),
            ends_at=bkk(2025, 3, 6, 9),
            pickup="บ้าน",
            dropoff="วัด",
        )
    assert case.transports.count() == 0
    assert Reservation.objects.filter(purpose="funeral").count() == 0


def test_infectious_transport_needs_an_enclosed_vehicle(officer):
    van = VehicleFactory(municipality=officer.municipality, enclosed_for_infectious=False)
    case = case_create(actor=officer, data=case_data(cause="infectious", disease="covid19"), now=NOW)
    with pytest.raises(ValidationError) as error:
        transport_book(
            actor=officer,
            case=case,
            vehicle=van,
            starts_at=bkk(2025, 3, 6, 7),
            ends_at=bkk(2025, 3, 6, 8),
            pickup="ก",
            dropoff="ข",
        )
    assert error.value.message_dict["vehicle"] == ["An infectious case needs an enclosed vehicle."]


def test_receipts_numbered_per_municipality_and_year(officer, muni):
    first = case_create(actor=officer, data=case_data(), now=NOW)
    second = case_create(actor=officer, data=case_data(domicile_tambon="บ้านกลาง"), now=NOW)
    r1 = receipt_issue(actor=officer, case=first, payer_name="นางสมศรี ทดสอบ", at=NOW)
    r2 = receipt_issue(actor=officer, case=second, payer_name="นายมา ไกล", at=NOW)
    assert (r1.label, r1.amount, r2.label, r2.amount) == (
        "2568/0001",
        Decimal("500.00"),
        "2568/0002",
        Decimal("3000.00"),
    )
    third = case_create(actor=officer, data=case_data(), now=NOW)
    r3 = receipt_issue(actor=officer, case=third, payer_name="ค", at=bkk(2026, 1, 2, 9))
    assert r3.label == "2569/0001"
    with pytest.raises(ValidationError) as error:
        receipt_issue(actor=officer, case=first, payer_name="อีกครั้ง", at=NOW)
    assert error.value.message_dict["payer_name"] == ["A receipt was already issued for this case."]
    assert Receipt.objects.count() == 3
    pdf = render_pdf("funerals/pdf/receipt.html", {"case": first, "receipt": r1})
    assert pdf.startswith(b"%PDF")


def test_waived_fee_has_nothing_to_pay(officer):
    case = case_create(actor=officer, data=case_data(), now=NOW)
    fee_waive(actor=officer, case=case, reason="ครอบครัวยากจน")
    with pytest.raises(ValidationError) as error:
        receipt_issue(actor=officer, case=case, payer_name="ก", at=NOW)
    assert error.value.message_dict["payer_name"] == [
        "The fee of this case is waived: there is nothing to pay."
    ]


def test_ashes_handover_and_certificate(officer):
    case = case_create(actor=officer, data=case_data(), now=NOW)
    with pytest.raises(ValidationError):
        ashes_handover(
            actor=officer,
            case=case,
            to_name="ก",
            to_id_number="1000000007771",
            signature_name="ก",
            handed_at=DONE,
            now=DONE,
        )
    case = case_mark_done(actor=officer, case=case, at=DONE, now=DONE)
    with pytest.raises(ValidationError) as error:
        ashes_handover(
            actor=officer,
            case=case,
            to_name="นางสมศรี ทดสอบ",
            to_id_number="1234567890123",
            signature_name="สมศรี",
            handed_at=bkk(2025, 3, 6, 9),
            now=DONE,
        )
    assert error.value.message_dict == {
        "to_id_number": ["The last digit does not match the other twelve: check the number again."],
        "handed_at": ["The ashes cannot be handed over before the cremation."],
    }
    handover = ashes_handover(
        actor=officer,
        case=case,
        to_name="นางสมศรี ทดสอบ",
        to_id_number="1000000007771",
        relation="ภรรยา",
        signature_name="สมศรี ทดสอบ",
        handed_at=bkk(2025, 3, 7, 9),
        now=bkk(2025, 3, 7, 9),
    )
    case.refresh_from_db()
    assert (case.status, handover.to_id_number, AshesHandover.objects.count()) == (
        "closed",
        "1000000007771",
        1,
    )
    templates = sorted(Notification.objects.values_list("template", flat=True))
    assert templates == ["funeral.ashes", "funeral.done", "funeral.received"]
    assert Notification.objects.get(template="funeral.ashes").body == (
        "The ashes of นายสมชาย ทดสอบ were handed to นางสมศรี ทดสอบ on 7 มีนาคม 2568 09:00 น."
    )
    pdf = render_pdf(
        "funerals/pdf/certificate.html", {"case": case, "ashes": handover, "booking": None, "issued": DONE}
    )
    assert pdf.startswith(b"%PDF")


def test_stream_link_and_rites_reach_the_family(officer):
    case = case_create(actor=officer, data=case_data(), now=NOW)
    rite_add(actor=officer, case=case, kind="chanting", starts_at=bkk(2025, 3, 5, 19), place="วัดพระธาตุหริภุญชัย")
    case_set_stream(actor=officer, case=case, url="https://live.example.org/rites/1")
    bodies = list(Notification.objects.filter(channel="outbox").order_by("id").values_list("body", flat=True))
    assert (
        bodies[1] == "Chanting night (สวดอภิธรรม) for นายสมชาย ทดสอบ: 5 มีนาคม 2568 19:00 น., วัดพระธาตุหริภุญชัย."
    )
    assert bodies[2] == "The rites of นายสมชาย ทดสอบ can be watched here: https://live.example.org/rites/1"
    with pytest.raises(ValidationError):
        case_set_stream(actor=officer, case=case, url="javascript:alert(1)")
    with pytest.raises(ValidationError) as error:
        rite_add(actor=officer, case=case, kind="merit", starts_at=bkk(2025, 3, 4, 19))
    assert error.value.message_dict["starts_at"] == ["A rite cannot be before the death."]
