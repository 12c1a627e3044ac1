"""A database that refuses connections: a clean 503 (page or API error format, never a traceback), nothing
written, and the next request after it is back succeeds by itself."""

import pytest

from orders.models import Order
from shop.services import apikey_create

from .conftest import ADDRESS

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_api_answers_503_in_the_error_format_while_the_database_is_down_and_writes_nothing(
    client, owner, sku, database_down
):
    key = apikey_create(actor=owner, name="storefront", scopes=["orders:write", "orders:read"])[1]
    client.raise_request_exception = False
    body = {
        "external_id": "REL-1",
        "customer": {"phone": "13800138000", "name": "张三"},
        "shipping_address": ADDRESS,
        "lines": [{"sku": sku.code, "quantity": 1}],
    }
    with database_down():
        response = client.post(
            "/api/v1/orders", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}"
        )
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "busy" and error["message"]
    assert int(response["Retry-After"]) > 0
    assert "Traceback" not in response.content.decode()
    assert not Order.objects.exists()
    # back: the same call succeeds with no restart of anything
    response = client.post("/api/v1/orders", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 201
    assert Order.objects.count() == 1


def test_a_page_shows_the_503_page_while_the_database_is_down_and_works_again_after(owner_client, database_down):
    owner_client.raise_request_exception = False
    assert owner_client.get("/orders/").status_code == 200
    with database_down():
        response = owner_client.get("/orders/")
    assert response.status_code == 503
    page = response.content.decode()
    assert "<h1>503</h1>" in page and "Traceback" not in page
    assert int(response["Retry-After"]) > 0
    assert owner_client.get("/orders/").status_code == 200


def test_the_login_page_post_while_the_database_is_down_is_the_503_page(client, owner, database_down):
    client.raise_request_exception = False
    with database_down():
        response = client.post("/login/", {"username": owner.username, "password": "x"})
    assert response.status_code == 503
    assert "<h1>503</h1>" in response.content.decode()


def test_a_schema_mistake_on_sqlite_is_still_a_500_not_hidden_as_busy():
    from django.db import OperationalError, connection

    from shop.middleware import database_busy

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's messages")
    assert not database_busy(OperationalError("no such table: orders_order"))
    assert database_busy(OperationalError("unable to open database file"))
