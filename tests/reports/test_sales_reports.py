"""The sales report pages: figures from the rollups equal to the raw rows, comparison and grouping, period
validation, CSV / XLSX export, and never a query on the orders table."""

import csv
import io
import json
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders.models import Order, OrderLine
from reports.periods import Period, period_from_request
from reports.views.sales import REPORTS
from tests.reports.conftest import local

pytestmark = pytest.mark.django_db
CUSTOM = {"preset": "custom", "start": "2026-11-10", "end": "2026-11-12", "compare": "previous", "group": "day"}


@pytest.fixture
def sales(store):
    """Day 1 and 2 sales, a day-3 cancellation refund, and a sale a week before (the previous period)."""
    before = store.place(local(2026, 11, 8, 12), [("RPT-TEE", 1)], channel="app")
    store.pay(before, local(2026, 11, 8, 12, 5))
    a = store.place(local(2026, 11, 10, 9), [("RPT-TEE", 2), ("RPT-JEANS", 1)], channel="app", province="广东")
    store.pay(a, local(2026, 11, 10, 9, 1))
    b = store.place(local(2026, 11, 11, 20), [("RPT-SHIRT", 1)], method="wechat", province="广东省")
    store.pay(b, local(2026, 11, 11, 20, 30))
    c = store.place(local(2026, 11, 11, 21), [("RPT-JEANS", 1)])
    store.pay(c, local(2026, 11, 11, 21, 5))
    store.cancel(c, local(2026, 11, 12, 8))
    store.refund_requested(c, local(2026, 11, 12, 8, 30))
    return {"before": before, "a": a, "b": b, "c": c}


def _get(client, name, **params):
    return client.get(reverse(f"reports:{name}"), {**CUSTOM, **params}, HTTP_ACCEPT_LANGUAGE="en")


def _table(client, name, **params):
    """The CSV export as {first column: row dict}."""
    response = _get(client, name, export="csv", **params)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = rows[0]
    return {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}


def test_sales_by_channel_equals_the_orders_to_the_cent(owner_client, sales):
    table = _table(owner_client, "sales-channel")
    a, b, c = sales["a"], sales["b"], sales["c"]
    app, web = table["App"], table["Web shop"]
    assert Decimal(app["Net sales"]) == a.subtotal - a.discount
    assert Decimal(app["Gross sales"]) == a.subtotal
    # Web: b and c were sold on day 2; c's refund (its whole total, shipping included) came on day 3.
    assert Decimal(web["Gross sales"]) == b.subtotal + c.subtotal
    assert Decimal(web["Refunds"]) == c.total
    assert Decimal(web["Net sales"]) == b.subtotal - b.discount + c.subtotal - c.discount - c.total
    assert web["Orders paid"] == "2"
    total = table["Total"]
    paid = Order.objects.filter(paid_at__gte=local(2026, 11, 10, 0), paid_at__lt=local(2026, 11, 13, 0))
    assert Decimal(total["Gross sales"]) == sum(o.subtotal for o in paid)
    # The comparison: the three days before hold the day-8 app sale.
    assert Decimal(app["Net sales, before"]) == sales["before"].subtotal - sales["before"].discount
    assert table["Web shop"]["Change (percent)"] == ""  # nothing before: no percentage


def test_products_brands_categories_and_provinces(owner_client, sales, catalogue):
    lines = OrderLine.objects.filter(order__in=[sales["a"], sales["b"], sales["c"]])
    products = _table(owner_client, "sales-product")
    tee = [line for line in lines if line.sku_code == "RPT-TEE"]
    assert Decimal(products["纯棉T恤"]["Gross sales"]) == sum(line.line_total + line.discount for line in tee)
    assert products["纯棉T恤"]["Units"] == "2"
    jeans_refund = OrderLine.objects.get(order=sales["c"]).line_total  # c's only line: all its refund is here
    assert Decimal(products["牛仔裤"]["Refunds"]) == sales["c"].total and jeans_refund <= sales["c"].total
    brands = _table(owner_client, "sales-brand")
    assert Decimal(brands["甲牌"]["Gross sales"]) == sum(
        line.line_total + line.discount for line in lines if line.sku_code in ("RPT-TEE", "RPT-JEANS")
    )
    roots = _table(owner_client, "sales-category")
    assert Decimal(roots["服装"]["Gross sales"]) == sum(line.line_total + line.discount for line in lines)
    children = _table(owner_client, "sales-category", category=catalogue["root"].pk)
    assert set(children) == {"上衣", "裤子", "Total"}
    assert Decimal(children["Total"]["Net sales"]) == Decimal(roots["Total"]["Net sales"])
    provinces = _table(owner_client, "sales-province")
    assert provinces["广东"]["Orders paid"] == "2"  # 广东 and 广东省 are one province


def test_payment_method_and_hour_of_day(owner_client, sales):
    methods = _table(owner_client, "sales-payment-method")
    assert Decimal(methods["WeChat Pay"]["Gross sales"]) == sales["b"].subtotal
    hours = _table(owner_client, "sales-hour")
    assert Decimal(hours["20:00"]["GMV paid"]) == sales["b"].total
    assert hours["09:00"]["Orders paid"] == "1"
    assert list(hours)[:-1] == sorted(list(hours)[:-1])  # hour order, not ranked


@pytest.mark.parametrize("report", REPORTS, ids=lambda r: r.slug)
def test_every_sales_report_renders_without_touching_the_orders_table(owner_client, sales, report):
    with CaptureQueriesContext(connection) as queries:
        response = _get(owner_client, report.slug, group="week", compare="last_year")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="report-table"' in html and 'id="report-rank"' in html and 'id="report-trend"' in html
    assert "compared with 2025-11-10" in html
    sql = " ".join(q["sql"] for q in queries.captured_queries).lower()
    assert "orders_order" not in sql and "orders_orderline" not in sql and "payments_" not in sql
    assert "reports_sales" in sql
    assert "<script>" not in html  # CSP: data in json_script, code in static files


def test_grouping_by_week_and_month_in_the_trend(owner_client, sales):
    html = _get(owner_client, "sales-channel", start="2026-11-01", end="2026-11-30", group="week").content.decode()
    trend = json.loads(html.split('id="report-trend" type="application/json">')[1].split("</script>")[0])
    assert trend["labels"][0] == "2026-10-26" and "2026-11-09" in trend["labels"]  # Mondays
    week = trend["labels"].index("2026-11-09")
    a, b, c = sales["a"], sales["b"], sales["c"]
    expected = sum(o.subtotal - o.discount for o in (a, b, c)) - c.total
    assert Decimal(str(trend["datasets"][0]["data"][week])) == expected
    assert trend["datasets"][1]["dashed"] is True  # the previous period
    html = _get(owner_client, "sales-channel", start="2026-09-01", end="2026-11-30", group="month").content.decode()
    trend = json.loads(html.split('id="report-trend" type="application/json">')[1].split("</script>")[0])
    assert trend["labels"] == ["2026-09-01", "2026-10-01", "2026-11-01"]


def test_whole_months_read_from_the_month_rollup_add_up_the_same(owner_client, sales):
    """Oct 15 – Dec 5 reads November whole from SalesMonth and the edges from SalesDay."""
    from reports.selectors import month_split

    long = _table(owner_client, "sales-channel", start="2026-10-15", end="2026-12-05")
    november = _table(owner_client, "sales-channel", start="2026-11-01", end="2026-11-30")
    days = _table(owner_client, "sales-channel", start="2026-11-08", end="2026-11-12")
    assert long["Total"]["Net sales"] == november["Total"]["Net sales"] == days["Total"]["Net sales"]
    assert long["App"]["Gross sales"] == days["App"]["Gross sales"]
    edges, months = month_split(Period(date(2026, 10, 15), date(2026, 12, 5)))
    assert edges == [(date(2026, 10, 15), date(2026, 10, 31)), (date(2026, 12, 1), date(2026, 12, 5))]
    assert months == (date(2026, 11, 1), date(2026, 11, 1))
    assert month_split(Period(date(2026, 11, 3), date(2026, 11, 20))) == (
        [(date(2026, 11, 3), date(2026, 11, 20))],
        None,
    )


def test_xlsx_export_has_the_table_and_its_totals(owner_client, sales):
    response = _get(owner_client, "sales-channel", export="xlsx")
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("Channel", "Net sales") and rows[-1][0] == "Total"
    assert Decimal(str(rows[-1][1])).quantize(Decimal("0.01")) == Decimal(
        _table(owner_client, "sales-channel")["Total"]["Net sales"]
    )


@pytest.mark.parametrize(
    "params, message",
    [
        ({"end": "2026-11-01"}, "The end date is before the start date."),
        ({"start": ""}, "A custom range needs a start and an end date."),
        ({"start": "2020-01-01"}, "A range may span at most"),
        ({"start": "not-a-date"}, "Enter a valid date."),
        ({"preset": "forever"}, "Select a valid choice."),
    ],
)
def test_bad_period_input_shows_a_message_not_an_error(owner_client, sales, params, message):
    response = _get(owner_client, "sales-channel", **params)
    assert response.status_code == 200
    assert message in response.content.decode()


def test_presets_and_comparisons():
    class Request:
        GET = {"preset": "7d", "compare": "last_year"}

    period, form = period_from_request(Request(), today=date(2026, 3, 1))
    assert (period.start, period.end) == (date(2026, 2, 23), date(2026, 3, 1))
    assert period.comparison() == Period(date(2025, 2, 23), date(2025, 3, 1), "7d", "last_year", "day")
    Request.GET = {"preset": "month"}
    period, _form = period_from_request(Request(), today=date(2024, 3, 31))
    assert (period.start, period.end, period.previous().start, period.previous().end) == (
        date(2024, 3, 1),
        date(2024, 3, 31),
        date(2024, 1, 30),
        date(2024, 2, 29),
    )
    Request.GET = {"preset": "yesterday"}
    period, _form = period_from_request(Request(), today=date(2024, 3, 1))
    assert period.start == period.end == date(2024, 2, 29)
    assert Period(date(2024, 2, 29), date(2024, 2, 29)).last_year().start == date(2023, 2, 28)


def test_marketing_sees_sales_but_not_finance(client_as, sales):
    marketing = client_as("marketing")
    assert _get(marketing, "sales-channel").status_code == 200
    assert _get(marketing, "finance").status_code == 403
    assert _get(client_as("warehouse"), "sales-channel").status_code == 403


def test_reports_read_from_the_replica_when_one_is_configured(settings):
    from payments.models import Payment
    from reports.models import SalesDay
    from reports.routers import ReplicaRouter, read_alias

    router = ReplicaRouter()
    assert read_alias() == "default" and router.db_for_read(SalesDay) is None
    settings.DATABASES = {**settings.DATABASES, "replica": settings.DATABASES["default"]}
    assert read_alias() == "replica"
    assert router.db_for_read(SalesDay) == "replica" and router.db_for_read(Payment) is None
    assert router.db_for_write(SalesDay) == "default" and not router.allow_migrate("replica", "reports")
