"""The finance report: per settlement batch, gross, discounts, refunds, fees and net to the cent against the
payments, and what no batch holds yet per method; its rollup equals the payments and refunds as they happen
(payment, retry, duplicate, settlement, refund) and when rebuilt."""

import csv
import io
from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from payments.models import Payment, Refund, SettlementBatch
from payments.services import settle_payments_run
from reports.models import PaymentDay
from reports.selectors import payment_rollup_mismatches
from reports.services import rollups_rebuild
from tests.reports.conftest import local

pytestmark = pytest.mark.django_db
PERIOD = {"preset": "custom", "start": "2026-11-10", "end": "2026-11-11", "compare": "previous"}


@pytest.fixture
def money(store, clock):
    a = store.place(local(2026, 11, 10, 9), [("RPT-TEE", 2)])
    store.pay(a, local(2026, 11, 10, 9, 5))
    b = store.place(local(2026, 11, 10, 11), [("RPT-JEANS", 1)], method="wechat")
    store.pay(b, local(2026, 11, 10, 11, 5))
    c = store.place(local(2026, 11, 10, 15), [("RPT-SHIRT", 3)])
    store.pay(c, local(2026, 11, 10, 15, 5))
    store.refund(c, local(2026, 11, 10, 18), amount=Decimal("20.05"))
    d = store.place(local(2026, 11, 11, 10), [("RPT-SHIRT", 1)])  # day 2: not settled yet
    store.pay(d, local(2026, 11, 11, 10, 5))
    clock.at(local(2026, 11, 11, 2))
    batches = settle_payments_run(day=local(2026, 11, 10).date())
    return {"orders": (a, b, c, d), "batches": batches}


def _rows(client, **params):
    response = client.get(reverse("reports:finance"), {**PERIOD, **params, "export": "csv"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    return {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}


def test_each_batch_adds_up_to_the_cent_against_its_payments(client_as, money):
    rows = _rows(client_as("finance"))
    alipay = SettlementBatch.objects.get(method__code="alipay")
    row = rows[f"{alipay.method.name} · 2026-11-10"]
    payments = Payment.objects.filter(settlement=alipay)
    assert Decimal(row["Gross"]) == payments.aggregate(s=Sum("amount"))["s"] == alipay.gross
    assert Decimal(row["Fees"]) == payments.aggregate(s=Sum("fee"))["s"]
    assert Decimal(row["Refunds"]) == Decimal("20.05")
    assert Decimal(row["Net"]) == alipay.net == Decimal(row["Settled"])
    a, _b, c, _d = money["orders"]
    assert Decimal(row["Discounts"]) == a.discount + c.discount
    assert row["Payments"] == "2" and row["Refunds made"] == "1"
    open_row = rows[f"{alipay.method.name} · not settled yet"]
    assert Decimal(open_row["Gross"]) == money["orders"][3].total
    total = rows["Total"]
    captured = Payment.objects.filter(status=Payment.Status.CAPTURED)
    assert Decimal(total["Gross"]) == captured.aggregate(s=Sum("amount"))["s"]
    refunded = Refund.objects.filter(status=Refund.Status.SUCCEEDED).aggregate(s=Sum("amount"))["s"]
    fees = captured.aggregate(s=Sum("fee"))["s"]
    assert Decimal(total["Net"]) == Decimal(total["Gross"]) - fees - refunded


def test_the_page_renders_with_its_comparison(owner_client, money):
    response = owner_client.get(reverse("reports:finance"), PERIOD, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200 and "Net, before" in html and "not settled yet" in html


def test_operations_may_not_open_the_finance_report(client_as, money):
    assert client_as("operations").get(reverse("reports:finance")).status_code == 403


def test_by_payment_method_equals_the_payments(client_as, money):
    response = client_as("finance").get(
        reverse("reports:finance-method"), {**PERIOD, "export": "csv"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    table = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    for method in ("alipay", "wechat"):
        payments = Payment.objects.filter(method__code=method, status=Payment.Status.CAPTURED)
        name = payments.first().method.name
        assert Decimal(table[name]["Gross"]) == payments.aggregate(s=Sum("amount"))["s"]
        assert Decimal(table[name]["Fees"]) == payments.aggregate(s=Sum("fee"))["s"]
    alipay = Payment.objects.filter(method__code="alipay").first().method.name
    assert Decimal(table[alipay]["Refunds"]) == Decimal("20.05")
    assert table["Total"]["Payments"] == "4"


# -- the finance rollup (reports.models.PaymentDay)
PAYMENT_FIELDS = ("payments", "gross", "fees", "discounts", "refunds", "refund_count")


def raw_payment_days() -> dict:
    """PaymentDay's figures straight from the payments (captured or flagged) and the confirmed refunds."""
    rows: dict = defaultdict(lambda: defaultdict(int))
    for p in Payment.objects.exclude(status=Payment.Status.FAILED).select_related("order"):
        row = rows[(timezone.localdate(p.paid_at), p.method_id, p.settlement_id or 0)]
        row["payments"] += 1
        row["gross"] += p.amount
        row["fees"] += p.fee
        row["discounts"] += p.order.discount
    for r in Refund.objects.filter(status=Refund.Status.SUCCEEDED).select_related("payment"):
        row = rows[(timezone.localdate(r.confirmed_at), r.payment.method_id, 0)]
        row["refunds"] += r.amount
        row["refund_count"] += 1
    return {key: {f: v for f, v in row.items() if v} for key, row in rows.items()}


def rolled_payment_days() -> dict:
    return {
        (r.day, r.method_id, r.batch): {f: getattr(r, f) for f in PAYMENT_FIELDS if getattr(r, f)}
        for r in PaymentDay.objects.all()
    }


@pytest.fixture
def exceptions(store, money):
    """A payment failed then retried and paid, and a second payment of a paid order (a refund is queued)."""
    e = store.place(local(2026, 11, 11, 14), [("RPT-TEE", 1)], method="wechat")
    store.fail_payment(e, local(2026, 11, 11, 14, 1))
    store.pay(e, local(2026, 11, 11, 14, 3))
    a = money["orders"][0]
    store._callback(a, local(2026, 11, 11, 16), txn="TX-AGAIN")
    return e


def test_the_finance_rollup_equals_the_payments_and_refunds_as_they_happen(store, money, exceptions):
    assert rolled_payment_days() == raw_payment_days()
    assert Payment.objects.filter(flag=Payment.Flag.DUPLICATE).exists()
    settled = {b.pk for b in money["batches"] if b.payment_count}
    assert settled and settled == {key[2] for key in rolled_payment_days()} - {0}  # moved to the batches' rows
    day_1 = PaymentDay.objects.get(batch=0, day=date(2026, 11, 10))  # the day's refund: its payments all settled
    assert (day_1.payments, day_1.gross, day_1.refund_count) == (0, 0, 1)
    store.refund(exceptions, local(2026, 11, 12, 9), amount=Decimal("1.01"))
    settle_payments_run(day=date(2026, 11, 11))
    assert rolled_payment_days() == raw_payment_days()
    assert not PaymentDay.objects.filter(batch=0, payments__gt=0).exists()  # every payment is in a batch now


def test_rebuilt_finance_rollup_equals_the_incremental_one(money, exceptions):
    incremental = rolled_payment_days()
    today = date(2026, 11, 12)
    assert payment_rollup_mismatches(days=5, today=today) == []  # the invariant holds as events happened
    PaymentDay.objects.filter(day=date(2026, 11, 11)).update(gross=Decimal("999.99"))  # damaged: the rebuild repairs
    damaged = payment_rollup_mismatches(days=5, today=today)  # the invariant names the damaged day
    assert damaged and all(line.startswith("2026-11-11 method ") for line in damaged)
    result = rollups_rebuild(start=date(2026, 11, 10), end=date(2026, 11, 12))
    assert rolled_payment_days() == incremental and result["payment_rows"] == len(incremental)
    assert payment_rollup_mismatches(days=5, today=today) == []
