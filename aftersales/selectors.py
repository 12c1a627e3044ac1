"""After-sales reads shared by the pages, the API and reports."""

from django.db import models
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from aftersales.models import (
    AftersalesEvidence,
    AftersalesExcludedCategory,
    AftersalesLine,
    AftersalesReason,
    AftersalesRequest,
    AutoApprovalRule,
)
from shop.errors import NotFound


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
