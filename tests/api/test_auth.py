"""Token and session authentication of the JSON API."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from tests.api.conftest import ApiClient, Town, th, token_for
from thukkhon.core.actor import SESSION_KEY, actor_for
from thukkhon.core.api_auth import api_token_issue, api_token_revoke, token_digest
from thukkhon.core.models import ApiToken, Membership

UNAUTHENTICATED = {"detail": th("Sign in, or send a valid API token.")}


def test_valid_token_acts_as_its_user_in_its_municipality(town: Town) -> None:
    response = town.api("welfare").get("/residents")
    assert response.status_code == 200
    assert response.json()["count"] == 2
    assert {r["id"] for r in response.json()["items"]} == {town.r1.pk, town.r2.pk}


def test_missing_token_is_401_with_json(town: Town) -> None:
    response = ApiClient(None).get("/residents")
    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json() == UNAUTHENTICATED


def test_wrong_token_is_401(town: Town) -> None:
    token_for(town.users["welfare"], town.muni)
    for raw in ["tk_not-a-token", "nonsense", ""]:
        response = ApiClient(raw or " ").get("/residents")
        assert response.status_code == 401
        assert response.json() == UNAUTHENTICATED


def test_other_scheme_is_401(town: Town) -> None:
    raw = token_for(town.users["welfare"], town.muni)
    client = ApiClient(None)
    client.headers["Authorization"] = f"Token {raw}"
    assert client.get("/residents").status_code == 401


def test_revoked_token_is_401(town: Town) -> None:
    actor = actor_for(town.users["welfare"], town.muni.pk)
    assert actor is not None
    token, raw = api_token_issue(actor=actor, name="hospital link")
    assert ApiClient(raw).get("/residents").status_code == 200
    api_token_revoke(actor=actor, token=token)
    token.refresh_from_db()
    assert token.revoked_at is not None
    response = ApiClient(raw).get("/residents")
    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED


def test_inactive_user_or_ended_membership_is_401(town: Town) -> None:
    user = town.users["welfare"]
    raw = token_for(user, town.muni)
    user.is_active = False
    user.save()
    assert ApiClient(raw).get("/residents").status_code == 401
    user.is_active = True
    user.save()
    assert ApiClient(raw).get("/residents").status_code == 200
    Membership.objects.filter(user=user).update(is_active=False)
    assert ApiClient(raw).get("/residents").status_code == 401


def test_token_is_bound_to_its_municipality(town: Town) -> None:
    """A user in two towns: the token for one never reads the other, even when the other is their first."""
    user = town.other_admin
    Membership.objects.create(user=user, municipality=town.muni, role="welfare")
    raw = token_for(user, town.muni)
    names = {r["first_name"] for r in ApiClient(raw).get("/residents").json()["items"]}
    assert names == {"สมชาย", "บัวคำ"}
    # Leaving the town ends the token; it does not fall back to the user's other municipality.
    Membership.objects.filter(user=user, municipality=town.muni).delete()
    assert ApiClient(raw).get("/residents").status_code == 401


def test_only_the_digest_is_stored(town: Town) -> None:
    actor = actor_for(town.users["admin"], town.muni.pk)
    assert actor is not None
    token, raw = api_token_issue(actor=actor, name="  GIS export  ")
    assert raw.startswith("tk_")
    assert len(raw) == 3 + 43
    assert token.name == "GIS export"
    assert token.digest == token_digest(raw)
    assert token.prefix == raw[:8]
    assert raw not in {token.digest, token.name}
    assert token.municipality == town.muni
    assert token.user == town.users["admin"]


def test_issue_requires_a_name(town: Town) -> None:
    actor = actor_for(town.users["admin"], town.muni.pk)
    assert actor is not None
    with pytest.raises(ValidationError) as err:
        api_token_issue(actor=actor, name="  ")
    assert list(err.value.message_dict) == ["name"]
    with pytest.raises(ValidationError):
        api_token_issue(actor=actor, name="x" * 101)
    assert ApiToken.objects.count() == 0


def test_revoke_by_owner_or_admin_only(town: Town) -> None:
    owner = actor_for(town.users["welfare"], town.muni.pk)
    admin = actor_for(town.users["admin"], town.muni.pk)
    other = actor_for(town.users["dispatcher"], town.muni.pk)
    other_admin = actor_for(town.other_admin, town.other.pk)
    assert owner and admin and other and other_admin
    token, _raw = api_token_issue(actor=owner, name="a")
    for stranger in (other, other_admin):
        with pytest.raises(PermissionDenied):
            api_token_revoke(actor=stranger, token=token)
    api_token_revoke(actor=admin, token=token)
    first = ApiToken.objects.get(pk=token.pk).revoked_at
    api_token_revoke(actor=owner, token=token)  # idempotent
    assert ApiToken.objects.get(pk=token.pk).revoked_at == first


def test_last_used_at_is_written_at_most_once_a_minute(town: Town) -> None:
    raw = token_for(town.users["welfare"], town.muni)
    token = ApiToken.objects.get(digest=token_digest(raw))
    assert token.last_used_at is None
    client = ApiClient(raw)
    client.get("/communities")
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    client.get("/communities")
    token.refresh_from_db()
    assert token.last_used_at == first
    earlier = timezone.now() - timedelta(seconds=61)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=earlier)
    client.get("/communities")
    token.refresh_from_db()
    assert token.last_used_at is not None and token.last_used_at > earlier + timedelta(seconds=60)


def test_session_auth_reads_and_needs_csrf_to_write(town: Town) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(town.users["welfare"])
    assert browser.get("/api/v1/residents").json()["count"] == 2
    body = {"code": "03", "name_th": "ชุมชนใหม่"}
    refused = browser.post("/api/v1/communities", body, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json() == {"detail": th("CSRF check failed. Reload the page and try again.")}
    page = browser.get("/api/v1/docs")  # any page that renders the token sets the cookie
    token = page.cookies["csrftoken"].value
    created = browser.post(
        "/api/v1/communities", body, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert created.status_code == 201
    assert created.json()["code"] == "03"


def test_session_uses_the_chosen_municipality(town: Town) -> None:
    user = town.other_admin
    Membership.objects.create(user=user, municipality=town.muni, role="welfare")
    browser = Client()
    browser.force_login(user)
    session = browser.session
    session[SESSION_KEY] = town.other.pk
    session.save()
    assert [r["first_name"] for r in browser.get("/api/v1/residents").json()["items"]] == ["คนอื่น"]
    session[SESSION_KEY] = town.muni.pk
    session.save()
    assert browser.get("/api/v1/residents").json()["count"] == 2


def test_session_without_membership_is_401(town: Town) -> None:
    Membership.objects.filter(user=town.users["resident"]).delete()
    browser = Client()
    browser.force_login(town.users["resident"])
    assert browser.get("/api/v1/residents").status_code == 401


def test_command_issues_and_revokes(town: Town) -> None:
    out, err = StringIO(), StringIO()
    call_command("issue_api_token", "welfare", "--name", "hospital", stdout=out, stderr=err)
    raw = out.getvalue().strip()
    assert ApiClient(raw).get("/residents").status_code == 200
    assert "shown once" in err.getvalue()
    token = ApiToken.objects.get(digest=token_digest(raw))
    assert (token.name, token.municipality) == ("hospital", town.muni)
    call_command("issue_api_token", "welfare", "--revoke", raw[:8], stdout=StringIO())
    assert ApiClient(raw).get("/residents").status_code == 401


def test_command_refuses_unknown_user_or_foreign_municipality(town: Town) -> None:
    with pytest.raises(CommandError):
        call_command("issue_api_token", "nobody", "--name", "x")
    with pytest.raises(CommandError):
        call_command("issue_api_token", "welfare", "--name", "x", "--municipality", "other")
    with pytest.raises(CommandError):
        call_command("issue_api_token", "welfare")
    assert ApiToken.objects.count() == 0
