import json

import pytest

from inventory import services
from inventory.models import StockMovement
from shop.services import apikey_create
from tests.inventory.conftest import level

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, owner):
    def call(method, path, body=None, scopes=("stock:read", "stock:write")):
        _key, plain = apikey_create(actor=owner, name="ERP", scopes=list(scopes))
        kwargs = {"HTTP_AUTHORIZATION": f"Bearer {plain}"}
        if body is not None:
            kwargs.update(data=body if isinstance(body, str) else json.dumps(body), content_type="application/json")
        return getattr(client, method)(f"/api/v1{path}", **kwargs)

    return call


def test_get_stock_per_sku_with_warehouses(api, sku, warehouse, make_warehouse, owner):
    closed = make_warehouse("OLD")
    services.stock_receive(sku=sku, warehouse=warehouse, quantity=5, actor=owner)
    services.stock_receive(sku=sku, warehouse=closed, quantity=7, actor=owner)
    closed.is_active = False
    closed.save()
    services.stock_reserve(items=[(sku, 2)], reference="SO1")
    response = api("get", f"/stock?sku={sku.code}", scopes=["stock:read"])
    assert response.status_code == 200
    [item] = response.json()["items"]
    assert (item["sku"], item["on_hand"], item["reserved"], item["available"]) == (sku.code, 5, 2, 3)
    assert [w["warehouse"] for w in item["warehouses"]] == ["SH", "OLD"]


def test_put_sets_on_hand_with_an_erp_sync_ledger_row(api, sku, warehouse):
    response = api("put", f"/stock/{sku.code}", {"warehouse": "SH", "on_hand": 40, "reference": "ERP-7"})
    assert response.status_code == 200 and response.json()["on_hand"] == 40
    movement = StockMovement.objects.get()
    assert (movement.kind, movement.on_hand_delta, movement.actor_label, movement.reference) == (
        "erp_sync",
        40,
        "api:ERP",
        "ERP-7",
    )
    assert api("put", f"/stock/{sku.code}", {"warehouse": "SH", "on_hand": 40}).status_code == 200
    assert StockMovement.objects.count() == 1  # the same count again changes nothing


def test_bulk_is_all_or_nothing_and_names_every_bad_item(api, make_sku, warehouse):
    a, b = make_sku("A"), make_sku("B")
    response = api(
        "post",
        "/stock/bulk",
        {
            "items": [
                {"sku": "A", "warehouse": "SH", "on_hand": 3},
                {"sku": "ZZ", "warehouse": "SH", "on_hand": 1},
                {"sku": "B", "warehouse": "NOPE", "on_hand": 1},
            ]
        },
    )
    assert response.status_code == 404
    assert set(response.json()["error"]["fields"]) == {"items.1.sku", "items.2.warehouse"}
    assert not StockMovement.objects.exists()
    response = api(
        "post",
        "/stock/bulk",
        {
            "items": [
                {"sku": "A", "warehouse": "SH", "on_hand": 3},
                {"sku": "B", "warehouse": "SH", "on_hand": 1},
            ]
        },
    )
    assert response.status_code == 200
    assert (level(a, warehouse).on_hand, level(b, warehouse).on_hand) == (3, 1)


def test_on_hand_below_reserved_is_a_conflict(api, sku, warehouse, owner):
    services.stock_receive(sku=sku, warehouse=warehouse, quantity=5, actor=owner)
    services.stock_reserve(items=[(sku, 4)], reference="SO1")
    response = api("put", f"/stock/{sku.code}", {"warehouse": "SH", "on_hand": 3})
    assert response.status_code == 409 and response.json()["error"]["code"] == "below_reserved"
    assert level(sku, warehouse).on_hand == 5


@pytest.mark.parametrize(
    "method,path,body,status",
    [
        ("get", "/stock", None, 400),
        ("get", "/stock?sku=", None, 400),
        ("get", "/stock?sku=NOPE", None, 404),
        ("get", "/stock?sku=" + ",".join(["X"] * 101), None, 400),
        ("put", "/stock/SKU-1", {"warehouse": "SH", "on_hand": -1}, 400),
        ("put", "/stock/SKU-1", {"warehouse": "SH", "on_hand": "many"}, 400),
        ("put", "/stock/SKU-1", {"warehouse": "SH", "on_hand": 10**12}, 400),
        ("put", "/stock/SKU-1", {"on_hand": 1}, 400),
        ("put", "/stock/SKU-1", "not json", 400),
        ("put", "/stock/NOPE", {"warehouse": "SH", "on_hand": 1}, 404),
        ("put", "/stock/" + "X" * 300, {"warehouse": "SH", "on_hand": 1}, 404),
        ("post", "/stock/bulk", {"items": []}, 400),
        ("post", "/stock/bulk", {"items": [{"sku": None}]}, 400),
        ("post", "/stock/bulk", [1, 2], 400),
    ],
)
def test_bad_input_gets_an_error_body_never_a_500(api, sku, warehouse, method, path, body, status):
    response = api(method, path, body)
    assert response.status_code == status
    assert response.json()["error"]["message"]
    assert not StockMovement.objects.exists()


def test_scopes_are_enforced(api, sku, warehouse, client):
    assert api("put", f"/stock/{sku.code}", {"warehouse": "SH", "on_hand": 1}, scopes=["stock:read"]).status_code == 403
    assert api("get", f"/stock?sku={sku.code}", scopes=["orders:read"]).status_code == 403
    assert client.get(f"/api/v1/stock?sku={sku.code}").status_code == 401
