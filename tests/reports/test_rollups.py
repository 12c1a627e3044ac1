"""The rollups equal a direct aggregate of the raw rows to the cent, incrementally and rebuilt, including
orders paid around local midnight, and cancellations and refunds after the day closed; concurrent events on
one rollup row lose no increment."""

from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from orders.models import Order, OrderLine
from payments.models import Payment, Refund
from reports.models import SalesDay, SalesDaySku, SalesHour, SalesMonth
from reports.services import refund_line_shares, rollup_order_recorded, rollups_rebuild
from reports.services.rollups import ship_seconds
from shop.errors import DomainError
from tests.reports.conftest import local

pytestmark = pytest.mark.django_db
D1, D2, D3, D4 = date(2026, 11, 10), date(2026, 11, 11), date(2026, 11, 12), date(2026, 11, 13)


@pytest.fixture
def history(store):
    """Four local days of a store, with the awkward cases."""
    o = {}
    # Paid 30 seconds before local midnight (16:00 UTC): day 1.
    o["late"] = store.place(local(2026, 11, 10, 23, 50), [("RPT-TEE", 2)], channel="app", province="广东")
    store.pay(o["late"], local(2026, 11, 10, 23, 59, 30))
    # Placed on day 1, paid 30 seconds after midnight: placed day 1, sold day 2.
    o["midnight"] = store.place(local(2026, 11, 10, 23, 58), [("RPT-SHIRT", 1), ("RPT-TEE", 1)], province="广东")
    store.pay(o["midnight"], local(2026, 11, 11, 0, 0, 30))
    # Sold on day 1, cancelled on day 3 (after the day closed), refunded on day 3.
    o["cancelled"] = store.place(local(2026, 11, 10, 10, 0), [("RPT-JEANS", 1), ("RPT-TEE", 3)], method="wechat")
    store.pay(o["cancelled"], local(2026, 11, 10, 10, 5))
    o["ship"] = store.place(local(2026, 11, 11, 9, 0), [("RPT-JEANS", 2)], channel="miniprogram", province="浙江")
    store.pay(o["ship"], local(2026, 11, 11, 9, 30))
    # A failed payment, then the retry that paid; and one that failed for good.
    o["retried"] = store.place(local(2026, 11, 11, 14, 0), [("RPT-SHIRT", 2)], method="wechat")
    store.fail_payment(o["retried"], local(2026, 11, 11, 14, 1))
    store.pay(o["retried"], local(2026, 11, 11, 14, 3))
    o["unpaid"] = store.place(local(2026, 11, 11, 15, 0), [("RPT-TEE", 1)])
    store.fail_payment(o["unpaid"], local(2026, 11, 11, 15, 1))
    # Day 3: the cancellation and its refund, shipping, an unpaid cancellation.
    store.cancel(o["cancelled"], local(2026, 11, 12, 9, 0))
    store.refund_requested(o["cancelled"], local(2026, 11, 12, 9, 10))
    store.ship(o["ship"], local(2026, 11, 12, 10, 0))
    store.cancel(o["unpaid"], local(2026, 11, 12, 11, 0))
    # Day 4: a one-line refund of a day-2 sale, and a partial amount refund of the day-1 sale.
    line = OrderLine.objects.filter(order=o["midnight"], sku_code="RPT-SHIRT").get()
    store.refund(o["midnight"], local(2026, 11, 13, 0, 10), lines={line.pk: 1})
    store.refund(o["late"], local(2026, 11, 13, 23, 59), amount=Decimal("10.01"))
    # The refunded, unshipped midnight order moves from 广东 to 江苏: all its figures move with it.
    store.move(o["midnight"], local(2026, 11, 13, 23, 59, 30), "江苏")
    return {k: Order.objects.get(pk=v.pk) for k, v in o.items()}


def _date(moment):
    return timezone.localtime(moment).date()


def _hour(moment):
    local_moment = timezone.localtime(moment)
    return (local_moment.date(), local_moment.hour)


def _sales_refunds():
    return Refund.objects.filter(status=Refund.Status.SUCCEEDED).exclude(source=Refund.Source.PAYMENT_EXCEPTION)


def raw_days() -> dict:
    """SalesDay's figures straight from orders, lines and refunds."""
    figures: dict = defaultdict(lambda: defaultdict(int))
    for o in Order.objects.all():

        def key(moment, o=o):
            return (_date(moment), o.channel, o.ship_province, o.payment_method)

        figures[key(o.placed_at)]["orders_placed"] += 1
        if o.paid_at:
            f = figures[key(o.paid_at)]
            f["orders_paid"] += 1
            f["units"] += sum(line.quantity for line in o.lines.all())
            for name, value in (
                ("gross", o.subtotal),
                ("discounts", o.discount),
                ("shipping", o.shipping_fee),
                ("adjustments", o.adjustment),
                ("paid", o.total),
            ):
                f[name] += value
        if o.cancelled_at:
            figures[key(o.cancelled_at)]["cancellations"] += 1
            figures[key(o.cancelled_at)]["cancelled_paid"] += 1 if o.paid_at else 0
    for r in _sales_refunds().select_related("order"):
        f = figures[(_date(r.confirmed_at), r.order.channel, r.order.ship_province, r.order.payment_method)]
        f["refunds"] += r.amount
        f["refund_count"] += 1
    return {k: {n: v for n, v in f.items() if v} for k, f in figures.items()}


def raw_skus() -> dict:
    figures: dict = defaultdict(lambda: defaultdict(int))
    orders_seen = defaultdict(set)
    for line in OrderLine.objects.select_related("order").filter(order__paid_at__isnull=False):
        o = line.order
        key = (_date(o.paid_at), line.sku_id, o.channel, o.ship_province)
        f = figures[key]
        orders_seen[key].add(o.pk)
        f["units"] += line.quantity
        f["gross"] += line.line_total + line.discount
        f["discounts"] += line.discount
    for key, seen in orders_seen.items():
        figures[key]["orders_paid"] = len(seen)
    for r in _sales_refunds().select_related("order"):
        lines = list(r.order.lines.order_by("pk").values_list("pk", "sku_id", "quantity", "line_total"))
        shares = refund_line_shares(r, lines)
        assert sum(a for _s, a, _u in shares) == r.amount  # a refund is allocated to the cent
        for sku_id, amount, units in shares:
            f = figures[(_date(r.confirmed_at), sku_id, r.order.channel, r.order.ship_province)]
            f["refunds"] += amount
            f["refund_units"] += units
    return {k: {n: v for n, v in f.items() if v} for k, f in figures.items()}


def raw_hours() -> dict:
    figures: dict = defaultdict(lambda: defaultdict(int))
    for o in Order.objects.all():
        figures[_hour(o.placed_at)]["orders_placed"] += 1
        if o.paid_at:
            figures[_hour(o.paid_at)]["orders_paid"] += 1
            figures[_hour(o.paid_at)]["paid"] += o.total
            figures[_hour(o.paid_at)]["gross"] += o.subtotal
            figures[_hour(o.paid_at)]["discounts"] += o.discount
        if o.cancelled_at:
            figures[_hour(o.cancelled_at)]["cancellations"] += 1
        if o.shipped_at:
            figures[_hour(o.shipped_at)]["shipped"] += 1
            figures[_hour(o.shipped_at)]["ship_seconds"] += ship_seconds(o)
    for r in _sales_refunds():
        figures[_hour(r.confirmed_at)]["refunds"] += r.amount
        figures[_hour(r.confirmed_at)]["refund_count"] += 1
    for p in Payment.objects.filter(status=Payment.Status.FAILED):
        figures[_hour(p.received_at)]["payment_failures"] += 1
    return {k: {n: v for n, v in f.items() if v} for k, f in figures.items()}


DAY_FIELDS = [
    f.name for f in SalesDay._meta.fields if f.name not in ("id", "day", "channel", "province", "payment_method")
]
SKU_FIELDS = [f.name for f in SalesDaySku._meta.fields if f.name not in ("id", "day", "sku", "channel", "province")]
HOUR_FIELDS = [f.name for f in SalesHour._meta.fields if f.name not in ("id", "day", "hour")]


def rolled_days():
    return {
        (r.day, r.channel, r.province, r.payment_method): {f: getattr(r, f) for f in DAY_FIELDS if getattr(r, f)}
        for r in SalesDay.objects.all()
    }


def rolled_skus():
    return {
        (r.day, r.sku_id, r.channel, r.province): {f: getattr(r, f) for f in SKU_FIELDS if getattr(r, f)}
        for r in SalesDaySku.objects.all()
    }


def rolled_hours():
    return {(r.day, r.hour): {f: getattr(r, f) for f in HOUR_FIELDS if getattr(r, f)} for r in SalesHour.objects.all()}


def rolled_months():
    return {
        (r.month, r.channel, r.province, r.payment_method): {f: getattr(r, f) for f in DAY_FIELDS if getattr(r, f)}
        for r in SalesMonth.objects.all()
    }


def months_from_days():
    months: dict = defaultdict(lambda: defaultdict(int))
    for (day, *key), figures in rolled_days().items():
        for name, value in figures.items():
            months[(day.replace(day=1), *key)][name] += value
    return {k: {n: v for n, v in f.items() if v} for k, f in months.items()}


def _drop_empty(rows):
    return {k: v for k, v in rows.items() if v}


def test_every_rollup_figure_equals_the_raw_aggregate(history):
    assert _drop_empty(rolled_days()) == raw_days()
    assert _drop_empty(rolled_skus()) == raw_skus()
    assert _drop_empty(rolled_hours()) == raw_hours()
    assert _drop_empty(rolled_months()) == months_from_days() and SalesMonth.objects.exists()


def test_the_awkward_cases_land_on_the_day_they_happened(history):
    def day(d, **key):
        rows = SalesDay.objects.filter(day=d, **key)
        return {f: sum(getattr(r, f) for r in rows) for f in DAY_FIELDS}

    late, midnight, cancelled = history["late"], history["midnight"], history["cancelled"]
    # Paid 23:59:30 local (15:59:30 UTC) is day 1; paid 00:00:30 local is day 2, though placed on day 1.
    assert day(D1, channel="app")["paid"] == late.total
    assert day(D1, province="广东")["orders_placed"] == 1 and day(D1, province="江苏")["orders_placed"] == 1
    assert day(D2, province="江苏")["orders_paid"] == 1 and day(D2, province="江苏")["paid"] == midnight.total
    assert not SalesDay.objects.filter(province="广东", day=D2).exists()  # moved, and no empty row left
    # The cancelled order's sale stays on day 1; its cancellation and refund land on day 3.
    assert day(D1, payment_method="wechat")["paid"] == cancelled.total
    assert day(D3, payment_method="wechat")["refunds"] == cancelled.total
    assert day(D3)["cancellations"] == 2 and day(D3)["cancelled_paid"] == 1
    # Refunds on day 4: one shirt of the midnight order, and 10.01 of the late one.
    shirt = OrderLine.objects.get(order=midnight, sku_code="RPT-SHIRT")
    assert day(D4)["refunds"] == shirt.line_total + Decimal("10.01")
    assert SalesDaySku.objects.get(day=D4, sku=shirt.sku_id).refund_units == 1
    # The hour table: the failed-then-paid payment is no failure; the one that failed for good is.
    failed = Payment.objects.get(status=Payment.Status.FAILED)  # received now (the callback's arrival)
    assert Payment.objects.filter(order=history["retried"], status=Payment.Status.CAPTURED).exists()
    assert sum(SalesHour.objects.values_list("payment_failures", flat=True)) == 1
    day_, hour_ = _hour(failed.received_at)
    assert SalesHour.objects.get(day=day_, hour=hour_).payment_failures == 1
    shipped = SalesHour.objects.get(day=D3, hour=10)
    assert (shipped.shipped, shipped.ship_seconds) == (1, 24 * 3600 + 30 * 60)


def test_a_closed_day_does_not_change_when_later_events_arrive(store, catalogue):
    order = store.place(local(2026, 11, 10, 20, 0), [("RPT-TEE", 1)])
    store.pay(order, local(2026, 11, 10, 20, 1))
    before = rolled_days()
    store.cancel(order, local(2026, 11, 14, 8, 0))
    store.refund_requested(order, local(2026, 11, 14, 8, 5))
    after = rolled_days()
    assert {k: v for k, v in after.items() if k[0] == D1} == {k: v for k, v in before.items() if k[0] == D1}
    assert sum(v.get("refunds", 0) for k, v in after.items() if k[0] == date(2026, 11, 14)) == order.total


def test_rebuilt_rollups_equal_the_incremental_ones(history):
    incremental = (rolled_days(), rolled_skus(), rolled_hours(), _drop_empty(rolled_months()))
    SalesDay.objects.filter(day=D3).update(paid=Decimal("999.99"))  # a damaged row the rebuild must repair
    result = rollups_rebuild(start=D1, end=D4)
    assert result["days"] == 4 and result["day_rows"] == len(incremental[0])
    assert (rolled_days(), rolled_skus(), rolled_hours(), rolled_months()) == incremental
    rollups_rebuild(start=D1, end=D4)  # twice: the same
    assert (rolled_days(), rolled_skus(), rolled_hours(), rolled_months()) == incremental


def test_rebuilding_one_day_leaves_the_others_alone(history):
    others = {k: v for k, v in rolled_days().items() if k[0] != D2}
    SalesDay.objects.filter(day=D2).delete()
    call_command("rebuild_rollups", "--from", D2.isoformat(), "--to", D2.isoformat())
    assert _drop_empty(rolled_days()) == raw_days()
    assert {k: v for k, v in rolled_days().items() if k[0] != D2} == others


def test_rebuild_refuses_a_reversed_range(db):
    with pytest.raises(DomainError):
        rollups_rebuild(start=D2, end=D1)


def _record_in_thread(order_id, kind):
    try:
        order = Order.objects.get(pk=order_id)
        rollup_order_recorded(order=order, kind=kind)
        return "ok"
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_concurrent_events_on_one_row_lose_no_increment(store, payment_defaults):
    """Sixteen threads count a paid order into the same day, SKU and hour rows at once (the row does not
    exist yet, so they race on its INSERT too)."""
    order = store.place(local(2026, 11, 20, 9, 0), [("RPT-TEE", 2), ("RPT-JEANS", 1)])
    order = store.pay(order, local(2026, 11, 20, 9, 5))
    SalesDay.objects.all().delete()
    SalesDaySku.objects.all().delete()
    SalesHour.objects.all().delete()
    threads = 16
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _n: _record_in_thread(order.pk, "paid"), range(threads)))
    assert results == ["ok"] * threads
    row = SalesDay.objects.get()
    assert (row.orders_paid, row.units, row.paid) == (threads, 3 * threads, order.total * threads)
    assert sorted(SalesDaySku.objects.values_list("units", flat=True)) == [threads, 2 * threads]
    assert SalesHour.objects.get().orders_paid == threads


def test_the_invariants_check_notices_a_rollup_that_drifted(store, clock):
    from shop.invariants import invariants_check

    order = store.place(local(2026, 11, 20, 9, 0), [("RPT-TEE", 1)])
    store.pay(order, local(2026, 11, 20, 9, 5))
    clock.at(local(2026, 11, 21, 10, 0))
    rule = "reports: days whose sales rollup differs from the orders paid that day"
    assert next(i for i in invariants_check() if i.rule == rule).holds
    SalesDay.objects.update(paid=Decimal("1.00"))
    broken = next(i for i in invariants_check() if i.rule == rule)
    assert broken.broken == 1 and "2026-11-20" in broken.examples[0]
