"""Cremator slots: the grid, closed days, bad input, and no double booking, also under concurrency."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from tests.funerals.conftest import DIED, bkk, case_data
from thukkhon.core.models import Notification
from thukkhon.funerals.models import ClosedDay, CremationBooking, Cremator, FuneralCase
from thukkhon.funerals.services import (
    SlotTaken,
    case_create,
    cremation_book,
    cremation_cancel,
    free_slots,
    slot_starts,
)

NOW = bkk(2025, 3, 5, 12, 0)


@pytest.mark.django_db
def test_slot_grid(cremator):
    # 08:00 start, 120 min + 60 min cool-down, at most 3 a day, ending by 17:00.
    assert slot_starts(cremator, date(2025, 3, 6)) == [
        bkk(2025, 3, 6, 8),
        bkk(2025, 3, 6, 11),
        bkk(2025, 3, 6, 14),
    ]
    cremator.capacity_per_day = 5
    assert slot_starts(cremator, date(2025, 3, 6))[-1] == bkk(2025, 3, 6, 14)  # 17:00 would end at 19:00
    assert slot_starts(cremator, date(2025, 3, 9)) == []  # a Sunday: closed


@pytest.mark.django_db
def test_book_and_free_slots(officer, cremator):
    case = case_create(actor=officer, data=case_data(), now=NOW)
    booking = cremation_book(actor=officer, case=case, cremator=cremator, starts_at=bkk(2025, 3, 6, 11))
    assert (booking.starts_at, booking.ends_at) == (bkk(2025, 3, 6, 11), bkk(2025, 3, 6, 13))
    case.refresh_from_db()
    assert case.status == "scheduled"
    assert free_slots(cremator, date(2025, 3, 6)) == [bkk(2025, 3, 6, 8), bkk(2025, 3, 6, 14)]
    assert Notification.objects.filter(template__startswith="funeral.booked").count() == 1
    other = case_create(actor=officer, data=case_data(), now=NOW)
    with pytest.raises(SlotTaken) as error:
        cremation_book(actor=officer, case=other, cremator=cremator, starts_at=bkk(2025, 3, 6, 11))
    assert error.value.message_dict["starts_at"] == [
        "This slot was just booked for another case: choose another."
    ]
    cremation_cancel(actor=officer, booking=booking, reason="ญาติขอเลื่อน")
    again = cremation_book(actor=officer, case=other, cremator=cremator, starts_at=bkk(2025, 3, 6, 11))
    assert again.case == other
    assert CremationBooking.objects.filter(cancelled_at__isnull=True).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("starts_at", "field", "message"),
    [
        (
            bkk(2025, 3, 9, 8),
            "starts_at",
            "ฌาปนสถานบ้านหลวย is closed on 9 มีนาคม 2568: choose another day.",
        ),
        (
            bkk(2025, 3, 7, 8),
            "starts_at",
            "ฌาปนสถานบ้านหลวย is closed on 7 มีนาคม 2568 (วันพระ): choose another day.",
        ),
        (bkk(2025, 3, 5, 5), "starts_at", "The cremation cannot be before the death."),
        (bkk(2025, 3, 6, 9), "starts_at", "Choose one of the cremator's slots."),
    ],
)
def test_bad_slots_change_nothing(officer, cremator, starts_at, field, message):
    ClosedDay.objects.create(crematorium=cremator.crematorium, date=date(2025, 3, 7), reason="วันพระ")
    case = case_create(actor=officer, data=case_data(), now=NOW)
    with pytest.raises(ValidationError) as error:
        cremation_book(actor=officer, case=case, cremator=cremator, starts_at=starts_at)
    assert message in error.value.message_dict[field]
    assert CremationBooking.objects.count() == 0
    case.refresh_from_db()
    assert case.status == "accepted"


@pytest.mark.django_db
def test_cremation_before_death_on_the_day_before(officer, cremator):
    case = case_create(actor=officer, data=case_data(), now=NOW)
    with pytest.raises(ValidationError) as error:
        cremation_book(actor=officer, case=case, cremator=cremator, starts_at=bkk(2025, 3, 4, 8))
    assert error.value.message_dict["starts_at"] == ["The cremation cannot be before the death."]


@pytest.mark.django_db
def test_infectious_needs_a_double_chamber(officer, cremator):
    single = Cremator.objects.create(
        municipality=cremator.municipality, crematorium=cremator.crematorium, name="เตา 2", chambers=1
    )
    case = case_create(actor=officer, data=case_data(cause="infectious", disease="covid19"), now=NOW)
    with pytest.raises(ValidationError) as error:
        cremation_book(actor=officer, case=case, cremator=single, starts_at=bkk(2025, 3, 6, 8))
    assert error.value.message_dict["cremator"] == ["An infectious case needs a double-chamber cremator."]
    assert cremation_book(actor=officer, case=case, cremator=cremator, starts_at=bkk(2025, 3, 6, 8)).pk


@pytest.mark.django_db
def test_burial_cannot_be_booked(officer, cremator):
    case = case_create(actor=officer, data=case_data(religion="islam"), now=NOW)
    with pytest.raises(ValidationError) as error:
        cremation_book(actor=officer, case=case, cremator=cremator, starts_at=bkk(2025, 3, 6, 8))
    assert error.value.message_dict["cremator"] == ["This case is a burial, not a cremation."]


@pytest.mark.django_db
def test_the_database_refuses_a_second_active_booking(officer, cremator):
    from django.db import IntegrityError, transaction

    first = case_create(actor=officer, data=case_data(), now=NOW)
    second = case_create(actor=officer, data=case_data(), now=NOW)
    cremation_book(actor=officer, case=first, cremator=cremator, starts_at=bkk(2025, 3, 6, 8))
    with pytest.raises(IntegrityError), transaction.atomic():
        CremationBooking.objects.create(
            municipality=officer.municipality,
            case=second,
            cremator=cremator,
            starts_at=bkk(2025, 3, 6, 8),
            ends_at=bkk(2025, 3, 6, 10),
            booked_by=officer.user,
        )


@pytest.mark.django_db(transaction=True)
def test_concurrent_bookings_of_one_slot_exactly_one_succeeds(officer, cremator):
    threads_n = 8
    cases = [case_create(actor=officer, data=case_data(), now=NOW) for _ in range(threads_n)]
    slot = bkk(2025, 3, 6, 14)
    barrier = threading.Barrier(threads_n)
    results: list[str] = []
    lock = threading.Lock()

    def book(case: FuneralCase) -> None:
        try:
            barrier.wait(timeout=10)
            cremation_book(actor=officer, case=case, cremator=cremator, starts_at=slot)
            outcome = "ok"
        except SlotTaken:
            outcome = "taken"
        except Exception as exc:
            outcome = type(exc).__name__
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=book, args=(case,)) for case in cases]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(results) == threads_n
    assert results.count("ok") == 1, results
    if connection.vendor == "postgresql":
        # Every loser is told the slot was taken, in the user's language.
        assert sorted(results) == ["ok"] + ["taken"] * (threads_n - 1)
    else:
        # SQLite's shared in-memory test database refuses concurrent writers with "table is locked".
        assert set(results) <= {"ok", "taken", "OperationalError"}
    assert CremationBooking.objects.filter(cremator=cremator, starts_at=slot).count() == 1
    assert FuneralCase.objects.filter(status="scheduled").count() == 1
    assert slot - timedelta(hours=1) > DIED
