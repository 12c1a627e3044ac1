"""The marketing report: each promotion's figures in the period, from marketing's campaign report, ranked by ROI."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from customers.models import Customer
from marketing.models import Activity, CouponTemplate, Kind, OrderPromotion
from orders.models import Order

pytestmark = pytest.mark.django_db
D = Decimal
PERIOD = {"preset": "custom", "start": "2026-11-01", "end": "2026-11-10", "compare": "previous"}


def _at(day, hour=10):
    return datetime(2026, 11, day, hour, tzinfo=timezone.get_current_timezone())


def _order(number, customer, total, placed_at, *, paid=True, status=Order.Status.PAID):
    return Order.objects.create(
        number=number,
        customer=customer,
        payment_method="alipay",
        total=D(total),
        placed_at=placed_at,
        paid_at=placed_at if paid else None,
        status=status,
    )


def _got(order, kind, promotion, amount):
    OrderPromotion.objects.create(
        order_id=order.pk,
        order_number=order.number,
        kind=kind,
        promotion_id=promotion.pk,
        name=promotion.name,
        amount=D(amount),
    )


@pytest.fixture
def promotions(db):
    """Coupon 券 (Nov): R1 90 (-10), R2 190 (-10) on the 3rd, R3 80 (-20) on the 20th (outside the period).
    Activity 满减 (Nov): R1 (-5), R4 300 (-50) on the 4th, R5 unpaid (-50). Timed discount none."""
    coupon = CouponTemplate.objects.create(
        name="双十一券", type=CouponTemplate.Type.FIXED, amount=D("10.00"), valid_from=_at(1, 0), valid_until=_at(30, 0)
    )
    activity = Activity.objects.create(name="满300减50", tiers=[["300", "50"]], starts_at=_at(1, 0), ends_at=_at(30, 0))
    CouponTemplate.objects.create(  # ended before the period: never read
        name="旧券",
        type=CouponTemplate.Type.FIXED,
        amount=D("5.00"),
        valid_from=_at(1, 0) - timedelta(days=60),
        valid_until=_at(1, 0) - timedelta(days=40),
    )
    a = Customer.objects.create(name="甲", phone="13700000001")
    b = Customer.objects.create(name="乙", phone="13700000002")
    _order("OLD", b, "50.00", _at(1) - timedelta(days=30))
    r1, r2 = _order("R1", a, "90.00", _at(3)), _order("R2", b, "190.00", _at(3, 12))
    r3, r4 = _order("R3", a, "80.00", _at(20)), _order("R4", b, "300.00", _at(4))
    r5 = _order("R5", a, "300.00", _at(4), paid=False, status=Order.Status.PENDING_PAYMENT)
    for order, amount in ((r1, "10.00"), (r2, "10.00"), (r3, "20.00")):
        _got(order, Kind.COUPON, coupon, amount)
    for order, amount in ((r1, "5.00"), (r4, "50.00"), (r5, "50.00")):
        _got(order, Kind.THRESHOLD, activity, amount)
    return coupon, activity


def _direct(kind, promotion):
    """The period's figures straight from the rows: purchases placed in the period that got the promotion."""
    start, end = _at(1, 0), _at(11, 0)
    ids = OrderPromotion.objects.filter(kind=kind, promotion_id=promotion.pk).values("order_id")
    orders = Order.objects.filter(pk__in=ids, paid_at__isnull=False, placed_at__gte=start, placed_at__lt=end)
    cost = OrderPromotion.objects.filter(
        kind=kind, promotion_id=promotion.pk, order_id__in=orders.values("pk")
    ).aggregate(s=Sum("amount"))["s"]
    return orders.count(), orders.aggregate(s=Sum("total"))["s"], cost


def test_each_promotion_in_the_period_against_direct_aggregates(client_as, promotions):
    coupon, activity = promotions
    page = client_as("owner").get("/reports/marketing-roi/", PERIOD)
    assert page.status_code == 200
    rows = {r["key"]: r for r in page.context["table"]["rows"]}
    assert set(rows) == {f"coupon-{coupon.pk}", f"activity-{activity.pk}"}
    c, a = rows[f"coupon-{coupon.pk}"], rows[f"activity-{activity.pk}"]
    assert (c["orders"], c["gmv"], c["cost"]) == _direct(Kind.COUPON, coupon) == (2, D("280.00"), D("20.00"))
    assert (a["orders"], a["gmv"], a["cost"]) == _direct(Kind.THRESHOLD, activity) == (2, D("390.00"), D("55.00"))
    assert c["roi"] == D("13.00") and a["roi"] == D("6.09")  # (280-20)/20, (390-55)/55
    assert c["new_customers"] == 1  # 甲's first purchase; 乙 had bought before
    # ranked by ROI, best first; the totals' ROI is computed on the summed GMV and cost
    assert [r["key"] for r in page.context["table"]["rows"]] == [f"coupon-{coupon.pk}", f"activity-{activity.pk}"]
    totals = page.context["table"]["totals"]
    assert (totals["gmv"], totals["cost"], totals["roi"]) == (D("670.00"), D("75.00"), D("7.93"))


def test_the_export_carries_the_table(client_as, promotions):
    response = client_as("marketing").get("/reports/marketing-roi/", {**PERIOD, "export": "csv"})
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[1].startswith("双十一券") and "13.00" in lines[1] and "280.00" in lines[1]
    assert lines[-1].startswith("Total")


def test_a_period_without_purchases_is_empty_not_an_error(client_as, promotions):
    page = client_as("owner").get(
        "/reports/marketing-roi/", {"preset": "custom", "start": "2026-12-20", "end": "2026-12-21"}
    )
    assert page.status_code == 200 and page.context["table"]["rows"] == []


@pytest.mark.parametrize(
    ("role", "status"),
    [("marketing", 200), ("finance", 200), ("operations", 200), ("warehouse", 403), ("customer_service", 403)],
)
def test_who_sees_the_marketing_report(client_as, role, status):
    assert client_as(role).get("/reports/marketing-roi/").status_code == status
