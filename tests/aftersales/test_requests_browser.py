"""A real Chromium: a customer-service user takes a return from the request (entered from the order page) to its
refund, through the after-sales pages."""

from decimal import Decimal

import pytest

from aftersales.models import AftersalesReason, AftersalesRequest
from inventory.models import StockLevel

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_customer_service_takes_a_return_from_request_to_refund(make_staff, login_page, make_order, warehouse):
    order = make_order()
    tee = order.lines.get(sku_code="AS-TEE-M")
    cs = make_staff("customer_service")
    page = login_page(cs.username)
    page.wait_for_url("**/")
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"/orders/{order.pk}/")
    page.click("[data-testid=request-aftersales]")
    form = page.locator("[data-testid=request-new-form]")
    form.locator("select[name=kind]").select_option("return")
    form.locator("select[name=reason]").select_option(str(AftersalesReason.objects.get(code="changed_mind").pk))
    form.locator(f"input[name=qty_{tee.pk}]").fill("1")
    form.locator("input[name=note]").fill("颜色和图片不一样")
    page.click("[data-testid=submit-request]")
    page.wait_for_selector("[data-testid=approve-form]")
    request = AftersalesRequest.objects.get()
    assert page.url.endswith(f"/aftersales/requests/{request.pk}/")
    assert page.locator("[data-testid=request-status]").get_attribute("class").endswith("status-submitted")

    page.click("[data-testid=approve]")
    page.wait_for_selector("[data-testid=receive-form]")
    assert page.locator("[data-testid=return-address]").inner_text()
    page.click("[data-testid=receive]")
    page.wait_for_selector("[data-testid=inspect-form]")
    line = request.lines.get()
    inspect = page.locator("[data-testid=inspect-form]")
    inspect.locator(f"input[name=line_{line.pk}_outcome][value=restock]").check()
    inspect.locator(f"select[name=line_{line.pk}_warehouse]").select_option(str(warehouse.pk))
    page.click("[data-testid=inspect]")
    page.wait_for_selector("[data-testid=refund-form]")
    page.click("[data-testid=refund-button]")
    page.wait_for_selector("[data-testid=close-form]")
    assert page.locator("[data-testid=line-refunded]").first.inner_text().endswith("96.00")
    page.screenshot(path="/tmp/houtai-aftersales-return.png")

    request.refresh_from_db()
    assert request.status == "refunded"
    assert (request.refund.amount, request.refund.source, request.refund.status) == (
        Decimal("96.00"),
        "aftersales",
        "requested",
    )
    assert StockLevel.objects.get(sku=tee.sku, warehouse=warehouse).on_hand == 11
    page.goto(f"/orders/{order.pk}/")
    assert page.locator("[data-testid=aftersales-status]").get_attribute("class").endswith("aftersales-in_progress")
