"""Anomaly monitoring: the hour-of-week baseline finds a seeded spike and drop, stays quiet on normal seasonal
weeks, records one finding per metric and hour however often the job runs, and the owner hears of it."""

import importlib
import itertools
import random
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from customers.models import Customer
from orders.models import Order
from payments.models import Payment, PaymentMethod
from reports.models import Anomaly, SalesHour
from reports.services.monitoring import SPECS, WEEKS, anomalies_detect, band_of, judge
from shop.models import AuditEntry, Notification, StoreSettings

SHANGHAI = ZoneInfo("Asia/Shanghai")
M = Anomaly.Metric
_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


# -- the maths on hourly series built here -------------------------------------------------------------
def seasonal_weeks(weeks, seed=7):
    """Orders per hour over `weeks` weeks: a daily shape (quiet nights, a lunch and an evening peak), busier
    weekends, and +-10 percent noise, with a fixed seed."""
    rng = random.Random(seed)
    shape = [2, 1, 1, 1, 1, 2, 5, 12, 25, 40, 55, 70, 80, 60, 55, 50, 55, 65, 80, 110, 120, 90, 40, 10]
    start = datetime(2026, 9, 7, tzinfo=SHANGHAI)  # a Monday
    series = []
    for h in range(weeks * 168):
        moment = start + timedelta(hours=h)
        usual = shape[moment.hour] * (1.3 if moment.weekday() >= 5 else 1.0)
        series.append((moment, max(0.0, round(usual * rng.uniform(0.9, 1.1))), None))
    return series


def judged(series, at, threshold=50):
    """Judge hour `at` of `series` against the same hour of the week over the WEEKS weeks before it."""
    window = [series[at - 168 * k] for k in range(WEEKS, 0, -1)] + [series[at]]
    window = [(h, v, int(v)) for h, v, _ in window]
    return judge(SPECS[M.ORDERS], window, threshold_percent=threshold)


def test_normal_seasonal_weeks_raise_nothing():
    series = seasonal_weeks(10)
    findings = [at for at in range(8 * 168, 10 * 168) if (j := judged(series, at)) and j.is_anomaly]
    assert findings == []


def test_a_seeded_spike_and_drop_are_found_and_nothing_else():
    series = seasonal_weeks(10)
    spike, drop = 9 * 168 + 20, 9 * 168 + 24 * 3 + 12  # Tuesday 20:00 of week 10, Thursday 12:00
    series[spike] = (series[spike][0], series[spike][1] * 3, None)
    series[drop] = (series[drop][0], series[drop][1] * 0.2, None)
    found = {at: j for at in range(8 * 168, 10 * 168) if (j := judged(series, at)) and j.is_anomaly}
    assert set(found) == {spike, drop}
    assert found[spike].score > 3.5 and found[spike].observed > found[spike].band.high
    assert found[drop].score < -3.5 and found[drop].observed < found[drop].band.low


def test_the_band_is_the_wider_of_the_robust_spread_and_the_store_threshold():
    flat = band_of([100, 100, 101, 99, 100, 100, 100, 100], threshold_percent=50)
    assert (flat.expected, flat.low, flat.high) == (100, 50, 150)  # a calm baseline: the threshold decides
    wide = band_of([100, 40, 160, 70, 130, 100, 55, 145], threshold_percent=10)
    assert wide.high - wide.expected == pytest.approx(3.5 * wide.spread)  # a noisy one: the spread decides
    assert wide.low == 0  # never below zero


def test_quiet_hours_and_short_histories_are_not_judged():
    series = seasonal_weeks(10)
    night = 9 * 168 + 3  # 03:00, about one order
    series[night] = (series[night][0], 3.0, None)
    assert judged(series, night) is None
    monday = datetime(2026, 9, 7, tzinfo=SHANGHAI)
    short = [(monday, 50.0, 50)] * 3 + [(monday + timedelta(weeks=3), 500.0, 500)]
    assert judge(SPECS[M.ORDERS], short, threshold_percent=50) is None


def test_the_store_threshold_is_read():
    series = seasonal_weeks(10)
    at = 9 * 168 + 19
    series[at] = (series[at][0], series[at][1] * 1.7, None)  # 70 percent up, far outside the robust spread
    assert judged(series, at, threshold=50).is_anomaly is True
    assert judged(series, at, threshold=100).is_anomaly is False


# -- the job on real rows ----------------------------------------------------------------------------
@pytest.fixture
def methods(db):
    importlib.import_module("payments.migrations.0002_seed").seed(apps, None)
    return PaymentMethod.objects.get(code="alipay")


def seed_hour(start, *, orders, method, failed=0, refunds=0, amount="100.00", ship_hours=None):
    """The hour from `start` as the rollups and payments record it: `orders` orders placed and paid (each of
    `amount`, each a captured payment), `failed` failed payments, `refunds` refunds made, and (if `ship_hours`)
    `orders` orders shipped that many hours after payment."""
    local = timezone.localtime(start)
    SalesHour.objects.create(
        day=local.date(),
        hour=local.hour,
        orders_placed=orders,
        orders_paid=orders,
        paid=Decimal(amount) * orders,
        refund_count=refunds,
        shipped=orders if ship_hours else 0,
        ship_seconds=round(ship_hours * 3600) * orders if ship_hours else 0,
    )
    customer, _ = Customer.objects.get_or_create(phone="13700000001", defaults={"name": "王五"})
    order = Order.objects.create(
        number=f"A{next(_numbers):010d}",
        customer=customer,
        total=Decimal(amount),
        payment_method="alipay",
        placed_at=start,
        ship_name="王五",
        ship_phone="13700000001",
        ship_province="浙江",
        ship_city="杭州",
        ship_district="西湖区",
        ship_detail="文三路 90 号",
    )
    Payment.objects.bulk_create(
        Payment(
            order=order,
            method=method,
            transaction_id=f"T{next(_numbers)}",
            amount=Decimal(amount),
            status=Payment.Status.FAILED if i < failed else Payment.Status.CAPTURED,
            paid_at=start + timedelta(seconds=30 + i),
            received_at=start + timedelta(seconds=30 + i),
        )
        for i in range(failed + orders)
    )


NOW = datetime(2026, 11, 24, 15, 5, tzinfo=SHANGHAI)  # the job at 15:05 judges 14:00-15:00
HOUR = datetime(2026, 11, 24, 14, tzinfo=SHANGHAI)


def seed_baseline(method, seed=3, **extra):
    rng = random.Random(seed)
    for k in range(1, WEEKS + 1):
        seed_hour(HOUR - timedelta(weeks=k), orders=rng.randint(36, 44), method=method, **extra)


def test_a_normal_hour_raises_nothing(methods, owner):
    seed_baseline(methods, failed=1)
    seed_hour(HOUR, orders=41, method=methods, failed=1)
    assert anomalies_detect(now=NOW) == []
    assert not Anomaly.objects.exists()


def test_a_spike_is_found_once_and_the_owner_is_told(methods, owner, django_capture_on_commit_callbacks):
    seed_baseline(methods)
    seed_hour(HOUR, orders=130, method=methods)
    with django_capture_on_commit_callbacks(execute=True):
        found = anomalies_detect(now=NOW)
    assert {a.metric for a in found} == {M.SALES, M.ORDERS}
    orders = Anomaly.objects.get(metric=M.ORDERS)
    assert orders.hour == HOUR and orders.direction == Anomaly.Direction.SPIKE
    assert orders.observed == 130 and 36 <= orders.expected <= 44
    assert orders.band_high < 130 and orders.score > 3.5
    assert len(orders.baseline) == WEEKS
    assert "Order count" in orders.explanation and "130" in orders.explanation
    sales = Anomaly.objects.get(metric=M.SALES)
    assert sales.observed == Decimal("13000.0000")
    assert Notification.objects.filter(recipient=owner, kind="anomaly").count() == 2
    assert AuditEntry.objects.filter(action="reports.anomalies_found").count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        assert anomalies_detect(now=NOW + timedelta(minutes=20)) == []  # the same hour again
    assert Anomaly.objects.count() == 2
    assert Notification.objects.filter(recipient=owner, kind="anomaly").count() == 2


def test_a_drop_in_sales_and_a_rise_in_failed_payments_and_refunds(methods, owner):
    seed_baseline(methods, failed=1, refunds=1)
    seed_hour(HOUR, orders=30, method=methods, amount="20.00", failed=25, refunds=12)
    found = {a.metric: a for a in anomalies_detect(now=NOW)}
    assert found[M.SALES].direction == Anomaly.Direction.DROP
    assert found[M.PAYMENT_FAILURE_RATE].direction == Anomaly.Direction.SPIKE
    assert found[M.REFUND_RATE].direction == Anomaly.Direction.SPIKE
    assert M.ORDERS not in found  # 30 orders against about 40: inside the 50 percent band


def test_slow_shipping_is_found(methods, owner):
    for k in range(1, WEEKS + 1):
        seed_hour(HOUR - timedelta(weeks=k), orders=10, method=methods, ship_hours=20 + k % 3)
    seed_hour(HOUR, orders=10, method=methods, ship_hours=60)
    found = {a.metric: a for a in anomalies_detect(now=NOW)}
    assert found[M.TIME_TO_SHIP].observed == 60
    assert 20 <= found[M.TIME_TO_SHIP].expected <= 23


def test_the_job_is_registered_hourly_and_runs_twice_with_one_finding(methods, owner):
    from shop.jobs import load_jobs

    _task, schedule = load_jobs()["anomaly_watch"]
    assert schedule.minute == {5}
    seed_baseline(methods)
    last = datetime.now(SHANGHAI).replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    rng = random.Random(5)
    for k in range(1, WEEKS + 1):
        seed_hour(last - timedelta(weeks=k), orders=rng.randint(36, 44), method=methods)
    seed_hour(last, orders=200, method=methods)
    call_command("run_job", "anomaly_watch")
    call_command("run_job", "anomaly_watch")
    assert Anomaly.objects.filter(metric=M.ORDERS, hour=last).count() == 1


# -- the pages -----------------------------------------------------------------------------------------
@pytest.fixture
def anomaly(methods, owner):
    seed_baseline(methods)
    seed_hour(HOUR, orders=130, method=methods)
    anomalies_detect(now=NOW)
    return Anomaly.objects.get(metric=M.ORDERS)


def test_the_list_and_the_detail_with_its_chart(owner_client, anomaly):
    listing = owner_client.get(reverse("reports:anomaly_list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert anomaly.get_absolute_url() in listing
    page = owner_client.get(anomaly.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    chart = page.context["chart"]
    assert len(chart["labels"]) == 24 and chart["observed"][-1] == 130
    assert chart["low"][-1] <= chart["expected"][-1] <= chart["high"][-1] < 130
    assert 'data-testid="anomaly-chart"' in page.content.decode()
    assert anomaly.explanation.split(" in the hour")[0] in page.content.decode()


def test_acknowledging_is_audited_and_happens_once(owner_client, owner, anomaly):
    url = reverse("reports:anomaly_acknowledge", args=[anomaly.pk])
    response = owner_client.post(url, {"note": "campaign email went out"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    anomaly.refresh_from_db()
    assert anomaly.acknowledged_by == owner and anomaly.acknowledge_note == "campaign email went out"
    entry = AuditEntry.objects.get(action="reports.anomaly_acknowledge")
    assert entry.after["acknowledged"] is True
    again = owner_client.post(url, {}, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert "already acknowledged" in again.content.decode()
    assert AuditEntry.objects.filter(action="reports.anomaly_acknowledge").count() == 1


def test_open_filter_hides_acknowledged(owner_client, owner, anomaly):
    from reports.services import anomaly_acknowledge

    anomaly_acknowledge(anomaly=anomaly, actor=owner)
    html = owner_client.get(reverse("reports:anomaly_list") + "?open=true", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert anomaly.get_absolute_url() not in html
    assert Anomaly.objects.get(metric=M.SALES).get_absolute_url() in html


def test_threshold_setting_changes_what_is_found(methods, owner):
    StoreSettings.objects.update_or_create(pk=1, defaults={"anomaly_threshold_percent": 300})
    seed_baseline(methods)
    seed_hour(HOUR, orders=130, method=methods)  # about 225 percent up: under a 300 percent threshold
    assert anomalies_detect(now=NOW) == []
