"""A real Chromium at desktop and phone width: each role is offered what it may do, and nothing else."""

from decimal import Decimal

import pytest

from catalog.models import Brand, Product, Sku
from inventory import services as stock
from inventory.models import Warehouse

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [1280, 390]


def _open_nav(page, width):
    if width < 800:
        page.click(".nav-button")
        page.wait_for_timeout(300)


@pytest.fixture
def tea(make_staff):
    owner = make_staff("owner", username="boss")
    product = Product.objects.create(code="P-TEA", name="龙井茶")
    sku = Sku.objects.create(product=product, code="TEA-1", price=Decimal("99.00"))
    warehouse = Warehouse.objects.create(name="上海仓", code="SH", province="上海")
    stock.stock_receive(sku=sku, warehouse=warehouse, quantity=12, actor=owner)
    return product


@pytest.mark.parametrize("width", WIDTHS)
def test_customer_service_answers_is_it_in_stock(make_staff, login_page, tea, width):
    page = login_page(make_staff("customer_service").username)
    page.wait_for_url("**/")
    page.set_viewport_size({"width": width, "height": 900})
    _open_nav(page, width)
    page.locator('.nav-section[data-module="inventory"] .nav-link', has_text="库存").first.click()
    page.wait_for_load_state()
    assert "TEA-1" in page.locator("main").inner_text()
    assert page.locator("main a.button", has_text="调整").count() == 0
    assert page.locator("main a.button", has_text="入库").count() == 0
    page.screenshot(path=f"/tmp/houtai-cs-stock-{width}.png")
    page.goto(tea.get_absolute_url())
    cell = page.locator("[data-testid=sku-available-TEA-1]")
    assert cell.inner_text() == "12"
    assert cell.is_visible()


@pytest.mark.parametrize("width", WIDTHS)
def test_warehouse_sees_brands_without_edit_links_and_no_sales_figure(make_staff, login_page, width):
    Brand.objects.create(name="西湖")
    page = login_page(make_staff("warehouse").username)
    page.wait_for_url("**/")
    page.set_viewport_size({"width": width, "height": 900})
    assert "今日已付销售额" not in page.locator("main").inner_text()
    assert "低库存" in page.locator("main").inner_text()
    _open_nav(page, width)
    page.locator('.nav-section[data-module="catalog"] .nav-link', has_text="品牌").first.click()
    page.wait_for_load_state()
    assert "西湖" in page.locator("main").inner_text()
    assert page.locator("main a", has_text="编辑").count() == 0
    assert page.locator("main button", has_text="删除").count() == 0


@pytest.mark.parametrize("width", WIDTHS)
def test_operations_reach_the_announcements_from_their_navigation(make_staff, login_page, width):
    page = login_page(make_staff("operations").username)
    page.wait_for_url("**/")
    page.set_viewport_size({"width": width, "height": 900})
    _open_nav(page, width)
    page.locator('.nav-section[data-module="settings"] .nav-link', has_text="店铺公告").click()
    page.wait_for_load_state()
    assert page.url.endswith("/settings/announcements/")
    assert page.locator("h1").first.inner_text() == "店铺公告"
