"""After-sales reads shared by the pages, the API, the jobs and the reports module (which may read these;
aftersales never imports reports).

The after-sales report (`aftersales_report`) over a date range: the requests submitted in it (cancelled ones left
out) by product, product category and reason, each with its request rate = units asked back / units sold in the
same range (purchases placed in it: paid, not cancelled or closed); the amounts refunded on those requests, by
kind; their time to first response and to resolution (refunded, replacement shipped or rejected, else closed);
their returned units restocked versus written off; and the complaints received in it by category with their time
to first response and to resolution and the customers' satisfaction. Times are in hours.
Percentiles: the median is the middle value (the mean of the two middle ones for an even count); p90 is the
nearest-rank value (the smallest value at or above 90 percent of the values).
"""

import math
import statistics
from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.db.models import Avg, Count, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.models import (
    AftersalesEvidence,
    AftersalesExcludedCategory,
    AftersalesLine,
    AftersalesReason,
    AftersalesRequest,
    AutoApprovalRule,
    Complaint,
    ComplaintNote,
    FaqArticle,
    FaqCategory,
    ModerationKeyword,
    Review,
    Survey,
)
from aftersales.models.reviews import RATINGS
from shop.errors import NotFound


# -- requests ---------------------------------------------------------------------------------------------
def active_reasons():
    return AftersalesReason.objects.filter(is_active=True).order_by("position", "id")


def reasons():
    return AftersalesReason.objects.order_by("position", "id")


def excluded_categories():
    return AftersalesExcludedCategory.objects.select_related("category").order_by("category__path")


def auto_rules():
    return AutoApprovalRule.objects.order_by("position", "id")


def _with_lines(qs):
    return qs.select_related(
        "order", "reason", "refund", "return_carrier", "replacement_carrier", "assignee", "auto_approved_by"
    ).prefetch_related(
        Prefetch(
            "lines",
            AftersalesLine.objects.select_related("order_line", "warehouse", "replacement_sku").order_by("pk"),
        ),
    )


def request_for_api(number) -> AftersalesRequest:
    request = _with_lines(AftersalesRequest.objects.filter(number=str(number)[:20])).first()
    if request is None:
        raise NotFound(_("After-sales request not found."), code="request_not_found")
    return request


def request_list():
    """Requests for the list page (newest first; the list's keyset orders them)."""
    return AftersalesRequest.objects.select_related("order", "reason", "assignee")


def request_detail(pk) -> AftersalesRequest | None:
    return (
        _with_lines(AftersalesRequest.objects.filter(pk=pk))
        .prefetch_related(Prefetch("evidence", AftersalesEvidence.objects.order_by("pk")))
        .select_related("order__customer")
        .first()
    )


def order_requests(order):
    """An order's requests, newest first (the order page's after-sales links)."""
    return AftersalesRequest.objects.filter(order=order).order_by("-submitted_at", "-id")


UNRESOLVED = (Complaint.Status.OPEN, Complaint.Status.IN_PROGRESS)


# -- complaints ---------------------------------------------------------------------------------------------
def complaints() -> QuerySet[Complaint]:
    """The complaint rows: each with its customer, order, shipment, product and assignee."""
    return Complaint.objects.select_related("customer", "order", "shipment__carrier", "product", "assignee")


def complaint_thread(complaint) -> QuerySet[ComplaintNote]:
    """The complaint's notes, replies and events, oldest first, with how each reply was sent."""
    return (
        ComplaintNote.objects.filter(complaint=complaint)
        .select_related("author", "outbound")
        .order_by("created_at", "id")
    )


def overdue_q(now=None) -> Q:
    """Unresolved and past the SLA due time."""
    return Q(status__in=UNRESOLVED, sla_due_at__lte=now or timezone.now())


def customer_complaints(customer) -> QuerySet[Complaint]:
    return Complaint.objects.filter(customer=customer).select_related("assignee").order_by("-created_at", "-id")


def order_complaints(order) -> QuerySet[Complaint]:
    return Complaint.objects.filter(order=order).select_related("assignee").order_by("-created_at", "-id")


# -- the knowledge base ---------------------------------------------------------------------------------------
def faq_categories() -> QuerySet[FaqCategory]:
    return FaqCategory.objects.order_by("position", "name", "id")


def faq_articles() -> QuerySet[FaqArticle]:
    return FaqArticle.objects.select_related("category")


def faq_search(*, q="", category=None, published_only=True) -> QuerySet[FaqArticle]:
    """FAQ articles whose question or answer holds every word of `q`, in the category (an id) if given,
    in their category's order then their own."""
    rows = faq_articles()
    if published_only:
        rows = rows.filter(published=True)
    if category:
        rows = rows.filter(category_id=category)
    for word in str(q or "").split()[:8]:
        rows = rows.filter(Q(question__icontains=word) | Q(answer__icontains=word))
    return rows.order_by("category__position", "category_id", "position", "id")


# -- the after-sales report -------------------------------------------------------------------------------------
def median(values):
    return statistics.median(values) if values else None


def p90(values):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def _hours(start, end):
    return (end - start).total_seconds() / 3600


def period_bounds(start_day, end_day):
    """[start, end) as aware datetimes for the days start_day..end_day inclusive (the store's time zone)."""
    zone = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(start_day, time.min), zone),
        timezone.make_aware(datetime.combine(end_day + timedelta(days=1), time.min), zone),
    )


def _figures(rows):
    responses = [_hours(r["created_at"], r["first_response_at"]) for r in rows if r["first_response_at"]]
    resolutions = [_hours(r["created_at"], r["resolved_at"]) for r in rows if r["resolved_at"]]
    ratings = [r["satisfaction"] for r in rows if r["satisfaction"] is not None]
    return {
        "count": len(rows),
        "resolved": len(resolutions),
        "open": sum(1 for r in rows if r["status"] in UNRESOLVED),
        "overdue": sum(1 for r in rows if r["sla_breached_at"] is not None),
        "response_median": median(responses),
        "response_p90": p90(responses),
        "resolution_median": median(resolutions),
        "resolution_p90": p90(resolutions),
        "satisfaction_avg": round(sum(ratings) / len(ratings), 2) if ratings else None,
        "rated": len(ratings),
    }


def complaint_report(*, starts_at, ends_at) -> dict:
    """Complaints received in [starts_at, ends_at): per category (in the category list's order) and in total,
    {count, resolved, open, overdue, response_median, response_p90, resolution_median, resolution_p90 (hours),
    satisfaction_avg, rated}."""
    rows = list(
        Complaint.objects.filter(created_at__gte=starts_at, created_at__lt=ends_at)
        .order_by()
        .values(
            "category", "status", "created_at", "first_response_at", "resolved_at", "satisfaction", "sla_breached_at"
        )
    )
    by_category = []
    for code, label in Complaint.Category.choices:
        mine = [r for r in rows if r["category"] == code]
        if mine:
            by_category.append({"category": code, "label": label, **_figures(mine)})
    return {"categories": by_category, "total": _figures(rows)}


RATE_PLACES = Decimal("0.0001")


def _rate(asked, sold):
    """Units asked back per unit sold (4 places, half-up), or None when nothing was sold."""
    if not sold:
        return None
    return (Decimal(asked) / Decimal(sold)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def _percent(rate):
    return None if rate is None else (rate * 100).quantize(Decimal("0.01"))


def _resolved_at(row):
    for field in ("refunded_at", "replacement_shipped_at", "rejected_at", "closed_at"):
        if row[field] is not None:
            return row[field]
    return None


def request_report(*, starts_at, ends_at) -> dict:
    """The requests submitted in [starts_at, ends_at) (cancelled ones left out); see the module docstring."""
    from catalog.models import Product
    from orders.models import OrderLine
    from orders.selectors import purchases

    requests = AftersalesRequest.objects.filter(submitted_at__gte=starts_at, submitted_at__lt=ends_at).exclude(
        status=AftersalesRequest.Status.CANCELLED
    )
    lines = AftersalesLine.objects.filter(request__in=requests).order_by()
    sold = dict(
        OrderLine.objects.filter(order__in=purchases().filter(placed_at__gte=starts_at, placed_at__lt=ends_at))
        .order_by()
        .values_list("sku__product_id")
        .annotate(units=Sum("quantity"))
    )
    asked = list(
        lines.values("order_line__sku__product_id").annotate(
            units=Sum("quantity"), requests=Count("request", distinct=True)
        )
    )
    products = Product.objects.in_bulk([r["order_line__sku__product_id"] for r in asked] + list(sold))
    by_product: list[dict] = []
    categories: dict = {}
    for row in asked:
        product = products[row["order_line__sku__product_id"]]
        units_sold = sold.get(product.pk, 0)
        by_product.append(
            {
                "product": product,
                "requests": row["requests"],
                "units": row["units"],
                "sold": units_sold,
                "rate": _rate(row["units"], units_sold),
            }
        )
        key = product.category_id
        entry = categories.setdefault(key, {"category": product.category, "units": 0, "requests": set(), "sold": 0})
        entry["units"] += row["units"]
    # a category's units sold: every product of it sold in the period, asked back or not
    for product_id, units in sold.items():
        key = products[product_id].category_id
        if key in categories:
            categories[key]["sold"] += units
    for pair in lines.values("order_line__sku__product__category_id", "request_id").distinct():
        categories[pair["order_line__sku__product__category_id"]]["requests"].add(pair["request_id"])
    by_category = [
        {**c, "requests": len(c["requests"]), "rate": _rate(c["units"], c["sold"])} for c in categories.values()
    ]
    total_sold = sum(sold.values())
    by_reason = [
        {
            "reason": row["request__reason__name"],
            "code": row["request__reason__code"],
            "requests": row["requests"],
            "units": row["units"],
            "rate": _rate(row["units"], total_sold),
        }
        for row in lines.values("request__reason__name", "request__reason__code").annotate(
            units=Sum("quantity"), requests=Count("request", distinct=True)
        )
    ]
    refunds = {
        row["request__kind"]: row["amount"] or Decimal("0.00")
        for row in lines.values("request__kind").annotate(amount=Sum("amount_refunded"))
    }
    inspected = {row["outcome"]: row["units"] for row in lines.values("outcome").annotate(units=Sum("quantity"))}
    times = list(
        requests.order_by().values(
            "submitted_at", "first_response_at", "refunded_at", "replacement_shipped_at", "rejected_at", "closed_at"
        )
    )
    responses = [_hours(r["submitted_at"], r["first_response_at"]) for r in times if r["first_response_at"]]
    resolutions = [_hours(r["submitted_at"], _resolved_at(r)) for r in times if _resolved_at(r)]
    by_product.sort(key=lambda r: (-(r["rate"] or 0), -r["units"], r["product"].code))
    by_category.sort(key=lambda r: (-(r["rate"] or 0), -r["units"], str(r["category"] or "")))
    by_reason.sort(key=lambda r: (-r["units"], r["code"]))
    for figures in (*by_product, *by_category, *by_reason):
        figures["percent"] = _percent(figures["rate"])
    return {
        "count": len(times),
        "units": sum(r["units"] for r in asked),
        "sold": total_sold,
        "rate": _rate(sum(r["units"] for r in asked), total_sold),
        "percent": _percent(_rate(sum(r["units"] for r in asked), total_sold)),
        "by_product": by_product,
        "by_category": by_category,
        "by_reason": by_reason,
        "refunds": [
            {"kind": code, "label": label, "amount": refunds[code]}
            for code, label in AftersalesRequest.Kind.choices
            if code in refunds
        ],
        "refund_total": sum(refunds.values(), Decimal("0.00")),
        "restocked": inspected.get(AftersalesLine.Outcome.RESTOCK, 0),
        "written_off": inspected.get(AftersalesLine.Outcome.WRITE_OFF, 0),
        "not_inspected": inspected.get(AftersalesLine.Outcome.PENDING, 0),
        "response_median": median(responses),
        "response_p90": p90(responses),
        "resolution_median": median(resolutions),
        "resolution_p90": p90(resolutions),
    }


def aftersales_report(*, starts_at, ends_at) -> dict:
    """The after-sales report over [starts_at, ends_at): {"requests": ..., "complaints": ...}."""
    return {
        "requests": request_report(starts_at=starts_at, ends_at=ends_at),
        "complaints": complaint_report(starts_at=starts_at, ends_at=ends_at),
    }


def over_requested_lines():
    """Order lines whose open and done after-sales requests ask for more units than were bought (invariant)."""
    from django.db.models import F, Sum

    from aftersales.services.policy import COUNTED
    from orders.models import OrderLine

    return (
        OrderLine.objects.filter(aftersales_lines__request__status__in=COUNTED)
        .annotate(asked=Sum("aftersales_lines__quantity"))
        .filter(asked__gt=F("quantity"))
        .order_by("pk")
    )


def refunds_not_matching_lines():
    """Refunded requests without their refund, or whose lines' refunded amounts differ from it (invariant)."""
    from django.db.models import Q, Sum

    refunded = AftersalesRequest.objects.filter(refunded_at__isnull=False).annotate(
        lines_refunded=Sum("lines__amount_refunded")
    )
    return refunded.filter(Q(refund__isnull=True) | ~Q(lines_refunded=models.F("refund__amount"))).order_by("pk")


# -- reviews ---------------------------------------------------------------------------------------------
PUBLISHED = Review.Status.APPROVED


def reviews():
    """Every review with what its list and page show."""
    return Review.objects.select_related("product", "sku", "customer", "replied_by")


def review_detail(pk) -> Review | None:
    return reviews().prefetch_related("images").filter(pk=pk).first()


def keywords():
    return ModerationKeyword.objects.select_related("created_by")


def _summary_aggregates():
    published = Q(status=PUBLISHED)
    figures = {
        "count": Count("pk", filter=published),
        "average": Avg("rating", filter=published),
        "with_images": Count("pk", filter=published & Q(image_count__gt=0)),
    }
    for r in RATINGS:
        figures[f"r{r}"] = Count("pk", filter=published & Q(rating=r))
    return figures


def rating_summary(*, product=None, sku=None) -> dict:
    """The published reviews of a product (or SKU): count, average, the 1–5 distribution, how many have photos."""
    rows = Review.objects.all()
    if product is not None:
        rows = rows.filter(product=product)
    if sku is not None:
        rows = rows.filter(sku=sku)
    figures = rows.aggregate(**_summary_aggregates())
    return _shape(figures)


def _shape(figures) -> dict:
    count = figures["count"] or 0
    distribution = [
        {"rating": r, "count": figures[f"r{r}"], "percent": round(100 * figures[f"r{r}"] / count) if count else 0}
        for r in reversed(RATINGS)
    ]
    average = round(float(figures["average"]), 2) if figures["average"] is not None else None
    return {"count": count, "average": average, "distribution": distribution, "with_images": figures["with_images"]}


def product_ratings(*, min_reviews=1, limit=200) -> list[dict]:
    """Products ranked by their average published rating, lowest first (ties: more reviews first)."""
    rows = (
        Review.objects.filter(status=PUBLISHED)
        .values("product", "product__code", "product__name")
        .annotate(
            count=Count("pk"),
            average=Avg("rating"),
            low=Count("pk", filter=Q(rating__lte=2)),
            with_images=Count("pk", filter=Q(image_count__gt=0)),
        )
        .filter(count__gte=min_reviews)
        .order_by("average", "-count", "product")
    )
    return [{**row, "average": round(float(row["average"]), 2)} for row in rows[:limit]]


def storefront_reviews(*, sku=None, product=None):
    """The published reviews the storefront shows, newest first, with their photos."""
    rows = Review.objects.filter(status=PUBLISHED).select_related("sku", "customer").prefetch_related("images")
    if sku is not None:
        rows = rows.filter(sku=sku)
    if product is not None:
        rows = rows.filter(product=product)
    return rows.order_by("-created_at", "-id")


# -- satisfaction surveys -------------------------------------------------------------------------------
PERIODS = {"week": TruncWeek, "month": TruncMonth}


def _survey_figures():
    answered = Q(answered_at__isnull=False)
    return {
        "sent": Count("pk"),
        "answered": Count("pk", filter=answered),
        "csat": Avg("csat", filter=answered),
        "nps_answers": Count("pk", filter=answered & Q(nps__isnull=False)),
        "promoters": Count("pk", filter=answered & Q(nps__gte=9)),
        "detractors": Count("pk", filter=answered & Q(nps__lte=6)),
    }


def _survey_row(row) -> dict:
    sent, answered, n = row["sent"], row["answered"], row["nps_answers"]
    return {
        **row,
        "response_rate": round(100 * answered / sent, 1) if sent else None,
        "csat": round(float(row["csat"]), 2) if row["csat"] is not None else None,
        # NPS: the percent of promoters (9–10) less the percent of detractors (0–6)
        "nps": round(100 * (row["promoters"] - row["detractors"]) / n, 1) if n else None,
    }


def surveys(*, kind="", since=None):
    rows = Survey.objects.all()
    if kind:
        rows = rows.filter(kind=kind)
    if since is not None:
        rows = rows.filter(sent_at__gte=since)
    return rows


def survey_results(*, period="week", kind="", since=None) -> dict:
    """CSAT average, NPS and response rate per week or month (by when the survey was sent) and per kind, with
    the totals over the range."""
    trunc = PERIODS.get(period, TruncWeek)
    rows = surveys(kind=kind, since=since)
    by_period = [
        _survey_row(row)
        for row in rows.annotate(period=trunc("sent_at"))
        .values("period")
        .annotate(**_survey_figures())
        .order_by("period")
    ]
    by_kind = [
        {**_survey_row(row), "label": Survey.Kind(row["kind"]).label}
        for row in rows.values("kind").annotate(**_survey_figures()).order_by("kind")
    ]
    total = _survey_row(rows.aggregate(**_survey_figures()))
    return {"periods": by_period, "kinds": by_kind, "total": total}


def survey_comments(*, kind="", since=None, limit=20):
    """The latest answered surveys that carry a comment."""
    return (
        surveys(kind=kind, since=since)
        .filter(answered_at__isnull=False)
        .exclude(comment="")
        .select_related("customer")
        .order_by("-answered_at", "-id")[:limit]
    )
