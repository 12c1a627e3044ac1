"""A real Chromium: a warehouse clerk ships an order with a tracking number and opens its packing slip."""

import pytest

from orders.models import Order

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("without_intake_rules"),
]


def test_clerk_ships_an_order_and_prints_its_packing_slip(make_staff, login_page, paid, sku, carrier):
    order = paid(("TEE-W-M", 2))
    clerk = make_staff("warehouse")
    page = login_page(clerk.username)
    page.wait_for_url("**/")
    page.goto(f"/orders/{order.pk}/")
    assert order.number in page.locator("h1").inner_text()
    page.select_option("[data-testid=ship-form] select[name=carrier]", str(carrier.pk))
    page.fill("[data-testid=ship-form] input[name=tracking_number]", "SF12345")
    page.click("[data-testid=ship-form] button[type=submit]")
    assert "顺丰速运" in page.locator("[data-testid=ship-form] .form-errors").inner_text()  # wrong format, in Chinese
    page.fill("[data-testid=ship-form] input[name=tracking_number]", "SF123456789012")
    page.click("[data-testid=ship-form] button[type=submit]")
    page.wait_for_selector("[data-testid=tracking-number]")
    assert page.locator("[data-testid=tracking-number]").inner_text() == "SF123456789012"
    assert "已发货" in page.locator("h1").inner_text()
    assert Order.objects.get(pk=order.pk).status == Order.Status.SHIPPED
    page.click("[data-testid=packing-slip]")
    slip = page.locator("article[data-testid=packing-slip]")
    slip.wait_for()
    text = slip.inner_text()
    assert order.number in text and "TEE-W-M" in text and "SF123456789012" in text
    page.emulate_media(media="print")
    assert not page.locator(".sidebar").is_visible()
    page.screenshot(path="/tmp/houtai-packing-slip.png")
