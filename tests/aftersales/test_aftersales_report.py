"""The after-sales report on known data: request rates by product, category and reason against the units sold in
the period, refunds, restocked versus written off, the request and complaint timings (median, p90), complaints by
category with their satisfaction; the page, its date range and its CSV."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from aftersales.models import AftersalesLine, AftersalesReason, AftersalesRequest, Complaint
from aftersales.selectors import aftersales_report, median, p90, period_bounds
from catalog.models import Category
from orders.models import Order
from tests.aftersales.conftest import complaint_order
from tests.catalog.factories import ProductFactory, SkuFactory

Kind = AftersalesRequest.Kind
Outcome = AftersalesLine.Outcome


@pytest.fixture
def period():
    today = timezone.localdate()
    return today - timedelta(days=9), today


@pytest.fixture
def known(customer, period, make_complaint):
    """Sold in the period: 10 tees (clothing) and 4 mugs (no category); outside it or not a purchase: more tees.
    Requests in the period: R1 return 2 tees (reason A, refunded 198.00, restocked; 2 h / 10 h), R2 exchange 1 mug
    (A, written off; 4 h / 20 h), R3 return 1 tee (B, rejected; 6 h / 6 h); a cancelled one and an older one."""
    start, _end = period
    t = timezone.now() - timedelta(days=2)
    clothing = Category.objects.add_root({"name": "服装"})
    tee = SkuFactory(product=ProductFactory(code="R-TEE", name="T恤", category=clothing))
    mug = SkuFactory(product=ProductFactory(code="R-MUG", name="杯子"))
    tees = complaint_order(customer, "R0001", sku=tee, quantity=10, placed_at=t)
    mugs = complaint_order(customer, "R0002", sku=mug, quantity=4, placed_at=t)
    complaint_order(customer, "R0003", sku=tee, quantity=5, placed_at=t - timedelta(days=60))  # before the period
    cancelled = complaint_order(customer, "R0004", sku=tee, quantity=3, placed_at=t)
    Order.objects.filter(pk=cancelled.pk).update(status=Order.Status.CANCELLED)
    complaint_order(customer, "R0005", sku=tee, quantity=7, placed_at=t, paid=False)  # never paid
    reason_a = AftersalesReason.objects.create(code="r-a", name="质量问题", kinds=[])
    reason_b = AftersalesReason.objects.create(code="r-b", name="不想要了", kinds=[])

    def request(number, order, kind, reason, quantity, *, status, outcome=Outcome.PENDING, refunded="0", **times):
        made = AftersalesRequest.objects.create(
            number=number, order=order, kind=kind, reason=reason, status=status, submitted_at=t, **times
        )
        AftersalesLine.objects.create(
            request=made,
            order_line=order.lines.get(),
            quantity=quantity,
            amount_refunded=Decimal(refunded),
            outcome=outcome,
        )
        return made

    S = AftersalesRequest.Status
    hours = lambda n: t + timedelta(hours=n)  # noqa: E731
    request(
        "R1", tees, Kind.RETURN, reason_a, 2, status=S.CLOSED, outcome=Outcome.RESTOCK, refunded="198.00",
        first_response_at=hours(2), refunded_at=hours(10), closed_at=hours(11),
    )  # fmt: skip
    request(
        "R2", mugs, Kind.EXCHANGE, reason_a, 1, status=S.REPLACEMENT_SHIPPED, outcome=Outcome.WRITE_OFF,
        first_response_at=hours(4), replacement_shipped_at=hours(20),
    )  # fmt: skip
    request("R3", tees, Kind.RETURN, reason_b, 1, status=S.REJECTED, first_response_at=hours(6), rejected_at=hours(6))
    request("R4", tees, Kind.RETURN, reason_b, 5, status=S.CANCELLED)
    old = request("R5", tees, Kind.RETURN, reason_b, 1, status=S.SUBMITTED)
    AftersalesRequest.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - timedelta(days=40))

    def complaint(category, first, resolved, rating):
        made = make_complaint(category=category, now=t)
        Complaint.objects.filter(pk=made.pk).update(
            first_response_at=hours(first) if first is not None else None,
            resolved_at=hours(resolved) if resolved is not None else None,
            status=Complaint.Status.RESOLVED if resolved is not None else Complaint.Status.OPEN,
            satisfaction=rating,
        )

    complaint("product", 1, 5, 4)
    complaint("product", 3, 9, 2)
    complaint("logistics", None, None, None)
    old_complaint = make_complaint(category="price")
    Complaint.objects.filter(pk=old_complaint.pk).update(created_at=timezone.now() - timedelta(days=40))
    return {"tee": tee.product, "mug": mug.product, "clothing": clothing}


def test_percentiles():
    assert median([1, 3, 2]) == 2 and median([1, 2, 3, 4]) == 2.5 and median([]) is None
    assert p90([2, 4, 6]) == 6 and p90(list(range(1, 11))) == 9 and p90(list(range(1, 21))) == 18


def test_the_request_figures_on_known_data(known, period):
    report = aftersales_report(**dict(zip(("starts_at", "ends_at"), period_bounds(*period), strict=True)))
    q = report["requests"]
    assert (q["count"], q["units"], q["sold"], q["rate"]) == (3, 4, 14, Decimal("0.2857"))
    by_product = {r["product"].code: (r["requests"], r["units"], r["sold"], r["rate"]) for r in q["by_product"]}
    assert by_product == {"R-TEE": (2, 3, 10, Decimal("0.3000")), "R-MUG": (1, 1, 4, Decimal("0.2500"))}
    by_category = {r["category"]: (r["requests"], r["units"], r["sold"], r["percent"]) for r in q["by_category"]}
    assert by_category == {known["clothing"]: (2, 3, 10, Decimal("30.00")), None: (1, 1, 4, Decimal("25.00"))}
    by_reason = {r["code"]: (r["requests"], r["units"], r["rate"]) for r in q["by_reason"]}
    assert by_reason == {"r-a": (2, 3, Decimal("0.2143")), "r-b": (1, 1, Decimal("0.0714"))}
    assert q["refund_total"] == Decimal("198.00")
    assert {r["kind"]: r["amount"] for r in q["refunds"]} == {"return": Decimal("198.00"), "exchange": Decimal("0")}
    assert (q["restocked"], q["written_off"], q["not_inspected"]) == (2, 1, 1)
    assert (q["response_median"], q["response_p90"]) == (4, 6)
    assert (q["resolution_median"], q["resolution_p90"]) == (10, 20)


def test_the_complaint_figures_on_known_data(known, period):
    report = aftersales_report(**dict(zip(("starts_at", "ends_at"), period_bounds(*period), strict=True)))
    c = report["complaints"]
    rows = {r["category"]: r for r in c["categories"]}
    assert set(rows) == {"product", "logistics"}
    product = rows["product"]
    assert (product["count"], product["resolved"], product["open"]) == (2, 2, 0)
    assert (product["response_median"], product["response_p90"]) == (2, 3)
    assert (product["resolution_median"], product["resolution_p90"]) == (7, 9)
    assert (product["satisfaction_avg"], product["rated"]) == (3, 2)
    assert (rows["logistics"]["count"], rows["logistics"]["open"], rows["logistics"]["resolution_median"]) == (
        1,
        1,
        None,
    )
    assert (c["total"]["count"], c["total"]["resolved"]) == (3, 2)


def test_the_report_page_and_its_csv(owner_client, known, period):
    start, end = (d.isoformat() for d in period)
    url = reverse("aftersales:report")
    page = owner_client.get(url, {"start": start, "end": end})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="request-by-product"' in html and "R-TEE" in html and "30.00 %" in html
    assert 'data-testid="complaint-report"' in html
    csv = owner_client.get(url, {"start": start, "end": end, "export": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert "product,R-TEE,T恤,2,3,10,0.3000," in lines
    assert "reason,r-a,质量问题,2,3,,0.2143," in lines
    assert "requests,total,,3,4,14,0.2857,198.00" in lines
    assert "inspection,written_off,,,1,,," in lines
    assert "complaints,product,2,2,0,0,2.00,3.00,7.00,9.00,3.0,2" in lines


def test_the_default_range_is_the_last_30_days_and_a_bad_range_is_refused(owner_client, known):
    url = reverse("aftersales:report")
    assert owner_client.get(url).status_code == 200
    today = timezone.localdate()
    bad = owner_client.get(url, {"start": today.isoformat(), "end": (today - timedelta(days=1)).isoformat()})
    assert bad.status_code == 400 and "The end is before the start." in bad.content.decode()
    assert owner_client.get(url, {"start": "junk", "end": "x"}).status_code == 400


def test_only_after_sales_roles_see_the_report(client_as):
    assert client_as("finance").get(reverse("aftersales:report")).status_code == 403
