import pytest


@pytest.mark.django_db
def test_login_page_is_thai_by_default(client):
    response = client.get("/login/")
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "th"


@pytest.mark.django_db
def test_home_requires_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login/?next=/"
