"""Changing one's own password; a one-time password must be changed before any other page."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD, MunicipalityFactory, member
from thukkhon.core.services import password_set_by_someone_else

NEW = "ลำพูน-ใหม่-2569-xyz"


@pytest.fixture
def muni(db):
    return MunicipalityFactory(name_th="เทศบาลเมืองลำพูน")


def test_change_own_password(client, muni):
    user = member(muni, "welfare", username="somsri")
    client.force_login(user)
    assert 'href="/password/"' in client.get("/").content.decode()
    wrong = client.post("/password/", {"old_password": "nope", "new_password1": NEW, "new_password2": NEW})
    assert wrong.status_code == 200
    assert "ใส่รหัสผ่านเก่าผิด" in wrong.content.decode()
    short = client.post(
        "/password/", {"old_password": PASSWORD, "new_password1": "abc", "new_password2": "abc"}
    )
    assert short.status_code == 200
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    done = client.post("/password/", {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW})
    assert (done.status_code, done.headers["Location"]) == (302, "/")
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert client.get("/").status_code == 200  # still signed in


def test_a_one_time_password_is_changed_first(client, muni):
    user = member(muni, "resident", username="0812345678")
    password_set_by_someone_else(user=user, password="Kd7mPq2xRt")
    client.force_login(user)
    for path in ("/", "/rides/", "/registry/"):
        response = client.get(path)
        assert (response.status_code, response.headers["Location"]) == (302, "/password/")
    page = client.get("/password/")
    assert page.status_code == 200
    assert "เลือกรหัสผ่านของคุณเองก่อนใช้งานต่อ" in page.content.decode()
    assert client.post("/logout/").status_code == 302  # logging out is never held back
    client.force_login(user)
    client.post("/password/", {"old_password": "Kd7mPq2xRt", "new_password1": NEW, "new_password2": NEW})
    user.refresh_from_db()
    assert (user.must_change_password, user.check_password(NEW)) == (False, True)
    assert client.get("/").status_code == 200
