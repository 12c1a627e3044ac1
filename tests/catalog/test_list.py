from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Product, Sku
from shop.models import AuditEntry
from tests.catalog.factories import (
    BrandFactory,
    ImageFactory,
    ProductFactory,
    SkuFactory,
    TagFactory,
    category,
    sellable,
)

pytestmark = pytest.mark.django_db


def _names(response):
    return {row.name for row in response.context["page"].rows}


def test_search_by_name_keyword_product_code_sku_code_and_barcode(owner_client):
    ProductFactory(name="纯棉圆领T恤", code="TS-01")
    ProductFactory(name="蓝牙耳机", keywords="降噪 无线")
    SkuFactory(product=ProductFactory(name="充电宝"), code="PB-20000", barcode="6901234567892")
    url = reverse("catalog:product_list")
    assert _names(owner_client.get(url, {"q": "圆领"})) == {"纯棉圆领T恤"}
    assert _names(owner_client.get(url, {"q": "降噪"})) == {"蓝牙耳机"}
    assert _names(owner_client.get(url, {"q": "PB-20000"})) == {"充电宝"}
    assert _names(owner_client.get(url, {"q": "6901234567892"})) == {"充电宝"}
    assert _names(owner_client.get(url, {"q": "TS-01"})) == {"纯棉圆领T恤"}


def test_filters_category_subtree_brand_tag_status_and_price(owner_client):
    clothes = category("服装")
    tees = category("T恤", clothes)
    tag = TagFactory(name="热卖")
    cheap = sellable(name="便宜T恤", category=tees)
    dear = ProductFactory(
        name="贵夹克",
        category=clothes,
        price_min=Decimal("500"),
        price_max=Decimal("800"),
        status=Product.Status.PUBLISHED,
    )
    dear.tags.add(tag)
    ProductFactory(name="别的")
    url = reverse("catalog:product_list")
    assert _names(owner_client.get(url, {"category": clothes.pk})) == {"便宜T恤", "贵夹克"}
    assert _names(owner_client.get(url, {"brand": cheap.brand_id})) == {"便宜T恤"}
    assert _names(owner_client.get(url, {"tags": tag.pk})) == {"贵夹克"}
    assert _names(owner_client.get(url, {"status": "published"})) == {"贵夹克"}
    assert _names(owner_client.get(url, {"price_from": "100", "price_to": "600"})) == {"贵夹克"}
    assert _names(owner_client.get(url, {"o": "price_min", "price_from": "1"})) == {"便宜T恤", "贵夹克"}


def test_the_category_and_tag_choices_come_from_the_cache(owner_client, settings):
    """The filter form's and the bulk inputs' categories and tags are read once per ROW_CACHE_SECONDS
    (shop.lists.cache_model_choices), not on every load."""
    from django.core.cache import cache

    category("服装")
    TagFactory(name="热卖")
    settings.ROW_CACHE_SECONDS = 60
    cache.clear()
    url = reverse("catalog:product_list")
    owner_client.get(url)
    with CaptureQueriesContext(connection) as queries:
        html = owner_client.get(url).content.decode()
    assert not [q for q in queries if 'FROM "catalog_category"' in q["sql"] or 'FROM "catalog_tag"' in q["sql"]]
    assert html.count(">服装</option>") == 2 and html.count(">热卖</option>") == 2
    cache.clear()


def test_list_query_count_is_the_same_at_20_and_200_rows(owner_client):
    categories = [category(f"c{i}") for i in range(3)]
    brand = BrandFactory()
    products = Product.objects.bulk_create(
        Product(code=f"BULK{i:04d}", name=f"批量商品{i}", brand=brand, category=categories[i % 3] if i < 30 else None)
        for i in range(210)
    )
    for product in products[-3:]:  # the newest rows, shown on both pages
        ImageFactory(product=product)
    url = reverse("catalog:product_list")
    owner_client.get(url)  # warm the session and permission caches
    counts = []
    for rows in (20, 200):
        with CaptureQueriesContext(connection) as queries:
            response = owner_client.get(url, {"per_page": rows})
        assert len(response.context["page"].rows) == rows
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 14, counts


def test_bulk_publish_refuses_all_when_one_cannot_be_published(owner_client):
    good, bad = sellable(name="好"), ProductFactory(name="没图")
    response = owner_client.post(
        reverse("catalog:product_list"), {"action": "publish", "ids": [good.pk, bad.pk]}, follow=True
    )
    assert "没图" in response.content.decode()
    assert not Product.objects.filter(status=Product.Status.PUBLISHED).exists()
    owner_client.post(reverse("catalog:product_list"), {"action": "publish", "ids": [good.pk]})
    assert Product.objects.get(pk=good.pk).status == Product.Status.PUBLISHED


def test_bulk_move_and_tag(owner_client):
    target = category("食品")
    tag = TagFactory(name="年货节")
    products = [ProductFactory(), ProductFactory()]
    ids = [p.pk for p in products]
    owner_client.post(reverse("catalog:product_list"), {"action": "move", "ids": ids, "category": target.pk})
    owner_client.post(reverse("catalog:product_list"), {"action": "tag_add", "ids": ids, "tag": tag.pk})
    assert set(Product.objects.values_list("category", flat=True)) == {target.pk}
    assert tag.products.count() == 2
    owner_client.post(reverse("catalog:product_list"), {"action": "tag_remove", "ids": ids[:1], "tag": tag.pk})
    assert tag.products.count() == 1
    response = owner_client.post(reverse("catalog:product_list"), {"action": "move", "ids": ids}, follow=True)
    assert "请选择分类" in response.content.decode()


def test_bulk_price_change_previews_then_applies(owner_client):
    product = ProductFactory()
    SkuFactory(product=product, code="A", price=Decimal("100.00"))
    SkuFactory(product=product, code="B", price=Decimal("19.99"))
    url = reverse("catalog:product_list")
    preview = owner_client.post(url, {"action": "price", "ids": [product.pk], "mode": "percent", "amount": "-10"})
    html = preview.content.decode()
    assert preview.status_code == 200 and "¥90.00" in html and "¥17.99" in html
    assert Sku.objects.get(code="A").price == Decimal("100.00")  # a preview changes nothing
    owner_client.post(
        reverse("catalog:product_price_apply"), {"ids": [product.pk], "mode": "percent", "amount": "-10", "back": url}
    )
    assert dict(Sku.objects.values_list("code", "price")) == {"A": Decimal("90.00"), "B": Decimal("17.99")}
    product.refresh_from_db()
    assert product.price_min == Decimal("17.99")
    assert AuditEntry.objects.filter(action="catalog.price_change").count() == 1


def test_a_price_change_below_zero_is_refused(owner_client):
    product = ProductFactory()
    SkuFactory(product=product, code="A", price=Decimal("5.00"))
    response = owner_client.post(
        reverse("catalog:product_list"),
        {"action": "price", "ids": [product.pk], "mode": "amount", "amount": "-10"},
        follow=True,
    )
    assert "A (-5.00)" in response.content.decode()
    assert Sku.objects.get(code="A").price == Decimal("5.00")


def test_roles_without_publish_permission_cannot_bulk_publish(client_as):
    product = sellable()
    client = client_as("marketing")
    assert client.get(reverse("catalog:product_list")).status_code == 200
    response = client.post(reverse("catalog:product_list"), {"action": "publish", "ids": [product.pk]})
    assert response.status_code == 403
