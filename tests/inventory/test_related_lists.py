"""Related lists on detail pages are bounded: a supplier's SKUs and a product's stock movements show their
first rows and link to the full list page filtered to the supplier or the product."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Product, Sku
from inventory import services
from inventory.models import Supplier, SupplierSku

pytestmark = pytest.mark.django_db


def _section(html, key):
    return html.split(f'data-testid="related-{key}"', 1)[1].split("</section>", 1)[0]


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


@pytest.fixture
def supplier(db):
    return Supplier.objects.create(name="杭州茶厂")


def _supply(supplier, make_sku, n, start=0):
    for i in range(start, start + n):
        SupplierSku.objects.create(supplier=supplier, sku=make_sku(f"SUP-{i:03d}"), cost=Decimal("10.00"))


def test_supplier_page_shows_twenty_skus_and_links_to_all_of_them(owner_client, supplier, make_sku):
    _supply(supplier, make_sku, 30)
    other = Supplier.objects.create(name="别家")
    SupplierSku.objects.create(supplier=other, sku=make_sku("OTHER-1"), cost=Decimal("1.00"))
    html = owner_client.get(reverse("inventory:supplier_edit", args=[supplier.pk])).content.decode()
    section = _section(html, "supplier-skus")
    assert len(re.findall(r"SUP-\d{3}", section)) == 20
    link = f"{reverse('inventory:supplied_sku_list')}?supplier={supplier.pk}"
    assert f'href="{link}"' in section and "(30)" in section
    page = owner_client.get(link + "&per_page=50").content.decode()
    assert len(set(re.findall(r"SUP-\d{3}", page))) == 30
    assert "OTHER-1" not in page


def test_supplier_page_query_count_does_not_grow_with_its_skus(owner_client, supplier, make_sku):
    _supply(supplier, make_sku, 25)
    url = reverse("inventory:supplier_edit", args=[supplier.pk])
    owner_client.get(url)
    few = _queries(owner_client, url)
    _supply(supplier, make_sku, 40, start=25)
    assert _queries(owner_client, url) == few


@pytest.fixture
def product_with_movements(owner, warehouse):
    product = Product.objects.create(code="P-MOVE", name="移动商品")
    skus = [Sku.objects.create(product=product, code=f"MV-{n}", price=Decimal("9.00")) for n in (1, 2)]
    for n in range(15):
        for sku in skus:
            services.stock_receive(sku=sku, warehouse=warehouse, quantity=n + 1, actor=owner, reason=f"到货{n:02d}")
    return product


def test_product_page_shows_twenty_stock_movements_and_links_to_the_ledger_filtered_by_product(
    owner_client, product_with_movements, make_sku, warehouse, owner
):
    elsewhere = make_sku("ELSEWHERE")
    services.stock_receive(sku=elsewhere, warehouse=warehouse, quantity=3, actor=owner)
    html = owner_client.get(product_with_movements.get_absolute_url()).content.decode()
    section = _section(html, "stock-movements")
    assert len(re.findall(r"<tr data-movement", section)) == 20
    link = f"{reverse('inventory:movement_list')}?product={product_with_movements.pk}"
    assert f'href="{link}"' in section and "(30)" in section
    page = owner_client.get(link + "&per_page=50").content.decode()
    assert page.count("MV-1") == 15 and page.count("MV-2") == 15
    assert "ELSEWHERE" not in page


def test_product_page_query_count_does_not_grow_with_its_movements(
    owner_client, product_with_movements, warehouse, owner
):
    url = product_with_movements.get_absolute_url()
    owner_client.get(url)
    few = _queries(owner_client, url)
    sku = product_with_movements.skus.first()
    for _n in range(30):
        services.stock_receive(sku=sku, warehouse=warehouse, quantity=1, actor=owner)
    assert _queries(owner_client, url) == few


def test_product_page_shows_no_movements_to_a_role_that_cannot_view_the_ledger(
    client, make_staff, product_with_movements
):
    client.force_login(make_staff("customer_service"))
    html = client.get(product_with_movements.get_absolute_url()).content.decode()
    assert "related-stock-movements" not in html
