"""After-sales reads shared by the pages, the API, the jobs and the reports module (which may read these;
aftersales never imports reports).

The after-sales report (`aftersales_report`): complaints by category with their time to first response and to
resolution (median and p90, in hours) and the customers' satisfaction, over a date range of received time.
Percentiles: the median is the middle value (the mean of the two middle ones for an even count); p90 is the
nearest-rank value (the smallest value at or above 90 percent of the values).
"""

import math
import statistics
from datetime import datetime, time, timedelta

from django.db.models import Prefetch, Q, QuerySet
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
)
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
