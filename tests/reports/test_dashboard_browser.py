"""A real Chromium: the owner logs in, sees the dashboard with its chart, switches the period and follows a
queue link to its filtered list."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import timezone

from catalog.models import Product, Sku
from inventory.models import Warehouse
from inventory.services import stock_receive
from orders import services as orders

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def held_order(make_staff):
    """A paid order put on hold: one abnormal order waiting."""
    importlib.import_module("payments.migrations.0002_seed").seed(apps, None)
    product = Product.objects.create(code="P-DASH-B", name="羊毛围巾", status=Product.Status.PUBLISHED)
    sku = Sku.objects.create(product=product, code="DASH-B-1", price=Decimal("80.00"))
    stock_receive(sku=sku, warehouse=Warehouse.objects.create(code="DB", name="上海仓"), quantity=50, actor=None)
    order, _ = orders.order_place(
        customer={"phone": "13900000077", "name": "钱七"},
        shipping_address={"name": "钱七", "phone": "13900000077", "province": "浙江", "city": "杭州",
                          "district": "西湖区", "detail": "文三路 90 号"},
        lines=[(sku.code, 2)],
        payment_method="alipay",
        actor="test",
    )  # fmt: skip
    order = orders.order_mark_paid(order=order, amount=order.total, paid_at=timezone.now())
    return orders.order_flag_abnormal(order=order, reason="address", actor=None)


def test_owner_sees_the_dashboard_switches_the_period_and_follows_a_queue(make_staff, login_page, held_order):
    owner = make_staff("owner")
    page = login_page(owner.username)
    page.wait_for_url("**/")
    assert page.locator("h1").first.inner_text() == "仪表盘"
    assert page.locator("[data-testid=figure-paid_orders]").inner_text() == "1"
    assert page.locator("[data-testid=trend] canvas").get_attribute("data-drawn") == "1"  # Chart.js drew it
    page.click("[data-period='7d']")
    page.wait_for_url("**/?period=7d")
    assert page.locator("[data-period='7d']").get_attribute("aria-current") == "page"
    assert page.locator("[data-testid=figure-paid_orders]").inner_text() == "1"
    page.screenshot(path="/tmp/houtai-dashboard-7d.png", full_page=True)
    page.click("[data-work=orders_abnormal]")
    page.wait_for_url("**/orders/abnormal/")
    assert held_order.number in page.content()
