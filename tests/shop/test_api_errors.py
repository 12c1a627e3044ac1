"""The integration API's error format (DESIGN §4) for what no endpoint handles: unknown paths and the
schema layer's validation messages, in the request's language."""

import json

import pytest

from shop.services import apikey_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def auth(owner):
    _key, secret = apikey_create(actor=owner, name="storefront", scopes=["orders:write", "orders:read"])
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
@pytest.mark.parametrize(
    "path", ["/api/v1/", "/api/v1/nope", "/api/v1/orders/1/nope", "/api/v1/products/x/y/z", "/api/v1/nope/"]
)
def test_unknown_paths_answer_404_in_the_error_format(client, auth, method, path):
    response = getattr(client, method)(path, **auth)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == "not_found" and error["message"]


def test_unknown_paths_answer_404_without_a_key_too(client):
    response = client.get("/api/v1/does-not-exist")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_known_paths_still_work(client, auth):
    assert client.get("/api/v1/health").status_code == 200
    assert client.get("/api/v1/orders/123", **auth).json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/openapi.json").status_code == 200


def _post_order(client, auth, data, **extra):
    return client.post("/api/v1/orders", json.dumps(data), content_type="application/json", **auth, **extra)


def test_schema_validation_messages_are_chinese_by_default(client, auth):
    response = _post_order(
        client,
        auth,
        {
            "external_id": "",
            "lines": [{"sku": "A", "quantity": "x"}],
            "customer": {"phone": "1" * 40, "name": "张三"},
            "points": -1,
        },
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert fields["shipping_address"] == "这个字段是必填项。"
    assert fields["external_id"] == "至少 1 个字符。"
    assert fields["customer.phone"] == "最多 30 个字符。"
    assert fields["lines.0.quantity"] == "请输入整数。"
    assert fields["points"] == "不能小于 0。"
    assert all(not any(word in m for word in ("Field", "should", "Input")) for m in fields.values()), fields


def test_schema_validation_messages_follow_the_request_language(client, auth):
    response = _post_order(client, auth, {"external_id": "X"}, HTTP_ACCEPT_LANGUAGE="en")
    fields = response.json()["error"]["fields"]
    assert fields["shipping_address"] == "This field is required."
    assert response.json()["error"]["message"] == "The request is not valid."


@pytest.mark.parametrize("query,field", [("page=abc", "page"), ("updated_since=yesterday", "updated_since")])
def test_query_validation_messages_are_translated(client, owner, query, field):
    _key, secret = apikey_create(actor=owner, name="shop", scopes=["catalog:read"])
    response = client.get(f"/api/v1/products?{query}", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 400
    message = response.json()["error"]["fields"][field]
    assert message and message.isascii() is False, message


def test_a_body_that_is_not_json_is_explained_in_chinese(client, auth):
    response = client.post("/api/v1/orders", "{", content_type="application/json", **auth)
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "请求体不是有效的 JSON。"


@pytest.fixture
def stock_auth(owner):
    _key, secret = apikey_create(actor=owner, name="erp", scopes=["stock:read", "stock:write"])
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}", "HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.mark.parametrize(
    "body,field",
    [
        ({"items": [{"sku": "A\x00", "warehouse": "W", "on_hand": 1}]}, "items.0.sku"),
        ({"items": [{"sku": "\ud800", "warehouse": "W", "on_hand": 1}]}, "items.0.sku"),
    ],
)
def test_text_no_column_can_store_is_a_400_naming_the_field(client, stock_auth, body, field):
    """Found by schemathesis: a NUL character in a SKU code made PostgreSQL refuse the lookup (a 500)."""
    raw = json.dumps(body)  # "\\u0000" and a lone "\\ud800" are valid JSON escapes
    response = client.post("/api/v1/stock/bulk", raw, content_type="application/json", **stock_auth)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_a_nul_in_a_path_or_query_is_a_400(client, stock_auth):
    assert client.get("/api/v1/stock", {"sku": "A\x00B"}, **stock_auth).status_code == 400
    response = client.put("/api/v1/stock/A%00B", {"warehouse": "W", "on_hand": 1}, "application/json", **stock_auth)
    assert response.status_code in (400, 404)  # SQLite stores NUL and finds no such SKU; PostgreSQL refuses it
    assert response.json()["error"]["code"] in ("validation", "not_found")


def test_the_schema_declares_the_error_format_for_every_operation(client):
    schema = client.get("/api/v1/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation["responses"]["4XX"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/Error"
            }, f"{method} {path}"


@pytest.mark.parametrize("since", ["0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59-23:59"])
def test_a_date_at_the_end_of_time_is_a_400(client, owner, since):
    """Found by schemathesis: updated_since this far out overflowed in the database (a 500)."""
    _key, secret = apikey_create(actor=owner, name="storefront", scopes=["catalog:read"])
    response = client.get("/api/v1/products", {"updated_since": since}, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 400
    assert "updated_since" in response.json()["error"]["fields"]


def test_a_zone_offset_past_sixteen_hours_is_read_in_utc(client, owner):
    """Found by schemathesis: PostgreSQL refuses an offset past 15:59, which ISO 8601 allows."""
    _key, secret = apikey_create(actor=owner, name="storefront", scopes=["catalog:read"])
    since = "2026-07-19T16:47:25-16:54"
    response = client.get("/api/v1/products", {"updated_since": since}, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200 and response.json()["results"] == []
