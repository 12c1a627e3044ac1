"""What each role sees on shared pages: read-only stock for customer service, edit links only with
the permission behind them, and dashboard figures only for the role whose figure it is."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import AttributeDefinition, Brand, Product, Sku, Tag
from inventory import services as stock
from inventory.models import Warehouse

pytestmark = pytest.mark.django_db


@pytest.fixture
def stocked_product(owner):
    product = Product.objects.create(code="P-TEA", name="龙井茶")
    skus = [Sku.objects.create(product=product, code=f"TEA-{n}", price=Decimal("99.00")) for n in (1, 2)]
    sh = Warehouse.objects.create(name="上海仓", code="SH", province="上海")
    gz = Warehouse.objects.create(name="广州仓", code="GZ", province="广东")
    stock.stock_receive(sku=skus[0], warehouse=sh, quantity=7, actor=owner)
    stock.stock_receive(sku=skus[0], warehouse=gz, quantity=5, actor=owner)
    return product


def test_customer_service_reads_stock_but_cannot_change_it(client, make_staff, stocked_product):
    client.force_login(make_staff("customer_service"))
    html = client.get(reverse("inventory:stock_list")).content.decode()
    assert "TEA-1" in html
    for name in ("stock_receive", "stock_adjust", "stock_transfer", "movement_list"):
        assert reverse(f"inventory:{name}") not in html, name
        assert client.get(reverse(f"inventory:{name}")).status_code == 403, name


def test_product_page_shows_available_stock_per_sku_to_roles_that_may_view_stock(client, make_staff, stocked_product):
    client.force_login(make_staff("customer_service"))
    html = client.get(stocked_product.get_absolute_url()).content.decode()
    assert 'data-testid="sku-available-TEA-1">12<' in html
    assert 'data-testid="sku-available-TEA-2">0<' in html


def test_product_page_stock_column_hidden_without_the_stock_permission(client, make_staff, stocked_product):
    client.force_login(make_staff("marketing"))
    html = client.get(stocked_product.get_absolute_url()).content.decode()
    assert "sku-available-" not in html


def test_product_page_query_count_does_not_grow_with_its_skus(client, make_staff, stocked_product):
    client.force_login(make_staff("customer_service"))
    url = stocked_product.get_absolute_url()
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(3, 30):
        Sku.objects.create(product=stocked_product, code=f"TEA-{n}", price=Decimal("9.00"))
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


@pytest.mark.parametrize("role", ["warehouse", "customer_service", "marketing"])
@pytest.mark.parametrize(
    "model,url_name", [(Brand, "brand"), (Tag, "tag"), (AttributeDefinition, "attributedefinition")]
)
def test_named_lists_offer_no_edit_or_delete_without_the_permission(client, make_staff, role, model, url_name):
    row = model.objects.create(name="样例")
    client.force_login(make_staff(role))
    html = client.get(reverse(f"catalog:{url_name}_list")).content.decode()
    assert "样例" in html
    assert reverse(f"catalog:{url_name}_edit", args=[row.pk]) not in html
    assert reverse(f"catalog:{url_name}_delete", args=[row.pk]) not in html
    assert 'name="name"' not in html  # no add form either


def test_named_lists_offer_edit_to_operations(client, make_staff):
    row = Brand.objects.create(name="样例")
    client.force_login(make_staff("operations"))
    html = client.get(reverse("catalog:brand_list")).content.decode()
    edit = reverse("catalog:brand_edit", args=[row.pk])
    assert edit in html and client.get(edit).status_code == 200


def _figure_keys(client):
    import re

    html = client.get("/").content.decode()
    return set(re.findall(r'data-figure="([a-z_]+)"', html))


def test_paid_sales_are_a_money_figure_the_warehouse_never_sees(client, make_staff):
    client.force_login(make_staff("warehouse"))
    keys = _figure_keys(client)
    assert "gmv" not in keys and "net" not in keys
    assert keys, "the warehouse still sees its own figures"
    client.force_login(make_staff("finance", username="fin"))
    assert "gmv" in _figure_keys(client)


def test_every_dashboard_work_item_declares_the_permission_it_needs(owner):
    from django.apps import apps

    for config in apps.get_app_configs():
        if hasattr(config, "dashboard_work"):
            for item in config.dashboard_work(owner):
                assert item.get("permission"), f"{config.label}: {item['label']} declares no permission"
