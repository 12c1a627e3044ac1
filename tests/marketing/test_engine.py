"""The pricing engine: each promotion kind, the stacking rules, the best combination and the reasons."""

from decimal import Decimal

import pytest
from django.utils import translation

from marketing.models import Activity, CouponTemplate, Kind, MemberPrice, StackingRule
from marketing.pricing import price_cart, quote_promotions
from shop.errors import RuleRefused


@pytest.fixture(autouse=True)
def _english():
    """These tests read the engine's reasons as the English catalogue has them."""
    with translation.override("en"):
        yield


D = Decimal
pytestmark = pytest.mark.django_db


def reasons(quote):
    return {p.name: (p.applied, p.reason, p.amount) for p in quote.promotions}


def test_without_promotions_lines_cost_list_price(make_sku):
    a, b = make_sku(price="19.99"), make_sku(price="0.335")
    quote = price_cart(lines=[(a, 3), (b, 1)])
    assert [line.line_total for line in quote.lines] == [D("59.97"), D("0.34")]
    assert quote.total == D("60.31") and quote.discount == 0 and quote.promotions == []


def test_member_tier_rate_and_fixed_member_price(make_sku, customer, gold):
    a, b = make_sku(price="100.00"), make_sku(price="50.00")
    MemberPrice.objects.create(tier=gold, sku=b, price=D("40.00"))
    customer.tier = gold
    quote = price_cart(lines=[(a, 1), (b, 2)], customer=customer)
    assert [line.discount for line in quote.lines] == [D("5.00"), D("20.00")]
    assert quote.total == D("175.00")
    assert quote.applied[0].kind == Kind.MEMBER_PRICE and quote.applied[0].amount == D("25.00")


def test_timed_discount_on_a_category_and_the_best_per_line(make_sku, timed, category):
    a, b = make_sku(price="100.00"), make_sku(price="100.00")
    a.product.category = category.add_child(name="T恤")
    a.product.save()
    timed("20", categories=[category], name="服装八折")
    timed("10", name="全场九折")
    quote = price_cart(lines=[(a, 1), (b, 1)])
    assert [line.discount for line in quote.lines] == [D("20.00"), D("10.00")]
    assert quote.lines[0].promotions == [("服装八折", D("20.00"))]


def test_full_reduction_tiers_take_the_highest_reached_and_allocate_to_lines(make_sku, activity):
    a, b, c = make_sku(price="100.00"), make_sku(price="100.00"), make_sku(price="99.99")
    activity([(200, 20), (300, 50)], name="满减")
    quote = price_cart(lines=[(a, 1), (b, 1), (c, 1)])
    # 299.99 reaches only the 200 tier: 20 split 6.67 / 6.67 / 6.67 -> cents left over to the largest line
    assert quote.discount == D("20.00")
    assert sum(line.discount for line in quote.lines) == D("20.00")
    assert [line.discount for line in quote.lines] == [D("6.66"), D("6.67"), D("6.67")]


def test_allocation_rounding_leftover_goes_to_the_largest_line(make_sku, activity):
    small, big = make_sku(price="1.00"), make_sku(price="2.00")
    activity([(3, D("0.10"))])
    quote = price_cart(lines=[(small, 1), (big, 1)])
    # 0.10 × 1/3 = 0.0333 -> 0.03; 0.10 × 2/3 = 0.0667 -> 0.07; sum 0.10
    assert [line.discount for line in quote.lines] == [D("0.03"), D("0.07")]


def test_quantity_discount_manjianzhe(make_sku, activity):
    a = make_sku(price="30.00")
    activity([(2, 10), (3, 20)], mode=Activity.Mode.QUANTITY, name="满件折")
    assert price_cart(lines=[(a, 3)]).discount == D("18.00")
    refused = price_cart(lines=[(a, 1)])
    assert refused.discount == 0
    assert not refused.promotions[0].applied and "1" in refused.promotions[0].reason


def test_below_threshold_says_how_much_more(make_sku, activity):
    a = make_sku(price="150.00")
    activity([(200, 20)], name="满200减20")
    quote = price_cart(lines=[(a, 1)])
    applied, reason, _amount = reasons(quote)["满200减20"]
    assert not applied and "50.00" in reason


def test_the_best_of_several_activities_and_why_the_other_lost(make_sku, activity):
    a = make_sku(price="300.00")
    activity([(200, 20)], name="小满减")
    activity([(300, 45)], name="大满减")
    quote = price_cart(lines=[(a, 1)])
    assert quote.discount == D("45.00")
    assert reasons(quote)["小满减"][0] is False and "more" in reasons(quote)["小满减"][1]


def test_everything_stacks_in_order_by_default(make_sku, customer, gold, timed, activity, template):
    a = make_sku(price="100.00")
    customer.tier = gold
    customer.save()
    timed("10")
    activity([(150, 15)])
    template(amount=D("5.00"))
    quote = price_cart(lines=[(a, 2)], customer=customer, coupon_code="save10")
    # 200 -> member 5% 190 -> timed 10% 171 -> 满150减15 156 -> coupon 5 -> 151
    assert quote.total == D("151.00")
    assert [p.kind for p in quote.applied] == ["member_price", "timed_discount", "threshold", "coupon"]
    assert quote.coupon_code == "SAVE10"


def test_a_stacking_rule_keeps_kinds_apart_and_the_engine_picks_the_better(make_sku, timed, activity):
    a = make_sku(price="100.00")
    timed("30", name="七折")
    activity([(100, 20)], name="满100减20")
    StackingRule.objects.create(kind=Kind.TIMED_DISCOUNT, combines_with=["member_price", "coupon"])
    quote = price_cart(lines=[(a, 1)])
    assert quote.discount == D("30.00")
    applied, reason, _ = reasons(quote)["满100减20"]
    assert not applied and "stacking rule" in reason


def test_an_exclusive_promotion_stands_alone_when_it_saves_more(make_sku, timed, activity):
    a = make_sku(price="100.00")
    timed("10", name="九折")
    activity([(50, 40)], name="独享满减", exclusive=True)
    quote = price_cart(lines=[(a, 1)])
    assert quote.discount == D("40.00") and [p.name for p in quote.applied] == ["独享满减"]
    assert "exclusive" in reasons(quote)["九折"][1]
    # when it saves less, the others together win
    timed("50", name="五折")
    quote = price_cart(lines=[(a, 1)])
    assert quote.discount == D("50.00") and "Exclusive" in reasons(quote)["独享满减"][1]


def test_stacking_order_matters_coupon_threshold_after_full_reduction(make_sku, activity, template):
    """满减 first brings the cart under the coupon's minimum: the engine compares and keeps the better."""
    a = make_sku(price="100.00")
    activity([(100, 5)], name="满100减5")
    template(type=CouponTemplate.Type.THRESHOLD, amount=D("20.00"), min_spend=D("100.00"))
    quote = price_cart(lines=[(a, 1)], coupon_code="SAVE10")
    assert quote.discount == D("20.00") and quote.coupon_code == "SAVE10"
    assert not reasons(quote)["满100减5"][0]


def test_percent_coupon_with_cap_and_scope_exclusions(make_sku, template):
    a, b = make_sku(price="100.00"), make_sku(price="500.00")
    t = template(type=CouponTemplate.Type.PERCENT, amount=None, percent_off=D("10"), cap=D("15.00"))
    t.excluded_products.set([b.product])
    assert price_cart(lines=[(a, 1), (b, 1)], coupon_code="SAVE10").lines[1].discount == 0
    assert price_cart(lines=[(a, 1), (b, 1)], coupon_code="SAVE10").discount == D("10.00")
    t.excluded_products.set([])
    assert price_cart(lines=[(a, 1), (b, 1)], coupon_code="SAVE10").discount == D("15.00")


def test_free_shipping_coupon_sets_the_flag(make_sku, template):
    a = make_sku(price="10.00")
    template(type=CouponTemplate.Type.FREE_SHIPPING, amount=None)
    quote = price_cart(lines=[(a, 1)], coupon_code="SAVE10")
    assert quote.free_shipping and quote.discount == 0 and quote.coupon_code == "SAVE10"


@pytest.mark.parametrize(
    "setup, code",
    [
        ({}, "coupon_invalid"),
        ({"is_enabled": False}, "coupon_disabled"),
        ({"min_spend": D("500.00"), "type": "threshold"}, "coupon_not_applicable"),
        ({"scope": "products"}, "coupon_not_applicable"),
        ({"total_quantity": 0}, "coupon_sold_out"),
    ],
)
def test_coupon_refusals_raise_422_with_the_reason(make_sku, template, setup, code):
    a = make_sku(price="100.00")
    if setup:
        template(**setup)
    with pytest.raises(RuleRefused) as e:
        price_cart(lines=[(a, 1)], coupon_code="SAVE10" if setup else "NOPE")
    assert e.value.status == 422 and e.value.code == code and e.value.data["fields"]["coupon_code"]


def test_coupon_out_of_window(make_sku, template, window):
    a = make_sku(price="100.00")
    template(valid_from=window["ends_at"], valid_until=window["ends_at"].replace(year=2099))
    with pytest.raises(RuleRefused) as e:
        price_cart(lines=[(a, 1)], coupon_code="SAVE10")
    assert e.value.code == "coupon_not_started"


def test_the_preview_lists_a_bad_coupon_instead_of_raising(make_sku):
    a = make_sku(price="100.00")
    quote = quote_promotions(lines=[(a, 1)], coupon_code="NOPE", strict=False)
    assert quote.total == D("100.00") and quote.refused[0].reason.startswith("Unknown coupon")


def test_points_are_still_refused(make_sku):
    with pytest.raises(RuleRefused):
        price_cart(lines=[(make_sku(price="10"), 1)], points=100)


def test_a_promotion_switched_off_on_another_server_stops_at_once_here(make_sku, timed, settings):
    """Each process keeps the running promotions a few seconds; an edit anywhere drops every process's copy
    through the version in the shared cache, so no server goes on giving a discount staff switched off."""
    from marketing import engine

    settings.PRICING_CACHE_SECONDS = 5
    engine.promotions_changed()
    a = make_sku(price="100.00")
    sale = timed("10", name="全场九折")
    assert price_cart(lines=[(a, 1)]).total == D("90.00")  # this process now holds the promotions
    ours = dict(engine.CACHE)
    sale.is_enabled = False
    sale.save()  # staff on another server: its signal cannot reach this process's memory
    engine.CACHE.update(ours)
    assert price_cart(lines=[(a, 1)]).total == D("100.00")
    engine.promotions_changed()
