"""Bundles (套餐): whole bundles at the bundle price, refusals with the reason, stacking with a coupon,
the allocation to lines and an exact partial refund, the pages' validation."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from marketing.models import Bundle, BundleItem, Kind, OrderPromotion, StackingRule
from marketing.pricing import price_cart
from shop.models import AuditEntry
from tests.marketing.test_coupons import order

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """These tests read the engine's reasons as the English catalogue has them."""
    with translation.override("en"):
        yield


@pytest.fixture
def bundle(db, window):
    def make(price, items, **extra):
        made = Bundle.objects.create(name=extra.pop("name", "套餐"), price=D(price), **window, **extra)
        for sku, quantity in items:
            BundleItem.objects.create(bundle=made, sku=sku, quantity=quantity)
        return made

    return make


@pytest.fixture
def pair(make_sku):
    return make_sku("BD-A", price="100.00", stock=50), make_sku("BD-B", price="50.00", stock=50)


def by_name(quote):
    return {p.name: p for p in quote.promotions}


def test_a_bundle_applies_once_and_allocates_to_its_lines(pair, bundle, make_sku):
    a, b = pair
    other = make_sku(price="30.00")
    bundle("120.00", [(a, 1), (b, 1)], name="AB套餐")
    quote = price_cart(lines=[(a, 1), (b, 1), (other, 1)])
    # 150 list - 120 bundle = 30 off, split 100:50 -> 20 / 10; the other line untouched
    assert quote.discount == D("30.00") and quote.total == D("150.00")
    assert [line.discount for line in quote.lines] == [D("20.00"), D("10.00"), D("0.00")]
    applied = by_name(quote)["AB套餐"]
    assert applied.applied and applied.kind == Kind.BUNDLE and applied.amount == D("30.00")
    assert applied.lines == {"BD-A": D("20.00"), "BD-B": D("10.00")}


def test_a_bundle_applies_as_many_whole_times_as_fit(pair, bundle):
    a, b = pair
    bundle("120.00", [(a, 1), (b, 2)], name="A+2B")
    quote = price_cart(lines=[(a, 3), (b, 5)])
    # 2 whole bundles (B limits: 5 // 2); units 2 A (200) + 4 B (200) = 400 - 240 = 160 off
    assert quote.discount == D("160.00")
    assert [line.discount for line in quote.lines] == [D("80.00"), D("80.00")]
    assert quote.total == D("300.00") + D("250.00") - D("160.00")


def test_allocation_sums_to_the_discount_with_the_leftover_cent_on_the_largest_line(make_sku, bundle):
    a, b, c = make_sku(price="33.33"), make_sku(price="33.33"), make_sku(price="33.34")
    bundle("90.00", [(a, 1), (b, 1), (c, 1)])
    quote = price_cart(lines=[(a, 1), (b, 1), (c, 1)])
    # 10 off over 33.33 / 33.33 / 33.34: 3.33 / 3.33 / 3.33 -> the leftover cent to the largest line
    assert [line.discount for line in quote.lines] == [D("3.33"), D("3.33"), D("3.34")]
    assert sum(line.discount for line in quote.lines) == quote.discount == D("10.00")


def test_a_partial_cart_is_refused_with_the_reason(pair, bundle):
    a, b = pair
    bundle("120.00", [(a, 1), (b, 1)], name="AB套餐")
    bundle("180.00", [(a, 2)], name="A两件")
    quote = price_cart(lines=[(a, 1)])
    assert quote.discount == 0
    assert not by_name(quote)["AB套餐"].applied and "lacks SKU BD-B" in by_name(quote)["AB套餐"].reason
    reason = by_name(quote)["A两件"].reason
    assert not by_name(quote)["A两件"].applied and "needs 2 of SKU BD-A" in reason and "has 1" in reason


def test_two_bundles_never_share_a_unit(pair, bundle):
    a, b = pair
    bundle("120.00", [(a, 1), (b, 1)], name="AB套餐", priority=5)
    bundle("90.00", [(a, 1), (b, 1)], name="便宜套餐")
    quote = price_cart(lines=[(a, 1), (b, 1)])
    assert quote.discount == D("30.00")
    assert "Another bundle" in by_name(quote)["便宜套餐"].reason


def test_a_bundle_stacks_with_a_coupon_unless_a_rule_keeps_them_apart(pair, bundle, template):
    a, b = pair
    bundle("120.00", [(a, 1), (b, 1)], name="AB套餐")
    template(amount=D("10.00"))
    quote = price_cart(lines=[(a, 1), (b, 1)], coupon_code="SAVE10")
    assert quote.discount == D("40.00") and [p.kind for p in quote.applied] == ["bundle", "coupon"]
    StackingRule.objects.create(kind=Kind.BUNDLE, combines_with=["member_price"])
    quote = price_cart(lines=[(a, 1), (b, 1)], coupon_code="SAVE10")
    assert quote.discount == D("30.00") and [p.kind for p in quote.applied] == ["bundle"]
    assert "stacking rule" in by_name(quote)["优惠券"].reason


def test_a_bundle_out_of_its_window_or_disabled_does_not_apply(pair, bundle, window):
    a, b = pair
    bundle("120.00", [(a, 1), (b, 1)], is_enabled=False)
    made = bundle("120.00", [(a, 1), (b, 1)])
    made.ends_at = timezone.now() - timedelta(minutes=1)
    made.save()
    assert price_cart(lines=[(a, 1), (b, 1)]).discount == 0


def test_the_order_records_the_bundle_and_a_partial_refund_returns_what_the_line_was_charged(
    pair, bundle, owner, monkeypatch
):
    import importlib

    from django.apps import apps

    from payments import services as payment_services
    from payments.gateways import sign
    from tests.payments.conftest import SECRETS, callback_body

    importlib.import_module("payments.migrations.0002_seed").seed(apps, None)
    a, b = pair
    made = bundle("99.99", [(a, 1), (b, 2)], name="A+2B")
    # 200 - 99.99 = 100.01 off: 50.005 each -> 50.01 + 50.01, the first of the equal largest gives the cent back
    placed = order(None, ("BD-A", 1), ("BD-B", 2))
    lines = list(placed.lines.order_by("pk"))
    assert [line.line_total for line in lines] == [D("50.00"), D("49.99")]
    row = OrderPromotion.objects.get(order_id=placed.pk)
    assert (row.kind, row.promotion_id, row.amount) == ("bundle", made.pk, D("100.01"))
    monkeypatch.setenv("PAYMENT_SECRET_ALIPAY", SECRETS["alipay"])
    body = callback_body(placed.number, placed.total, f"TX{placed.number}")
    payment = payment_services.payment_callback_handle(
        provider="alipay", body=body, signature=sign(SECRETS["alipay"], body)
    ).payment
    refund = payment_services.refund_request(payment=payment, actor=owner, reason="退一件B", lines={lines[1].pk: 1})
    assert refund.amount == D("25.00")  # half of 49.99, half-up; the last unit returns the 24.99 left
    last = payment_services.refund_request(payment=payment, actor=owner, reason="退B", lines={lines[1].pk: 1})
    assert last.amount == D("24.99")


# -- the pages ---------------------------------------------------------------------------------------
def _dt(value):
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def bundle_post(**extra):
    now = timezone.now()
    data = {
        "name": "夏季套餐",
        "starts_at": _dt(now - timedelta(hours=1)),
        "ends_at": _dt(now + timedelta(days=3)),
        "is_enabled": "on",
        "priority": "0",
        "price": "120.00",
        "items": "BD-A 1\nBD-B 1",
    }
    data.update(extra)
    return data


def test_a_bundle_is_created_listed_by_status_edited_and_audited(owner_client, pair):
    response = owner_client.post("/marketing/bundles/new/", bundle_post())
    assert response.status_code == 302
    made = Bundle.objects.get()
    assert [(i.sku.code, i.quantity) for i in made.items.all()] == [("BD-A", 1), ("BD-B", 1)]
    assert AuditEntry.objects.filter(action="marketing.bundle_save").count() == 1
    assert "夏季套餐" in owner_client.get("/marketing/bundles/", {"status": "running"}).content.decode()
    assert "夏季套餐" not in owner_client.get("/marketing/bundles/", {"status": "ended"}).content.decode()
    page = owner_client.get(f"/marketing/bundles/{made.pk}/").content.decode()
    assert "BD-A 1" in page
    response = owner_client.post(f"/marketing/bundles/{made.pk}/", bundle_post(items="BD-A 3", price="250.00"))
    assert response.status_code == 302
    assert [(i.sku.code, i.quantity) for i in made.items.all()] == [("BD-A", 3)]
    assert AuditEntry.objects.filter(action="marketing.bundle_items").count() == 2


@pytest.mark.parametrize(
    "bad, field",
    [
        ({"items": "BD-A 1"}, "items"),  # one SKU, quantity 1
        ({"items": "BD-A 1\nBD-A 2"}, "items"),  # the same SKU twice
        ({"items": "BD-A 1\nNOPE 1"}, "items"),  # unknown SKU
        ({"items": "BD-A x"}, "items"),
        ({"price": "0"}, "price"),
        ({"price": "150.00"}, "price"),  # not below the list total
        ({"ends_at": _dt(timezone.now() - timedelta(days=1))}, "ends_at"),
    ],
)
def test_bad_input_is_refused_inline_and_nothing_is_written(owner_client, pair, bad, field):
    response = owner_client.post("/marketing/bundles/new/", bundle_post(**bad))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Bundle.objects.exists() and not BundleItem.objects.exists()
    assert not AuditEntry.objects.filter(module="marketing").exists()


def test_the_preview_page_lists_an_applied_and_a_refused_bundle(owner_client, pair, bundle):
    a, b = pair
    bundle("120.00", [(a, 1), (b, 1)], name="AB套餐")
    bundle("250.00", [(a, 3)], name="A三件")
    response = owner_client.get("/marketing/preview/", {"lines": "BD-A 1\nBD-B 1"})
    quote = response.context["quote"]
    assert quote.total == D("120.00")
    assert {p.name: p.applied for p in quote.promotions} == {"AB套餐": True, "A三件": False}
    assert "AB套餐" in response.content.decode() and "A三件" in response.content.decode()
