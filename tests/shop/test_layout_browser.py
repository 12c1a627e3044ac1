"""Pages fit a phone (390 px) without the page itself scrolling sideways — wide tables scroll inside their own
box — and the left navigation's background reaches the bottom of a long page at 1280 px."""

import importlib
import os
from decimal import Decimal

import pytest
from django.urls import reverse

from shop.audit import record

pytestmark = pytest.mark.browser


@pytest.fixture
def store(transactional_db, make_staff, monkeypatch):
    """A small store: a product with a long name, an order paid through the sandbox, a long audit log."""
    from django.apps import apps

    from catalog.models import Product, Sku
    from inventory.models import Warehouse
    from inventory.services import stock_receive
    from orders.services import order_place
    from payments import services as payments
    from payments.gateways import sign

    importlib.import_module("payments.migrations.0002_seed").seed(apps, None)
    monkeypatch.setenv("PAYMENT_SECRET_ALIPAY", "layout-secret")
    owner = make_staff("owner")
    product = Product.objects.create(
        code="P-LAYOUT-0001", name="加厚纯棉圆领长袖T恤（男女同款，多色可选）", status=Product.Status.PUBLISHED
    )
    sku = Sku.objects.create(
        product=product, code="LAYOUT-TEE-WHITE-XXL", price=Decimal("129.00"), cost=Decimal("40.00")
    )
    warehouse = Warehouse.objects.create(code="SH", name="上海仓", province="上海", city="上海")
    stock_receive(sku=sku, warehouse=warehouse, quantity=1000, actor=None)
    order, _created = order_place(
        customer={"phone": "13800138000", "name": "张三"},
        shipping_address={
            "name": "张三",
            "phone": "13800138000",
            "province": "上海",
            "city": "上海",
            "district": "静安区",
            "detail": "南京西路 1266 号恒隆广场 10 楼 1001 室",
        },
        lines=[(sku.code, 2)],
        payment_method="alipay",
    )
    body = (
        f'{{"order_number": "{order.number}", "transaction_id": "TX-LAYOUT-1", "amount": "{order.total}", '
        f'"status": "success", "paid_at": "2026-12-01T10:00:00+08:00"}}'
    ).encode()
    payments.payment_callback_handle(provider="alipay", body=body, signature=sign("layout-secret", body))
    for i in range(40):
        record(owner, "catalog.price_change", product, before={"price": "129.00"}, after={"price": f"{100 + i}.00"})
    return {"owner": owner, "order": order, "product": product, "payment": order.payments.first()}


def _pages(store):
    return {
        "product list": reverse("catalog:product_list"),
        "payments summary": reverse("payments:summary"),
        "payment": reverse("payments:payment_detail", args=[store["payment"].pk]),
        "settings": reverse("store_settings"),
        "order list": reverse("orders:order_list"),
        "order": reverse("orders:order_detail", args=[store["order"].pk]),
        "stock list": reverse("inventory:stock_list"),
        "payments list": reverse("payments:payment_list"),
        "audit log": reverse("audit_list"),
        "staff": reverse("staff_list"),
        "product": reverse("catalog:product_edit", args=[store["product"].pk]),
        "dashboard": reverse("dashboard"),
    }


SHOTS = os.environ.get("LAYOUT_SHOTS")  # a folder: save a screenshot of every page at both widths


def test_no_page_is_wider_than_a_phone(store, login_page):
    page = login_page(store["owner"].username)
    page.wait_for_url("**/")
    page.set_viewport_size({"width": 390, "height": 844})
    too_wide = {}
    for name, url in _pages(store).items():
        page.goto(url)
        page.wait_for_load_state("networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            too_wide[name] = width
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/uia-390-{name.replace(' ', '-')}.png", full_page=True)
    assert too_wide == {}


def test_page_header_buttons_keep_their_text_on_one_line(store, login_page):
    page = login_page(store["owner"].username)
    page.wait_for_url("**/")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(reverse("catalog:product_list"))
    for button in page.locator(".page-head .actions .button, .page-head .actions a").all():
        box = button.bounding_box()
        assert box["height"] < 40, button.inner_text()


def test_the_navigation_background_reaches_the_bottom_of_a_long_page(store, login_page):
    """Scrolled or not, on screen or in a full-page picture, the dark column runs to the document's end."""
    from PIL import Image

    page = login_page(store["owner"].username)
    page.wait_for_url("**/")
    for url in (reverse("audit_list") + "?per_page=50", reverse("catalog:product_edit", args=[store["product"].pk])):
        page.goto(url)
        page.wait_for_load_state("networkidle")
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height > 1500, "a long page"
        shot = f"/tmp/uia-1280-{url.strip('/').split('?')[0].replace('/', '-')}.png"
        page.screenshot(path=shot, full_page=True)
        picture = Image.open(shot).convert("RGB")
        for y in (10, picture.height // 2, picture.height - 3):
            assert picture.getpixel((20, y)) == (15, 29, 46), (url, y, picture.getpixel((20, y)))
        page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        hit = page.evaluate("""() => {
            const hit = document.elementFromPoint(20, window.innerHeight - 2);
            return !!hit && !!hit.closest('.sidebar');
        }""")
        assert hit
