"""A resident's own sign-in: create, link, unlink, new password; the errors; who may do it; the log."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import (
    CommunityFactory,
    MunicipalityFactory,
    ResidentFactory,
    UserFactory,
    member,
)
from thukkhon.core.actor import actor_for
from thukkhon.core.models import Membership, User
from thukkhon.people.models import ResidentLinkLog, ResidentStatus
from thukkhon.rides import accounts
from thukkhon.rides.models import ResidentAccount
from thukkhon.rides.selectors import bookable_residents

pytestmark = pytest.mark.django_db


@pytest.fixture
def town():
    muni = MunicipalityFactory(code="lamphun", name_th="เทศบาลเมืองลำพูน")
    community = CommunityFactory(municipality=muni, name_th="ชุมชนประตูลี้")
    somsri = ResidentFactory(
        municipality=muni, community=community, first_name="สมศรี", last_name="ใจดี", phone="081-234-5678"
    )
    boonma = ResidentFactory(
        municipality=muni, community=community, first_name="บุญมา", last_name="สุขใจ", phone=""
    )
    welfare = member(muni, "welfare", username="welfare")
    return muni, community, somsri, boonma, welfare


def _actor(user: User):
    actor = actor_for(user)
    assert actor is not None
    return actor


def _messages(error: ValidationError) -> dict[str, list[str]]:
    return error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}


# --- The service -------------------------------------------------------------------------------------


def test_create_makes_a_user_with_the_resident_role_and_a_one_time_password(town):
    _, _, somsri, _, welfare = town
    made = accounts.resident_account_create(actor=_actor(welfare), resident=somsri, username="0812345678")
    user = made.account.user
    assert (user.username, user.display_name, user.phone, user.language) == (
        "0812345678",
        "สมศรี ใจดี",
        "081-234-5678",
        "th",
    )
    assert len(made.password) == 10
    assert set(made.password) <= set(accounts.PASSWORD_ALPHABET)
    assert made.password not in user.password  # only the hash is stored
    assert user.check_password(made.password)
    assert user.must_change_password  # the resident chooses their own at first sign-in
    assert list(
        Membership.objects.filter(user=user).values_list("municipality__code", "role", "is_active")
    ) == [("lamphun", "resident", True)]
    assert ResidentAccount.objects.get(user=user).resident == somsri
    # the new sign-in books rides for Somsri and nobody else
    assert list(bookable_residents(_actor(user))) == [somsri]
    log = ResidentLinkLog.objects.get()
    assert (log.action, log.resident, log.user, log.by) == ("account_created", somsri, user, welfare)


def test_username_suggestion_is_the_mobile_number_else_resident_id(town):
    _, _, somsri, boonma, _ = town
    assert accounts.suggest_username(somsri) == "0812345678"
    assert accounts.suggest_username(boonma) == f"resident{boonma.pk}"
    UserFactory(username="0812345678")
    assert accounts.suggest_username(somsri) == "0812345678-2"


def test_create_refuses_a_taken_username_and_changes_nothing(town):
    _, _, somsri, _, welfare = town
    UserFactory(username="somsri")
    with pytest.raises(ValidationError) as info:
        accounts.resident_account_create(actor=_actor(welfare), resident=somsri, username="SomSri")
    assert _messages(info.value) == {"username": ["ชื่อผู้ใช้ SomSri มีผู้ใช้แล้ว กรุณาเลือกชื่ออื่น"]}
    assert ResidentAccount.objects.count() == 0
    assert User.objects.filter(username__iexact="somsri").count() == 1
    assert ResidentLinkLog.objects.count() == 0


def test_create_refuses_spaces_in_a_username(town):
    _, _, somsri, _, welfare = town
    with pytest.raises(ValidationError) as info:
        accounts.resident_account_create(actor=_actor(welfare), resident=somsri, username="som sri")
    assert _messages(info.value) == {"username": ["ชื่อผู้ใช้ใช้ได้เฉพาะตัวอักษร ตัวเลข และ @ . + - _ (ห้ามเว้นวรรค)"]}
    assert User.objects.filter(username="som sri").count() == 0


def test_resident_already_linked(town):
    _, _, somsri, _, welfare = town
    accounts.resident_account_create(actor=_actor(welfare), resident=somsri, username="somsri")
    with pytest.raises(ValidationError) as info:
        accounts.resident_account_create(actor=_actor(welfare), resident=somsri, username="somsri2")
    assert _messages(info.value) == {
        "__all__": ["ผู้อยู่อาศัยคนนี้เชื่อมกับบัญชีผู้ใช้อยู่แล้ว ยกเลิกการเชื่อมก่อนจึงจะเชื่อมบัญชีอื่นได้"]
    }
    assert not User.objects.filter(username="somsri2").exists()
    other = UserFactory(username="khon")
    with pytest.raises(ValidationError):
        accounts.resident_account_link(actor=_actor(welfare), resident=somsri, username="khon")
    assert not Membership.objects.filter(user=other).exists()


def test_link_an_existing_user_and_user_already_linked(town):
    muni, _, somsri, boonma, welfare = town
    volunteer = member(muni, "volunteer", username="oraphin")
    account = accounts.resident_account_link(actor=_actor(welfare), resident=somsri, username="oraphin")
    assert account.user == volunteer
    assert sorted(Membership.objects.filter(user=volunteer).values_list("role", flat=True)) == [
        "resident",
        "volunteer",
    ]
    with pytest.raises(ValidationError) as info:
        accounts.resident_account_link(actor=_actor(welfare), resident=boonma, username="oraphin")
    assert _messages(info.value) == {"username": ["ผู้ใช้ oraphin เชื่อมกับนายสมศรี ใจดี อยู่แล้ว"]}
    assert not ResidentAccount.objects.filter(resident=boonma).exists()
    assert ResidentLinkLog.objects.get().action == "account_linked"


def test_link_refuses_a_user_of_another_municipality(town):
    _, _, somsri, _, welfare = town
    elsewhere = MunicipalityFactory(code="pasang", name_th="เทศบาลตำบลป่าซาง")
    stranger = member(elsewhere, "resident", username="stranger")
    with pytest.raises(ValidationError) as info:
        accounts.resident_account_link(actor=_actor(welfare), resident=somsri, username="stranger")
    assert _messages(info.value) == {"username": ["ผู้ใช้ stranger อยู่ในเทศบาลอื่น จึงเชื่อมกับผู้อยู่อาศัยของเทศบาลนี้ไม่ได้"]}
    assert list(Membership.objects.filter(user=stranger).values_list("municipality__code", flat=True)) == [
        "pasang"
    ]
    assert ResidentAccount.objects.count() == 0


def test_link_an_unknown_username(town):
    _, _, somsri, _, welfare = town
    with pytest.raises(ValidationError) as info:
        accounts.resident_account_link(actor=_actor(welfare), resident=somsri, username="nobody")
    assert _messages(info.value) == {"username": ["ไม่มีผู้ใช้ชื่อ nobody"]}


def test_a_user_without_any_membership_gets_the_resident_role_here(town):
    _, _, somsri, _, welfare = town
    loose = UserFactory(username="loose")
    accounts.resident_account_link(actor=_actor(welfare), resident=somsri, username="loose")
    assert list(Membership.objects.filter(user=loose).values_list("role", flat=True)) == ["resident"]


def test_unlink_ends_the_resident_role_and_relink_brings_it_back(town):
    _, _, somsri, boonma, welfare = town
    made = accounts.resident_account_create(actor=_actor(welfare), resident=somsri, username="somsri")
    user = accounts.resident_account_unlink(actor=_actor(welfare), resident=somsri)
    assert user == made.account.user
    assert ResidentAccount.objects.count() == 0
    assert actor_for(user) is None  # no active membership left: the user sees nothing
    assert User.objects.filter(username="somsri").exists()
    with pytest.raises(ValidationError) as info:
        accounts.resident_account_unlink(actor=_actor(welfare), resident=somsri)
    assert info.value.messages == ["ผู้อยู่อาศัยคนนี้ยังไม่ได้เชื่อมกับบัญชีผู้ใช้"]
    accounts.resident_account_link(actor=_actor(welfare), resident=boonma, username="somsri")
    assert list(Membership.objects.filter(user=user).values_list("role", "is_active")) == [("resident", True)]
    assert list(bookable_residents(_actor(user))) == [boonma]
    assert list(ResidentLinkLog.objects.order_by("id").values_list("action", "resident__first_name")) == [
        ("account_created", "สมศรี"),
        ("account_unlinked", "สมศรี"),
        ("account_linked", "บุญมา"),
    ]


def test_new_one_time_password(town):
    _, _, somsri, _, welfare = town
    made = accounts.resident_account_create(actor=_actor(welfare), resident=somsri, username="somsri")
    again = accounts.resident_account_new_password(actor=_actor(welfare), resident=somsri)
    assert again.password != made.password
    user = User.objects.get(username="somsri")
    assert not user.check_password(made.password)
    assert user.check_password(again.password)
    assert user.must_change_password


def test_no_new_password_for_a_staff_member(town):
    muni, _, somsri, _, welfare = town
    member(muni, "dispatcher", username="staff")
    accounts.resident_account_link(actor=_actor(welfare), resident=somsri, username="staff")
    with pytest.raises(ValidationError) as info:
        accounts.resident_account_new_password(actor=_actor(welfare), resident=somsri)
    assert info.value.messages == ["ผู้ใช้นี้เป็นเจ้าหน้าที่ของเทศบาลด้วย ผู้ดูแลระบบเป็นผู้เปลี่ยนรหัสผ่าน"]


def test_a_dead_resident_gets_no_sign_in(town):
    _, _, somsri, _, welfare = town
    somsri.status, somsri.status_date = ResidentStatus.DECEASED, date(2025, 3, 5)
    somsri.save()
    with pytest.raises(ValidationError) as info:
        accounts.resident_account_create(actor=_actor(welfare), resident=somsri, username="somsri")
    assert info.value.messages == ["บัญชีผู้ใช้มีได้เฉพาะผู้อยู่อาศัยที่ยังมีชีวิตอยู่"]


@pytest.mark.parametrize("role", ["volunteer", "teacher", "dispatcher", "resident"])
def test_other_roles_may_not_manage_sign_ins(town, role):
    muni, community, somsri, _, _ = town
    user = member(muni, role, communities=[community] if role == "volunteer" else [])
    with pytest.raises(PermissionDenied):
        accounts.resident_account_create(actor=_actor(user), resident=somsri, username="x")
    assert not User.objects.filter(username="x").exists()


def test_an_admin_of_another_town_may_not(town):
    _, _, somsri, _, _ = town
    other_admin = member(MunicipalityFactory(code="other"), "admin")
    with pytest.raises(PermissionDenied):
        accounts.resident_account_unlink(actor=_actor(other_admin), resident=somsri)


# --- The page ----------------------------------------------------------------------------------------


def test_page_create_shows_the_password_once(client, town):
    _, _, somsri, _, welfare = town
    client.force_login(welfare)
    url = f"/rides/accounts/residents/{somsri.pk}/"
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["create_form"]["username"].value() == "0812345678"
    assert "บัญชีผู้ใช้ของผู้อยู่อาศัย" in page.content.decode()
    response = client.post(url, {"action": "create", "new-username": "somsri"})
    assert response.status_code == 200
    password = response.context["new_sign_in"].password
    assert (
        f'<strong class="stat-value" id="one-time-password">{password}</strong>' in response.content.decode()
    )
    again = client.get(url)
    assert password not in again.content.decode()
    assert again.context["account"].user.username == "somsri"


def test_page_errors_are_shown_in_thai_and_change_nothing(client, town):
    _, _, somsri, _, welfare = town
    client.force_login(welfare)
    url = f"/rides/accounts/residents/{somsri.pk}/"
    response = client.post(url, {"action": "link", "link-username": "nobody"})
    assert response.status_code == 200
    assert response.context["link_form"].errors == {"username": ["ไม่มีผู้ใช้ชื่อ nobody"]}
    assert "ไม่มีผู้ใช้ชื่อ nobody" in response.content.decode()
    response = client.post(url, {"action": "unlink"})
    assert response.status_code == 400
    assert response.context["errors"] == ["ผู้อยู่อาศัยคนนี้ยังไม่ได้เชื่อมกับบัญชีผู้ใช้"]
    assert ResidentAccount.objects.count() == 0


def test_page_link_and_unlink(client, town):
    muni, _, somsri, _, welfare = town
    member(muni, "volunteer", username="oraphin")
    client.force_login(welfare)
    url = f"/rides/accounts/residents/{somsri.pk}/"
    response = client.post(url, {"action": "link", "link-username": "oraphin"}, follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert [str(m) for m in response.context["messages"]] == ["เชื่อม oraphin แล้ว"]
    assert ResidentAccount.objects.get().user.username == "oraphin"
    assert response.context["account"].user.username == "oraphin"
    response = client.post(url, {"action": "unlink"}, follow=True)
    assert ResidentAccount.objects.count() == 0
    assert [str(m) for m in response.context["messages"]] == ["ยกเลิกการเชื่อม oraphin แล้ว"]


@pytest.mark.parametrize("role", ["volunteer", "teacher", "dispatcher", "driver", "parent"])
def test_page_is_not_found_for_other_roles(client, town, role):
    muni, community, somsri, _, _ = town
    client.force_login(member(muni, role, communities=[community] if role == "volunteer" else []))
    url = f"/rides/accounts/residents/{somsri.pk}/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "create", "new-username": "x"}).status_code == 404
    assert not User.objects.filter(username="x").exists()


def test_page_of_another_towns_resident_is_not_found(client, town):
    _, _, somsri, _, _ = town
    client.force_login(member(MunicipalityFactory(code="other"), "admin"))
    assert client.get(f"/rides/accounts/residents/{somsri.pk}/").status_code == 404


def test_profile_links_to_the_sign_in_page_for_welfare_only(client, town):
    muni, _, somsri, _, welfare = town
    client.force_login(welfare)
    body = client.get(f"/registry/residents/{somsri.pk}/").content.decode()
    assert f'href="/rides/accounts/residents/{somsri.pk}/"' in body
    client.force_login(member(muni, "dispatcher"))
    body = client.get(f"/registry/residents/{somsri.pk}/").content.decode()
    assert "/rides/accounts/" not in body


def test_the_new_sign_in_works_at_the_login_page(client, town):
    _, _, somsri, _, welfare = town
    made = accounts.resident_account_create(actor=_actor(welfare), resident=somsri, username="somsri")
    response = client.post("/login/", {"username": "somsri", "password": made.password})
    assert response.status_code == 302
    assert client.get("/").headers["Location"] == "/password/"  # first the resident's own password
    own = "สมศรี-ลำพูน-2569"
    client.post("/password/", {"old_password": made.password, "new_password1": own, "new_password2": own})
    home = client.get("/")
    assert home.status_code == 200
    assert home.context["request"].actor.roles == frozenset({"resident"})
