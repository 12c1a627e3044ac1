"""The marketing pages: forms refuse bad input inline and write nothing, saves are audited, exclusive
overlaps warn, lists filter by status, the cart preview explains every promotion, the order page
shows what each line got."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from marketing.models import Activity, CouponTemplate, StackingRule, TimedDiscount
from shop.models import AuditEntry
from tests.marketing.test_coupons import order

D = Decimal
pytestmark = pytest.mark.django_db


def _dt(value):
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def times():
    now = timezone.now()
    return _dt(now - timedelta(hours=1)), _dt(now + timedelta(days=3))


def activity_post(times, **extra):
    data = {
        "name": "双11满减",
        "starts_at": times[0],
        "ends_at": times[1],
        "is_enabled": "on",
        "priority": "0",
        "mode": "amount",
        "tiers": "200:20, 300:50",
        "scope": "all",
    }
    data.update(extra)
    return data


def test_an_activity_is_created_with_tiers_and_audited(owner_client, times):
    response = owner_client.post("/marketing/activities/new/", activity_post(times))
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert activity.tiers == [["200", "20"], ["300", "50"]] and activity.status == "running"
    assert AuditEntry.objects.filter(action="marketing.activity_save").count() == 1
    page = owner_client.get("/marketing/activities/", {"status": "running"})
    assert "双11满减" in page.content.decode()
    assert "双11满减" not in owner_client.get("/marketing/activities/", {"status": "ended"}).content.decode()
    edit = owner_client.get(f"/marketing/activities/{activity.pk}/")
    assert "200:20, 300:50" in edit.content.decode()


@pytest.mark.parametrize(
    "bad, field",
    [
        ({"tiers": "200:20, 100:5"}, "tiers"),
        ({"tiers": "abc"}, "tiers"),
        ({"tiers": "100:150"}, "tiers"),
        ({"mode": "quantity", "tiers": "3:120"}, "tiers"),
        ({"scope": "products"}, "products"),
    ],
)
def test_bad_activities_are_refused_inline_and_nothing_is_written(owner_client, times, bad, field):
    response = owner_client.post("/marketing/activities/new/", activity_post(times, **bad))
    assert response.status_code == 200
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert not Activity.objects.exists() and not AuditEntry.objects.exists()


def test_end_before_start_is_refused(owner_client, times):
    response = owner_client.post(
        "/marketing/activities/new/", activity_post(times, starts_at=times[1], ends_at=times[0])
    )
    assert response.context["form"].errors.get("ends_at") and not Activity.objects.exists()


@pytest.mark.parametrize("percent", ["101", "-1", "0"])
def test_timed_discount_percent_out_of_range_is_refused(owner_client, times, percent):
    data = {"name": "限时", "starts_at": times[0], "ends_at": times[1], "priority": "0", "percent_off": percent}
    data["scope"] = "all"
    response = owner_client.post("/marketing/timed/new/", data)
    assert response.context["form"].errors.get("percent_off") and not TimedDiscount.objects.exists()


def test_exclusive_overlap_warns_on_save(owner_client, times, window):
    TimedDiscount.objects.create(name="独享折扣", percent_off=D("20"), exclusive=True, **window)
    response = owner_client.post("/marketing/activities/new/", activity_post(times, exclusive="on"), follow=True)
    text = response.content.decode()
    assert "独享折扣" in text and Activity.objects.count() == 1


def test_coupon_template_validation(owner_client, times):
    data = {
        "name": "满减券",
        "type": "threshold",
        "amount": "50",
        "min_spend": "30",
        "valid_from": times[0],
        "valid_until": times[1],
        "per_customer_limit": "1",
        "priority": "0",
        "scope": "all",
        "is_enabled": "on",
    }
    response = owner_client.post("/marketing/coupons/new/", data)
    assert response.context["form"].errors.get("amount") and not CouponTemplate.objects.exists()
    response = owner_client.post("/marketing/coupons/new/", {**data, "type": "percent", "percent_off": "120"})
    assert response.context["form"].errors.get("percent_off")
    response = owner_client.post("/marketing/coupons/new/", {**data, "min_spend": "100", "claim_code": "vip50"})
    assert response.status_code == 302 and CouponTemplate.objects.get().claim_code == "VIP50"


def test_generating_codes_from_the_page(owner_client, template):
    t = template(claim_code="", total_quantity=5)
    response = owner_client.post(f"/marketing/coupons/{t.pk}/codes/", {"count": "9"})
    assert response.context["form"].errors.get("count") and not t.coupons.exists()
    response = owner_client.post(f"/marketing/coupons/{t.pk}/codes/", {"count": "3", "batch": "直播"})
    assert response.status_code == 302 and t.coupons.filter(batch="直播").count() == 3


def test_stacking_rule_page(owner_client):
    response = owner_client.post(
        "/marketing/stacking/new/", {"kind": "coupon", "combines_with": ["member_price"], "priority": "1"}
    )
    assert response.status_code == 302
    assert StackingRule.objects.get().combines_with == ["member_price"]
    again = owner_client.post("/marketing/stacking/new/", {"kind": "coupon", "priority": "1"})
    assert again.context["form"].errors.get("kind")


def test_the_preview_explains_every_promotion(owner_client, make_sku, activity, timed, template, customer, gold):
    make_sku("PV-1", price="120.00")
    customer.tier = gold
    customer.save()
    activity([(200, 20)], name="满200减20")
    timed("10", name="九折")
    response = owner_client.get(
        "/marketing/preview/", {"phone": customer.phone, "lines": "PV-1 2", "coupon_code": "NOSUCH"}
    )
    quote = response.context["quote"]
    # 240 -> member 5% 228 -> 九折 205.20 -> 满200减20 185.20
    assert quote.total == D("185.20")
    text = response.content.decode()
    assert "满200减20" in text and "九折" in text and "NOSUCH" in text
    bad = owner_client.get("/marketing/preview/", {"lines": "NOPE 1\nPV-1 x"})
    assert bad.context["form"].errors.get("lines") and bad.context["quote"] is None


def test_the_order_page_shows_the_promotions_and_the_per_line_split(owner_client, make_sku, activity):
    make_sku("OP-A", price="100.00")
    make_sku("OP-B", price="50.00")
    activity([(100, 10)], name="满100减10")
    placed = order(None, ("OP-A", 1), ("OP-B", 1))
    text = owner_client.get(f"/orders/{placed.pk}/").content.decode()
    assert 'data-testid="order-promotions"' in text and "满100减10" in text and "OP-B" in text


def test_the_customer_page_lists_their_coupons(owner_client, template, customer):
    from marketing.services import coupon_claim

    coupon_claim(template=template(), customer=customer)
    text = owner_client.get(f"/customers/{customer.pk}/").content.decode()
    assert "customer-coupons" in text or "优惠券" in text
