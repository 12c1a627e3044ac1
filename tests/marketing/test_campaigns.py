"""Campaigns: coupons issued to a segment (counts, limits, idempotent rerun, texts), the campaign report on known
data, the calendar month."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.models import Customer, CustomerTag, OutboundMessage, Segment
from marketing.models import Activity, Coupon, FlashSession, Kind, OrderPromotion, TimedDiscount
from marketing.services.campaigns import (
    calendar_month,
    campaign_report,
    coupon_issue_to_phone,
    coupons_issue_to_segment,
)
from orders.models import Order
from shop.errors import DomainError

D = Decimal


@pytest.fixture
def segment(db):
    tag = CustomerTag.objects.create(name="活动客群")
    for i in range(5):
        Customer.objects.create(name=f"客{i}", phone=f"1390000000{i}").tags.add(tag)
    Customer.objects.create(name="外人", phone="13911111111")
    return Segment.objects.create(name="客群", rules={"tags": {"match": "any", "ids": [tag.pk]}})


def test_issue_to_segment_counts_limits_rerun_and_texts(segment, template, owner):
    coupon = template(total_quantity=4, claim_code="")
    first = coupons_issue_to_segment(template=coupon, segment=segment, actor=owner, chunk=2)
    assert first == {"members": 5, "issued": 4, "skipped": 0, "sold_out": 1, "texted": 4}
    coupon.refresh_from_db()
    assert coupon.issued == 4
    assert Coupon.objects.filter(template=coupon, state=Coupon.State.CLAIMED).count() == 4
    assert OutboundMessage.objects.filter(purpose="coupon_issue").count() == 4
    coupon.total_quantity = 10
    coupon.save()
    again = coupons_issue_to_segment(template=coupon, segment=segment, actor=owner, chunk=2)
    assert again == {"members": 5, "issued": 1, "skipped": 4, "sold_out": 0, "texted": 1}
    third = coupons_issue_to_segment(template=coupon, segment=segment, actor=owner)
    assert third["issued"] == 0 and third["skipped"] == 5
    assert Coupon.objects.filter(template=coupon).count() == 5
    assert OutboundMessage.objects.filter(purpose="coupon_issue").count() == 5


def test_issue_skips_customers_at_their_limit_and_refuses_outside_the_window(segment, template, owner):
    coupon = template(claim_code="")
    held = Customer.objects.get(phone="13900000000")
    coupon_issue_to_phone(template=coupon, phone="139 0000 0000", actor=owner)
    assert Coupon.objects.filter(template=coupon, customer=held).count() == 1
    result = coupons_issue_to_segment(template=coupon, segment=segment, actor=owner)
    assert (result["issued"], result["skipped"]) == (4, 1)
    with pytest.raises(DomainError):
        coupon_issue_to_phone(template=coupon, phone="13800000009", actor=owner)
    ended = template(
        claim_code="", valid_until=timezone.now() - timedelta(minutes=1), valid_from=timezone.now() - timedelta(days=2)
    )
    with pytest.raises(DomainError):
        coupons_issue_to_segment(template=ended, segment=segment, actor=owner)


def test_issue_page(segment, template, client, owner):
    coupon = template(claim_code="")
    client.force_login(owner)
    url = reverse("marketing:coupon_issue", args=[coupon.pk])
    response = client.post(url, {"action": "segment", "seg-segment": segment.pk})
    assert response.status_code == 200
    assert 'data-testid="result-issued">5<' in response.content.decode()
    response = client.post(url, {"action": "phone", "one-phone": "12"})
    assert response.status_code == 200 and Coupon.objects.filter(template=coupon).count() == 5


def _order(number, customer, total, placed_at, paid=True, status=Order.Status.PENDING_PAYMENT):
    return Order.objects.create(
        number=number,
        customer=customer,
        payment_method="alipay",
        total=D(total),
        placed_at=placed_at,
        paid_at=placed_at if paid else None,
        status=status,
    )


def test_campaign_report_on_known_data(db, template, client, owner):
    coupon = template(claim_code="")
    a, b = (
        Customer.objects.create(name="甲", phone="13700000001"),
        Customer.objects.create(name="乙", phone="13700000002"),
    )
    day1 = datetime(2026, 11, 3, 10, tzinfo=timezone.get_current_timezone())
    day2 = day1 + timedelta(days=1)
    _order("OLD1", b, "50.00", day1 - timedelta(days=30))  # b bought before: not new
    orders = [
        _order("R1", a, "90.00", day1),
        _order("R2", b, "190.00", day1 + timedelta(hours=2)),
        _order("R3", a, "80.00", day2),
        _order("R4", b, "70.00", day2, paid=False),  # unpaid: not counted
        _order("R5", a, "60.00", day2, status=Order.Status.CANCELLED),  # cancelled: not counted
    ]
    for order, amount in zip(orders, ["10.00", "10.00", "20.00", "10.00", "10.00"], strict=True):
        OrderPromotion.objects.create(
            order_id=order.pk,
            order_number=order.number,
            kind=Kind.COUPON,
            promotion_id=coupon.pk,
            name="券",
            amount=D(amount),
        )
    report = campaign_report("coupon", coupon)
    total = report["total"]
    assert (total.orders, total.gmv, total.cost, total.new_customers) == (3, D("360.00"), D("40.00"), 1)
    assert total.roi == D("8.00")  # (360 - 40) / 40
    assert [(r.day.isoformat(), r.orders, r.gmv, r.cost) for r in report["days"]] == [
        ("2026-11-03", 2, D("280.00"), D("20.00")),
        ("2026-11-04", 1, D("80.00"), D("20.00")),
    ]
    client.force_login(owner)
    response = client.get(reverse("marketing:coupon_report", args=[coupon.pk]) + "?format=csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[1:] == [
        "2026-11-03,2,280.00,20.00,1,13.00",
        "2026-11-04,1,80.00,20.00,0,3.00",
        "total,3,360.00,40.00,1,8.00",
    ]
    page = client.get(reverse("marketing:coupon_report", args=[coupon.pk]))
    assert page.status_code == 200 and page.content.decode().count('data-testid="report-day"') == 2


def test_calendar_shows_the_month_and_flags_overlapping_exclusive_activities(db, template, client, owner):
    at = lambda d: datetime(2026, 11, d, tzinfo=timezone.get_current_timezone())  # noqa: E731
    one = Activity.objects.create(
        name="双十一", tiers=[["100", "10"]], starts_at=at(10), ends_at=at(13), exclusive=True
    )
    two = TimedDiscount.objects.create(
        name="限时", percent_off=D("10"), starts_at=at(12), ends_at=at(20), exclusive=True
    )
    alone = Activity.objects.create(name="月末", tiers=[["100", "5"]], starts_at=at(25), ends_at=at(26), exclusive=True)
    FlashSession.objects.create(name="十点场", starts_at=at(11), ends_at=at(11) + timedelta(hours=1))
    template(claim_code="", valid_from=at(1) - timedelta(days=3), valid_until=at(5))
    Activity.objects.create(
        name="十二月", tiers=[["100", "5"]], starts_at=at(30) + timedelta(days=3), ends_at=at(30) + timedelta(days=5)
    )
    data = calendar_month(2026, 11)
    bars = {(b.kind, b.name): b for b in data["bars"]}
    assert set(bars) == {
        ("activity", "双十一"),
        ("timed", "限时"),
        ("activity", "月末"),
        ("flash", "十点场"),
        ("coupon", "优惠券"),
    }
    assert (bars[("activity", "双十一")].first_day, bars[("activity", "双十一")].last_day) == (10, 12)
    assert (bars[("coupon", "优惠券")].first_day, bars[("coupon", "优惠券")].last_day) == (1, 4)
    assert bars[("activity", "双十一")].conflict and bars[("timed", "限时")].conflict
    assert not bars[("activity", "月末")].conflict
    client.force_login(owner)
    page = client.get(reverse("marketing:calendar") + "?month=2026-11").content.decode()
    assert reverse("marketing:activity_edit", args=[one.pk]) in page
    assert reverse("marketing:timed_edit", args=[two.pk]) in page
    assert reverse("marketing:activity_edit", args=[alone.pk]) in page
    assert page.count('data-conflict="1"') == 2
    assert 'href="?month=2026-10"' in page and 'href="?month=2026-12"' in page
    assert "十二月" in client.get(reverse("marketing:calendar") + "?month=2026-12").content.decode()
    assert client.get(reverse("marketing:calendar") + "?month=bad").status_code == 200
