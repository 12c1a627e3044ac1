"""RFM scores and segments from hand-built orders, and the purchase figures the recomputation stores."""

from decimal import Decimal

import pytest

from customers.models import Customer, RfmSegment
from customers.services import rfm_and_tiers_recompute, rfm_segment
from orders.models import Order
from tests.customers.tiers_data import make_customer, make_order

pytestmark = pytest.mark.django_db


def _scores(customer):
    customer.refresh_from_db()
    return customer.rfm_r, customer.rfm_f, customer.rfm_m, customer.rfm_segment


def test_five_customers_get_one_quintile_each():
    # a bought most recently, most often and most; e the opposite.
    a, b, c, d, e = (make_customer() for _ in range(5))
    for customer, days, orders, amount in (
        (a, 1, 5, "500"),
        (b, 10, 4, "400"),
        (c, 20, 3, "300"),
        (d, 40, 2, "200"),
        (e, 80, 1, "100"),
    ):
        for i in range(orders):
            make_order(customer, amount, days_ago=days + i * 100)
    rfm_and_tiers_recompute()
    assert _scores(a) == (5, 5, 5, RfmSegment.CHAMPION)
    assert _scores(b) == (4, 4, 4, RfmSegment.CHAMPION)
    assert _scores(c) == (3, 3, 3, RfmSegment.CHAMPION)
    assert _scores(d) == (2, 2, 2, RfmSegment.GENERAL_WIN_BACK)
    assert _scores(e) == (1, 1, 1, RfmSegment.GENERAL_WIN_BACK)


def test_segments_from_high_and_low_scores():
    # Recent big spender with one order: R high, F low, M high -> 重要发展.
    recent_big = make_customer()
    make_order(recent_big, "9000", days_ago=1)
    # Long gone, many small orders: R low, F high, M low -> 一般保持.
    old_frequent = make_customer()
    for i in range(6):
        make_order(old_frequent, "10", days_ago=300 + i)
    # Long gone, one big order: R low, F low, M high -> 重要挽留.
    old_big = make_customer()
    make_order(old_big, "5000", days_ago=400)
    # Recent, one small order: R high, F low, M low -> 一般发展.
    recent_small = make_customer()
    make_order(recent_small, "5", days_ago=2)
    rfm_and_tiers_recompute()
    assert _scores(recent_big)[3] == RfmSegment.DEVELOP
    assert _scores(old_frequent)[3] == RfmSegment.GENERAL_KEEP
    assert _scores(old_big)[3] == RfmSegment.WIN_BACK
    assert _scores(recent_small)[3] == RfmSegment.GENERAL_DEVELOP


def test_equal_customers_share_a_score():
    customers = [make_customer() for _ in range(4)]
    for customer in customers:
        make_order(customer, "100", days_ago=5)
    top = make_customer()
    make_order(top, "100", days_ago=5)
    make_order(top, "100", days_ago=6)
    rfm_and_tiers_recompute()
    assert {_scores(c)[1] for c in customers} == {1}
    assert _scores(top)[1] == 5


@pytest.mark.parametrize(
    ("r", "f", "m", "segment"),
    [
        (5, 5, 5, RfmSegment.CHAMPION),
        (3, 2, 3, RfmSegment.DEVELOP),
        (2, 3, 4, RfmSegment.KEEP),
        (1, 1, 5, RfmSegment.WIN_BACK),
        (4, 4, 2, RfmSegment.GENERAL_VALUE),
        (4, 1, 1, RfmSegment.GENERAL_DEVELOP),
        (2, 5, 1, RfmSegment.GENERAL_KEEP),
        (2, 2, 2, RfmSegment.GENERAL_WIN_BACK),
    ],
)
def test_the_segment_rule(r, f, m, segment):
    assert rfm_segment(r, f, m) == segment


def test_figures_count_paid_orders_that_were_not_cancelled():
    customer = make_customer()
    make_order(customer, "100.10", days_ago=400)
    make_order(customer, "200.20", days_ago=30)
    make_order(customer, "50", days_ago=3, status=Order.Status.SHIPPED)
    make_order(customer, "999", days_ago=2, status=Order.Status.CANCELLED)
    make_order(customer, "888", days_ago=1, status=Order.Status.PENDING_PAYMENT, paid=False)
    result = rfm_and_tiers_recompute()
    customer.refresh_from_db()
    assert customer.order_count == 3
    assert customer.lifetime_spend == Decimal("350.30")
    assert customer.orders_12m == 2
    assert customer.spend_12m == Decimal("250.20")
    assert (customer.last_order_at - customer.first_order_at).days == 397
    assert result["customers_with_purchases"] == 1


def test_customers_without_purchases_have_no_scores_and_lose_old_figures():
    never = make_customer()
    gone = make_customer()
    order = make_order(gone, "300", days_ago=10)
    rfm_and_tiers_recompute()
    gone.refresh_from_db()
    assert gone.order_count == 1 and gone.rfm_segment
    Order.objects.filter(pk=order.pk).update(status=Order.Status.CANCELLED)
    rfm_and_tiers_recompute()
    gone.refresh_from_db()
    never.refresh_from_db()
    for c in (gone, never):
        assert (c.order_count, c.lifetime_spend, c.last_order_at, c.rfm_r, c.rfm_segment) == (0, 0, None, None, "")


def test_running_it_twice_changes_nothing_the_second_time():
    for days in (1, 50, 200):
        make_order(make_customer(), "120", days_ago=days)
    first = rfm_and_tiers_recompute()
    assert first["figures_updated"] == 3
    updated = list(Customer.objects.order_by("pk").values_list("updated_at", flat=True))
    second = rfm_and_tiers_recompute()
    assert second["figures_updated"] == second["figures_cleared"] == second["upgraded"] == 0
    assert list(Customer.objects.order_by("pk").values_list("updated_at", flat=True)) == updated
