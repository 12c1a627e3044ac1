from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import Product
from shop import services as shop_services
from tests.catalog.factories import ProductFactory, SkuFactory, sellable

pytestmark = pytest.mark.django_db


@pytest.fixture
def key(owner):
    def make(scopes):
        _key, secret = shop_services.apikey_create(actor=owner, name="storefront", scopes=scopes)
        return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    return make


def test_published_products_with_skus_and_string_prices(client, key):
    product = sellable(name="龙井")
    Product.objects.filter(pk=product.pk).update(status=Product.Status.PUBLISHED)
    SkuFactory(product=product, price=Decimal("12.30"), is_active=False)
    ProductFactory(name="草稿")
    body = client.get("/api/v1/products", **key(["catalog:read"])).json()
    assert [p["name"] for p in body["results"]] == ["龙井"]
    assert body["results"][0]["skus"][0]["price"] == "99.00"
    assert len(body["results"][0]["skus"]) == 1 and body["has_next"] is False


def test_pagination_and_updated_since(client, key, django_assert_max_num_queries):
    headers = key(["catalog:read"])
    old = timezone.now() - timezone.timedelta(days=2)
    for i in range(101):
        product = sellable()
        Product.objects.filter(pk=product.pk).update(
            status=Product.Status.PUBLISHED, updated_at=old if i == 0 else timezone.now()
        )
    with django_assert_max_num_queries(12):
        first = client.get("/api/v1/products", **headers).json()
    second = client.get("/api/v1/products?page=2", **headers).json()
    assert len(first["results"]) == 100 and first["has_next"] and len(second["results"]) == 1
    since = (timezone.now() - timezone.timedelta(days=1)).isoformat()
    recent = client.get("/api/v1/products", {"updated_since": since}, **headers).json()
    assert len(recent["results"]) == 100 and not recent["has_next"]


def test_auth_and_scope(client, key):
    assert client.get("/api/v1/products").status_code == 401
    response = client.get("/api/v1/products", **key(["orders:write"]))
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"
    bad = client.get("/api/v1/products?page=0", **key(["catalog:read"]))
    assert bad.status_code == 400
    assert client.get("/api/v1/products?updated_since=yesterday", **key(["catalog:read"])).status_code == 400


def test_each_sku_shows_its_available_stock_over_active_warehouses(client, key, owner):
    from inventory.models import Warehouse
    from inventory.services import stock_receive, stock_reserve, warehouse_save

    product = sellable(name="龙井")
    Product.objects.filter(pk=product.pk).update(status=Product.Status.PUBLISHED)
    stocked = product.skus.get()
    empty = SkuFactory(product=product, price=Decimal("50.00"))
    shanghai = Warehouse.objects.create(code="SH", name="上海仓", province="上海")
    closed = Warehouse.objects.create(code="BJ", name="北京仓", province="北京")
    stock_receive(sku=stocked, warehouse=shanghai, quantity=10, actor="test")
    stock_receive(sku=stocked, warehouse=closed, quantity=5, actor="test")
    stock_reserve(items=[(stocked, 3)], reference="R-1", warehouse=shanghai)
    warehouse_save(actor=owner, warehouse=closed, is_active=False)
    body = client.get("/api/v1/products", **key(["catalog:read"])).json()
    skus = {s["code"]: s["available"] for s in body["results"][0]["skus"]}
    assert skus == {stocked.code: 7, empty.code: 0}


@pytest.mark.parametrize("page", [10**18, 2**63, 10**30, 1_000_001])
def test_a_huge_page_is_refused_not_500(client, key, page):
    response = client.get(f"/api/v1/products?page={page}", **key(["catalog:read"]))
    assert response.status_code == 400, response.content
    assert response.json()["error"]["fields"]["page"] == "不能大于 1000000。"


def test_the_last_allowed_page_is_empty_not_an_error(client, key):
    response = client.get("/api/v1/products?page=1000000", **key(["catalog:read"]))
    assert response.status_code == 200 and response.json()["results"] == []
