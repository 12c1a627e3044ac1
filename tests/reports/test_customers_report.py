"""The customers report: new vs returning buyers against a direct aggregate, the tier mix and movement, RFM."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.db.models import Min
from django.utils import timezone

from customers.models import Customer, MemberTier, RfmSegment, TierChange
from orders.models import Order
from reports.queries import customers as queries

pytestmark = pytest.mark.django_db
D = Decimal
PERIOD = {"preset": "custom", "start": "2026-11-01", "end": "2026-11-07", "compare": "previous", "group": "day"}


def _at(day, hour=10):
    return datetime(2026, 11, day, hour, tzinfo=timezone.get_current_timezone())


def _order(customer, placed_at, *, paid=True, status=Order.Status.PAID):
    return Order.objects.create(
        number=f"N{Order.objects.count() + 1:06d}",
        customer=customer,
        payment_method="alipay",
        total=D("100.00"),
        placed_at=placed_at,
        paid_at=placed_at if paid else None,
        status=status,
    )


@pytest.fixture
def buyers(db):
    """In Nov 1–7: 甲 first buys on the 2nd and again on the 5th (new); 乙 bought in October, again on the 3rd
    (returning); 丙's first purchase on the 4th was cancelled, the 6th counts (new); 丁 only has an unpaid order.
    In Oct 25–31 (the previous period): 乙 bought (new then)."""
    jia, yi, bing, ding = (Customer.objects.create(name=n, phone=f"1370000000{i}") for i, n in enumerate("甲乙丙丁"))
    _order(yi, _at(1) - timedelta(days=3))  # Oct 29
    _order(jia, _at(2))
    _order(jia, _at(5))
    _order(yi, _at(3))
    _order(bing, _at(4), status=Order.Status.CANCELLED)
    _order(bing, _at(6, 23))
    _order(ding, _at(3), paid=False, status=Order.Status.PENDING_PAYMENT)
    return jia, yi, bing, ding


def _direct(start, end):
    in_period = Order.objects.filter(paid_at__isnull=False, placed_at__gte=start, placed_at__lt=end).exclude(
        status__in=("cancelled", "closed")
    )
    firsts = (
        Order.objects.filter(paid_at__isnull=False)
        .exclude(status__in=("cancelled", "closed"))
        .values("customer_id")
        .annotate(first=Min("placed_at"))
    )
    first_of = {r["customer_id"]: r["first"] for r in firsts}
    who = set(in_period.values_list("customer_id", flat=True))
    new = {c for c in who if first_of[c] >= start}
    return len(new), len(who - new)


def test_new_and_returning_in_the_period_match_a_direct_aggregate(client_as, buyers):
    page = client_as("owner").get("/reports/customers/", PERIOD)
    assert page.status_code == 200
    rows = {r["key"]: r for r in page.context["table"]["rows"]}
    assert (rows["new"]["customers"], rows["returning"]["customers"]) == _direct(_at(1, 0), _at(8, 0)) == (2, 1)
    # the previous period (Oct 25–31): 乙 bought for the first time
    assert (rows["new"]["customers__previous"], rows["returning"]["customers__previous"]) == (1, 0)
    assert page.context["table"]["totals"]["customers"] == 3  # every buyer once


def test_per_day_new_customers_and_the_trend(client_as, buyers):
    days = queries.buyers_per_day(start=_at(1, 0), end=_at(8, 0))
    # each buyer once, on the day of their first purchase in the period: 甲 the 2nd (new), 乙 the 3rd, 丙 the 6th
    assert sorted((d.day, f["buyers"], f["new"]) for d, f in days.items()) == [(2, 1, 1), (3, 1, 0), (6, 1, 1)]
    assert queries.buyers(start=_at(1, 0), end=_at(8, 0)) == {"buyers": 3, "new": 2, "returning": 1}
    late = queries.buyers_per_day(start=_at(6, 0), end=_at(8, 0))  # 丙 bought late on the 6th, Shanghai time
    assert [(d.isoformat(), f["new"]) for d, f in late.items()] == [("2026-11-06", 1)]
    page = client_as("owner").get("/reports/customers/", PERIOD)
    chart = page.context["trend_chart"]
    assert chart["labels"][0] == "2026-11-01" and chart["datasets"][0]["data"] == [0, 1, 0, 0, 0, 1, 0]


def test_tier_mix_movement_and_rfm(client_as, buyers):
    jia, yi, bing, ding = buyers
    silver = MemberTier.objects.create(name="银卡", rank=1)
    gold = MemberTier.objects.create(name="金卡", rank=2)
    Customer.objects.filter(pk__in=[jia.pk, yi.pk]).update(tier=gold)
    Customer.objects.filter(pk=bing.pk).update(tier=silver, rfm_segment=RfmSegment.CHAMPION)
    for customer, before, after, day in (
        (jia, None, silver, 2),
        (jia, silver, gold, 5),
        (yi, None, gold, 3),
        (ding, silver, None, 6),
        (bing, None, silver, 20),
    ):
        change = TierChange.objects.create(customer=customer, from_tier=before, to_tier=after, reason="order")
        TierChange.objects.filter(pk=change.pk).update(created_at=_at(day))
    mix = {row["name"]: (row["customers"], row["share"]) for row in queries.tier_mix()}
    assert mix == {"金卡": (2, 0.5), "银卡": (1, 0.25), None: (1, 0.25)}
    movement = queries.tier_movement(start=_at(1, 0), end=_at(8, 0))
    assert (movement["upgrades"], movement["downgrades"]) == (3, 1)
    assert {(m["from"], m["to"], m["count"]) for m in movement["moves"]} == {
        (None, "银卡", 1),
        ("银卡", "金卡", 1),
        (None, "金卡", 1),
        ("银卡", None, 1),
    }
    html = client_as("owner").get("/reports/customers/", PERIOD, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="tier-mix"' in html and "Upgrades: 3 · downgrades: 1" in html
    assert 'data-testid="rfm-segments"' in html and "today" in html


@pytest.mark.parametrize(
    ("role", "status"),
    [("marketing", 200), ("operations", 200), ("finance", 200), ("warehouse", 403), ("customer_service", 403)],
)
def test_who_sees_the_customers_report(client_as, role, status):
    assert client_as(role).get("/reports/customers/").status_code == status
