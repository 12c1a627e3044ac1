"""Reads shared by the payment pages, the API and reports."""

from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, DecimalField, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

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


def finance_summary(*, days=30, now=None) -> dict:
    """Per method over the last `days`: payments, gross, fees, refunds; plus the work waiting."""
    now = now or timezone.now()
    since = now - timedelta(days=days)
    rows = {
        m.pk: {"method": m, "count": 0, "gross": Decimal("0"), "fees": Decimal("0"), "refunded": Decimal("0")}
        for m in payment_methods()
    }
    captured = (
        Payment.objects.filter(paid_at__gte=since, status__in=(Payment.Status.CAPTURED, Payment.Status.FLAGGED))
        .values("method")
        .annotate(n=Count("pk"), gross=Sum("amount"), fees=Sum("fee"))
    )
    for row in captured:
        rows[row["method"]].update(count=row["n"], gross=row["gross"], fees=row["fees"])
    refunded = (
        Refund.objects.filter(status=Refund.Status.SUCCEEDED, confirmed_at__gte=since)
        .values("payment__method")
        .annotate(s=Sum("amount"))
    )
    for refund_row in refunded:
        rows[refund_row["payment__method"]]["refunded"] = refund_row["s"]
    for line in rows.values():
        line["net"] = line["gross"] - line["fees"] - line["refunded"]
    lines = list(rows.values())
    totals = {key: sum((r[key] for r in lines), Decimal("0")) for key in ("gross", "fees", "refunded", "net")}
    totals["count"] = sum(r["count"] for r in lines)
    waiting = Refund.objects.aggregate(
        requested=Count("pk", filter=Q(status=Refund.Status.REQUESTED)),
        in_flight=Count("pk", filter=Q(status__in=(Refund.Status.APPROVED, Refund.Status.SENDING, Refund.Status.SENT))),
    )
    return {
        "days": days,
        "rows": lines,
        "totals": totals,
        "waiting": waiting,
        "flagged": Payment.objects.filter(status=Payment.Status.FLAGGED).count(),
        "held": RiskAssessment.objects.filter(decision=RiskAssessment.Decision.HELD).count(),
    }


def payment_order_lines(payment):
    """The lines of the payment's order, for a per-line refund."""
    return OrderLine.objects.filter(order_id=payment.order_id).order_by("pk")


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
