"""Reads shared by the payment pages, the API and reports."""

from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, DecimalField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from orders.models import Order, OrderLine
from payments.models import (
    BlacklistEntry,
    Payment,
    PaymentMethod,
    ReconciliationLine,
    ReconciliationRun,
    Refund,
    RiskAssessment,
    RiskRule,
    SettlementBatch,
)
from shop.cached import cached

METHODS_CACHE_KEY = "payments.methods"


def payment_methods():
    return PaymentMethod.objects.order_by("position", "pk")


def methods_cached() -> list[PaymentMethod]:
    """Every payment method in display order, for intake: cached (shop.cached), dropped on any save or delete
    of a method (payments.apps)."""
    return cached(METHODS_CACHE_KEY, lambda: list(payment_methods()))


def enabled_methods():
    return payment_methods().filter(is_enabled=True)


def payments():
    return Payment.objects.select_related("order", "method")


def payment_detail(pk) -> Payment:
    return payments().select_related("order__customer", "settlement").get(pk=pk)


def order_payments(order) -> dict:
    """An order's payments for its API view, from one query: what was received (every payment not
    failed, flagged ones included: the money arrived), what was refunded (confirmed by the provider)."""
    rows = list(Payment.objects.filter(order=order).select_related("method").order_by("received_at", "pk"))
    received = [p for p in rows if p.status != Payment.Status.FAILED]
    return {
        "paid_amount": sum((p.amount for p in received), Decimal("0.00")),
        "refunded_amount": sum((p.refunded for p in rows), Decimal("0.00")),
        "payments": [
            {
                "method": p.method.code,
                "transaction_id": p.transaction_id,
                "amount": p.amount,
                "refunded": p.refunded,
                "status": p.status,
                "flagged": bool(p.flag),
                "flag": p.flag,
                "paid_at": p.paid_at,
            }
            for p in rows
        ],
    }


def default_method():
    """The store's default payment method: the first enabled one in the methods page's order."""
    return next((method for method in methods_cached() if method.is_enabled), None)


def refunds():
    return Refund.objects.select_related("order", "payment__method", "requested_by", "decided_by")


def refunds_of(payment):
    return refunds().filter(payment=payment).order_by("-requested_at", "-id")


def risk_assessments():
    return RiskAssessment.objects.select_related("order", "order__customer", "reviewed_by")


def risk_rules():
    return RiskRule.objects.order_by("pk")


def blacklist():
    return BlacklistEntry.objects.select_related("created_by")


def settlements():
    return SettlementBatch.objects.select_related("method")


def reconciliations():
    return ReconciliationRun.objects.select_related("method", "created_by")


def reconciliation_lines(run):
    return ReconciliationLine.objects.filter(run=run).order_by("result", "transaction_id")


def finance_summary() -> dict:
    """The finance work waiting: refunds to approve and with the provider, flagged payments, risk holds.
    (Turnover per method and per settlement batch is a report: the reports module reads it from payments.)"""
    waiting = Refund.objects.aggregate(
        requested=Count("pk", filter=Q(status=Refund.Status.REQUESTED)),
        in_flight=Count("pk", filter=Q(status__in=(Refund.Status.APPROVED, Refund.Status.SENDING, Refund.Status.SENT))),
    )
    return {
        "waiting": waiting,
        "flagged": Payment.objects.filter(status=Payment.Status.FLAGGED).count(),
        "held": RiskAssessment.objects.filter(decision=RiskAssessment.Decision.HELD).count(),
    }


def payment_order_lines(payment):
    """The lines of the payment's order, for a per-line refund."""
    return OrderLine.objects.filter(order_id=payment.order_id).order_by("pk")


def hourly_payment_outcomes(starts, hours=1) -> dict:
    """{start: {"captured", "failed"}}: the payments received in each window [start, start + hours) of `starts`,
    captured and failed, for reports' anomaly monitoring (the payment failure rate). One read over the windows
    alone (the received_at keyset index), never the whole table."""
    span = timedelta(hours=hours)
    starts = list(starts)
    if not starts:
        return {}
    where = Q()
    aggregates = {}
    for i, s in enumerate(starts):
        inside = Q(received_at__gte=s, received_at__lt=s + span)
        where |= inside
        aggregates[f"c{i}"] = Count("id", filter=inside & Q(status=Payment.Status.CAPTURED))
        aggregates[f"f{i}"] = Count("id", filter=inside & Q(status=Payment.Status.FAILED))
    counts = Payment.objects.filter(where).aggregate(**aggregates)
    return {s: {"captured": counts[f"c{i}"] or 0, "failed": counts[f"f{i}"] or 0} for i, s in enumerate(starts)}


def staff_refund_figures(*, start, end) -> dict:
    """{user_id: {"approved": refunds they approved, "amount": their total}} for the refunds decided in
    [start, end) (the payments_refund_decided index); rejected refunds and automatic approvals count for nobody."""
    zero = Value(Decimal("0.00"), output_field=DecimalField(max_digits=14, decimal_places=2))
    rows = (
        Refund.objects.filter(decided_at__gte=start, decided_at__lt=end, decided_by__isnull=False)
        .exclude(status__in=(Refund.Status.REQUESTED, Refund.Status.REJECTED))
        .order_by()
        .values("decided_by_id")
        .annotate(approved=Count("id"), amount=Coalesce(Sum("amount"), zero))
    )
    return {row["decided_by_id"]: {"approved": row["approved"], "amount": row["amount"]} for row in rows}


# -- invariants (DESIGN §3; shop.invariants) -----------------------------------------------------------------
def refund_mismatches():
    """Payments whose requested or refunded totals are not the sums of their refunds, or exceed the capture:
    always empty unless something bypassed the services."""

    def total(*statuses):
        rows = (
            Refund.objects.filter(payment=OuterRef("pk"), status__in=statuses)
            .order_by()
            .values("payment")
            .annotate(s=Sum("amount"))
            .values("s")
        )
        return Coalesce(Subquery(rows, output_field=DecimalField()), Decimal("0"))

    status = Refund.Status
    return (
        Payment.objects.annotate(open_sum=total(*Refund.OPEN, status.SUCCEEDED), done_sum=total(status.SUCCEEDED))
        .filter(Q(refund_reserved__gt=F("amount")) | ~Q(refund_reserved=F("open_sum")) | ~Q(refunded=F("done_sum")))
        .order_by("pk")
    )


def paid_orders_without_one_capture():
    """Paid orders that do not have exactly one captured payment (a cash-on-delivery order counts once the carrier
    collected it): always empty unless something bypassed the services."""
    return (
        Order.objects.filter(paid_at__isnull=False)
        .annotate(captured=Count("payments", filter=Q(payments__status=Payment.Status.CAPTURED)))
        .exclude(captured=1)
        .order_by("pk")
    )
