"""Relatives after intake: staff add, correct and take off relatives; bad input changes nothing;
the relative who reported the death keeps following the case; others may not touch the list."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tests.factories import MunicipalityFactory, member
from tests.funerals.conftest import actor_of, bkk, case_data
from tests.funerals.test_views import client_for
from thukkhon.core.actor import actor_for
from thukkhon.funerals.models import Relative
from thukkhon.funerals.services import RelativeData, case_create, relative_remove, relative_save

pytestmark = pytest.mark.django_db
NOW = bkk(2025, 3, 5, 12, 0)


@pytest.fixture
def case(officer):
    return case_create(actor=officer, data=case_data(), now=NOW)


def test_add_and_correct_a_relative(officer, case):
    added = relative_save(
        actor=officer,
        case=case,
        data=RelativeData(name=" นายสมพงษ์ ทดสอบ ", relation="บุตร", phone="081-234 5679", id_number=""),
        notify=True,
    )
    assert (added.name, added.relation, added.phone, added.notify) == (
        "นายสมพงษ์ ทดสอบ",
        "บุตร",
        "0812345679",
        True,
    )
    relative_save(
        actor=officer,
        case=case,
        relative=added,
        data=RelativeData(name="นายสมพงษ์ ทดสอบ", relation="บุตรชาย", phone="0899999999"),
        notify=False,
    )
    added.refresh_from_db()
    assert (added.relation, added.phone, added.notify) == ("บุตรชาย", "0899999999", False)
    assert list(case.relatives.values_list("name", flat=True)) == ["นายสมพงษ์ ทดสอบ"]


def test_bad_input_changes_nothing(officer, case):
    with pytest.raises(ValidationError) as error:
        relative_save(
            actor=officer,
            case=case,
            data=RelativeData(name=" ", phone="12345", id_number="1234567890123"),
            notify=True,
        )
    assert error.value.message_dict == {
        "name": ["Enter the relative's name."],
        "phone": ["A Thai phone number has 9 or 10 digits and starts with 0."],
        "id_number": ["The last digit does not match the other twelve: check the number again."],
    }
    assert not case.relatives.exists()


def test_the_informant_with_an_account_stays(muni, officer):
    relative_user = member(muni, "resident")
    case = case_create(actor=actor_for(relative_user), data=case_data(), now=NOW)  # type: ignore[arg-type]
    informant = case.relatives.get()
    with pytest.raises(ValidationError):
        relative_remove(actor=officer, case=case, relative=informant)
    assert case.relatives.count() == 1
    other = relative_save(actor=officer, case=case, data=RelativeData(name="นางสาวแก้ว ทดสอบ"), notify=True)
    relative_remove(actor=officer, case=case, relative=other)
    assert list(case.relatives.all()) == [informant]


def test_only_managers_of_the_municipality(muni, case):
    with pytest.raises(PermissionDenied):
        relative_save(actor=actor_of(muni, "driver"), case=case, data=RelativeData(name="ก"), notify=True)
    elsewhere = actor_of(MunicipalityFactory(code="other"), "funeral")
    with pytest.raises(PermissionDenied):
        relative_save(actor=elsewhere, case=case, data=RelativeData(name="ก"), notify=True)
    assert not case.relatives.exists()


def test_pages(muni, case):
    client = client_for(member(muni, "funeral"))
    detail = reverse("funerals:case-detail", args=[case.pk])
    assert "No relatives recorded yet." in client.get(detail).content.decode()

    add = reverse("funerals:relative-add", args=[case.pk])
    bad = client.post(add, {"name": "นายดำ ทดสอบ", "phone": "abc"})
    assert bad.status_code == 400
    assert "A Thai phone number has 9 or 10 digits and starts with 0." in bad.content.decode()
    assert not case.relatives.exists()

    assert (
        client.post(
            add, {"name": "นายดำ ทดสอบ", "relation": "หลาน", "phone": "053511111", "notify": "on"}
        ).status_code
        == 302
    )
    relative = case.relatives.get()
    assert (relative.name, relative.phone, relative.notify) == ("นายดำ ทดสอบ", "053511111", True)

    edit = reverse("funerals:relative-edit", args=[case.pk, relative.pk])
    page = client.get(edit).content.decode()
    assert 'value="นายดำ ทดสอบ"' in page and "Take off the case" in page
    assert client.post(edit, {"name": "นายดำ ทดสอบ", "relation": "หลานชาย", "phone": ""}).status_code == 302
    relative.refresh_from_db()
    assert (relative.relation, relative.phone, relative.notify) == ("หลานชาย", "", False)
    assert "no messages" in client.get(detail).content.decode()

    assert client.post(edit, {"name": "นายดำ ทดสอบ", "remove": "1"}).status_code == 302
    assert not Relative.objects.filter(pk=relative.pk).exists()


def test_pages_refuse_others(muni, case):
    relative = relative_save(
        actor=actor_of(muni, "funeral"), case=case, data=RelativeData(name="นายดำ"), notify=True
    )
    edit = reverse("funerals:relative-edit", args=[case.pk, relative.pk])
    for role in ("driver", "executive", "resident"):
        client = client_for(member(muni, role))
        assert client.get(edit).status_code == 404
        assert client.post(reverse("funerals:relative-add", args=[case.pk]), {"name": "x"}).status_code == 404
    other_case = case_create(actor=actor_of(muni, "funeral"), data=case_data(deceased_name="นายอื่น"), now=NOW)
    client = client_for(member(muni, "funeral"))
    assert client.get(reverse("funerals:relative-edit", args=[other_case.pk, relative.pk])).status_code == 404
    assert case.relatives.count() == 1
