"""A real Chromium: a marketer creates a 满减 activity and a coupon on the pages, then prices a cart on
the preview page and sees both applied."""

from datetime import timedelta

import pytest
from django.utils import timezone

from marketing.models import Activity, CouponTemplate

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("without_intake_rules"),
]


def _dt(value):
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def test_marketer_creates_an_activity_and_a_coupon_and_prices_a_cart(make_staff, login_page, make_sku):
    make_sku("BR-1", price="150.00", stock=5)
    start, end = _dt(timezone.now() - timedelta(hours=1)), _dt(timezone.now() + timedelta(days=2))
    page = login_page(make_staff("marketing").username)
    page.wait_for_url("**/")

    page.goto("/marketing/activities/")
    page.click("[data-testid=new-promotion]")
    page.fill("input[name=name]", "满200减30")
    page.fill("input[name=starts_at]", start)
    page.fill("input[name=ends_at]", end)
    page.fill("input[name=tiers]", "100:5, 200:30")  # the 5 tier is wrong on purpose first
    page.fill("input[name=tiers]", "200:30, 100:5")
    page.click("button[type=submit].primary")
    assert page.locator(".field.has-error").count() == 1  # tiers out of order, shown beside the field
    page.fill("input[name=tiers]", "200:30")
    page.click("button[type=submit].primary")
    page.wait_for_url("**/marketing/activities/")
    assert "满200减30" in page.locator("table.list").inner_text()

    page.goto("/marketing/coupons/new/")
    page.fill("input[name=name]", "十元券")
    page.select_option("select[name=type]", "fixed")
    page.fill("input[name=amount]", "10")
    page.fill("input[name=valid_from]", start)
    page.fill("input[name=valid_until]", end)
    page.fill("input[name=claim_code]", "ten")
    page.click("button[type=submit].primary")
    page.wait_for_url("**/marketing/coupons/")
    assert Activity.objects.count() == 1 and CouponTemplate.objects.get().claim_code == "TEN"

    page.goto("/marketing/preview/")
    page.fill("textarea[name=lines]", "BR-1 2")
    page.fill("input[name=coupon_code]", "TEN")
    page.click("[data-testid=price-cart]")
    page.wait_for_selector("[data-testid=preview-total]")
    promotions = page.locator("[data-testid=preview-promotions]").inner_text()
    assert "满200减30" in promotions and "十元券" in promotions
    total = page.locator("[data-testid=preview-total]").inner_text()
    assert "260.00" in total  # 300 - 30 - 10
    page.screenshot(path="/tmp/houtai-price-preview.png")
