"""The finance report: per settlement batch, gross, discounts, refunds, fees and net to the cent against the
payments, and what no batch holds yet per method."""

import csv
import io
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse

from payments.models import Payment, Refund, SettlementBatch
from payments.services import settle_payments_run
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
