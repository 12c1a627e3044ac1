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
        Product.objects.filter(pk=product.pk).update(status=Product.Status.PUBLISHED,
                                                     updated_at=old if i == 0 else timezone.now())
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
