"""When SQLite's write lock stays taken past the busy timeout, callers get a clean, retryable 503."""

import sqlite3
from contextlib import contextmanager

import pytest
from django.db import connection

from shop.models import Announcement
from shop.services import apikey_create

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="the embedded database's write lock")


@pytest.fixture
def write_lock_held(monkeypatch):
    """Another process holds the write lock; our connections give up after 0.2 s instead of 20 s."""

    @contextmanager
    def hold():
        connection.close()
        monkeypatch.setitem(connection.settings_dict["OPTIONS"], "timeout", 0.2)
        other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
            connection.close()

    return hold


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_an_api_write_that_cannot_get_the_lock_is_503_busy_with_retry_after(client, owner, write_lock_held):
    api_key = apikey_create(actor=owner, name="storefront", scopes=["orders:write"])[1]
    with write_lock_held():
        response = client.post(
            "/api/v1/orders",
            data={"external_id": "X"},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {api_key}",
        )
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "busy" and response.json()["error"]["message"]
    assert int(response["Retry-After"]) > 0


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_a_page_write_that_cannot_get_the_lock_shows_a_busy_page(owner_client, write_lock_held):
    announcement = Announcement.objects.create(title="双十一")
    owner_client.get("/")  # the session is read, nothing left to write
    with write_lock_held():
        response = owner_client.post(f"/settings/announcements/{announcement.pk}/delete/")
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert "稍后再试" in response.content.decode()
    assert Announcement.objects.filter(pk=announcement.pk).exists()


def test_a_lock_outside_a_view_is_the_busy_page_too_not_a_500(rf):
    from django.db import OperationalError

    from shop.views import server_error

    try:
        raise OperationalError("database is locked")  # e.g. saving the session after the view
    except OperationalError:
        response = server_error(rf.get("/"))
    assert response.status_code == 503 and response["Retry-After"]
    try:
        raise ValueError("a real bug")
    except ValueError:
        assert server_error(rf.get("/")).status_code == 500
