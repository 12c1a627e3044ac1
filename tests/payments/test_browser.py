"""A real Chromium: a finance user requests a partial refund on a payment and approves it."""

import pytest

from payments.models import Refund

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_finance_user_approves_a_partial_refund(make_staff, login_page, make_order, pay):
    payment = pay(make_order(total="150.00", lines=((2, "100.00"), (1, "50.00")))).payment
    finance = make_staff("finance")
    page = login_page(finance.username)
    page.wait_for_url("**/")
    page.click(".sidebar >> text=退款")
    page.goto(f"/payments/{payment.pk}/")
    assert page.locator("[data-testid=refundable]").inner_text() == "¥150.00"
    form = page.locator("[data-testid=refund-form]")
    form.locator("input[name=kind][value=amount]").check()
    form.locator("input[name=amount]").fill("30.50")
    form.locator("input[name=reason]").fill("商品有轻微瑕疵，部分退款")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "等待财务审批" in page.locator(".messages").inner_text()
    assert page.locator("[data-testid=refund-status]").first.inner_text() == "待审批"
    page.click("[data-testid=approve-refund]")
    page.wait_for_load_state()
    assert "退款已批准" in page.locator(".messages").inner_text()
    assert page.locator("[data-testid=refund-status]").first.inner_text() == "等待渠道确认"
    assert page.locator("[data-testid=refundable]").inner_text() == "¥119.50"
    page.screenshot(path="/tmp/houtai-payments-refund.png")
    refund = Refund.objects.get()
    assert (str(refund.amount), refund.status, refund.decided_by_id) == ("30.50", "sent", finance.pk)
