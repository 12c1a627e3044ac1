"""A real Chromium: staff build a segment, watch its live count follow the rules, save it, open a member."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from customers.models import Customer, CustomerTag, Segment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_marketing_builds_a_segment_with_a_live_count_and_opens_a_member(make_staff, login_page):
    vip = CustomerTag.objects.create(name="VIP")
    now = timezone.now()
    for i, (name, gender, spend) in enumerate(
        [("张一", "female", "600"), ("李二", "male", "300"), ("王三", "female", "0")]
    ):
        customer = Customer.objects.create(
            name=name,
            phone=f"1380000000{i}",
            gender=gender,
            spend_12m=Decimal(spend),
            lifetime_spend=Decimal(spend),
            order_count=1 if spend != "0" else 0,
            last_order_at=now - timedelta(days=5) if spend != "0" else None,
        )
        customer.tags.add(vip)
    page = login_page(make_staff("marketing").username)
    page.wait_for_url("**/")
    page.goto("/customers/segments/")
    page.click("[data-testid=segment-create]")
    count = page.locator("[data-testid=segment-count-value]")

    page.fill("input[name=spend_12m_min]", "100")
    expect(count).to_have_text("2")
    page.check("input[name=genders][value=female]")  # the count follows the rule, nothing saved yet
    expect(count).to_have_text("1")
    page.screenshot(path="/tmp/houtai-segment-builder.png", full_page=True)
    page.fill("input[name=spend_12m_max]", "50")  # an impossible range: said in place of the count
    expect(page.locator("[data-testid=segment-count-errors]")).to_be_visible()
    page.fill("input[name=spend_12m_max]", "")
    expect(count).to_have_text("1")
    assert not Segment.objects.exists()

    page.fill("input[name=name]", "高消费女客")
    page.click("[data-testid=segment-save]")
    page.wait_for_selector("[data-testid=segment-rules]")
    segment = Segment.objects.get()
    assert segment.member_count == 1 and page.url.endswith(f"/customers/segments/{segment.pk}/")
    members = page.locator("[data-testid=member-link]")
    assert members.count() == 1
    members.first.click()
    page.wait_for_url("**/customers/*/")
    assert "张一" in page.locator("h1").inner_text()
