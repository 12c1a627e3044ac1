"""The finance report: gross, discounts, refunds, fees and net per settlement batch, from payments' own rows
(to the cent against payments), with one row per method for what no batch holds yet. It replaces the
payments module's "finance summary" (its page stays for the work waiting: refunds, flags, risk holds)."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from payments.models import Payment, PaymentMethod, Refund, SettlementBatch
from reports.framework import Measure, Report
from reports.routers import read_alias

ZERO = Decimal("0.00")
CAPTURED = (Payment.Status.CAPTURED, Payment.Status.FLAGGED)


def _payments(db):
    return Payment.objects.using(db).filter(status__in=CAPTURED)


def _refunds(db, period):
    return Refund.objects.using(db).filter(
        status=Refund.Status.SUCCEEDED, confirmed_at__gte=period.since, confirmed_at__lt=period.until
    )


def finance_rows(period) -> list[dict]:
    db = read_alias()
    methods = {m.pk: m.name for m in PaymentMethod.objects.using(db).all()}
    batches = list(SettlementBatch.objects.using(db).filter(day__gte=period.start, day__lte=period.end))
    by_batch = {
        r["settlement"]: r
        for r in _payments(db)
        .filter(settlement__in=[b.pk for b in batches])
        .values("settlement")
        .annotate(gross=Sum("amount"), fees=Sum("fee"), discounts=Sum("order__discount"), payments=Count("pk"))
    }
    refunds: dict[tuple, list] = defaultdict(lambda: [ZERO, 0])  # (method, local day) -> [amount, count]
    for r in (
        _refunds(db, period)
        .annotate(day=TruncDate("confirmed_at", tzinfo=timezone.get_current_timezone()))
        .values("payment__method", "day")
        .annotate(s=Sum("amount"), n=Count("pk"))
    ):
        refunds[(r["payment__method"], r["day"])] = [r["s"], r["n"]]
    rows = []
    for batch in sorted(batches, key=lambda b: (b.day, b.method_id)):
        figures = by_batch.get(batch.pk, {})
        refunded, refund_count = refunds.pop((batch.method_id, batch.day), [ZERO, 0])
        rows.append(
            _row(
                f"batch-{batch.pk}",
                f"{methods.get(batch.method_id, '')} · {batch.day.isoformat()}",
                figures,
                refunded,
                refund_count,
                settled=batch.net,
            )
        )
    unsettled = {
        r["method"]: r
        for r in _payments(db)
        .filter(settlement__isnull=True, paid_at__gte=period.since, paid_at__lt=period.until)
        .values("method")
        .annotate(gross=Sum("amount"), fees=Sum("fee"), discounts=Sum("order__discount"), payments=Count("pk"))
    }
    left: dict[int, list] = defaultdict(lambda: [ZERO, 0])
    for (method_id, _day), (amount, count) in refunds.items():
        left[method_id][0] += amount
        left[method_id][1] += count
    for method_id in sorted(set(unsettled) | set(left)):
        amount, count = left[method_id]
        label = _("%(method)s · not settled yet") % {"method": methods.get(method_id, "")}
        rows.append(_row(f"open-{method_id}", label, unsettled.get(method_id, {}), amount, count, settled=None))
    return rows


def _row(key, label, figures, refunded, refund_count, *, settled):
    gross, fees = figures.get("gross") or ZERO, figures.get("fees") or ZERO
    return {
        "key": key,
        "label": label,
        "gross": gross,
        "discounts": figures.get("discounts") or ZERO,
        "refunds": refunded,
        "fees": fees,
        "net": gross - fees - refunded,
        "settled": settled,
        "payments": figures.get("payments") or 0,
        "refund_count": refund_count,
    }


class FinanceReport(Report):
    slug = "finance"
    title = gettext_lazy("Finance")
    description = gettext_lazy(
        "Per settlement batch, from the payments: gross received, the discounts of those orders, refunds confirmed "
        "on the batch's day, provider fees, and net = gross − fees − refunds; “settled” is the batch's own net."
    )
    permission = "reports.view_finance_report"
    schedulable = True  # may be emailed to owner / finance (reports.schedules, analytics)
    previous_only_rows = False
    dimension = gettext_lazy("Settlement batch")
    measures = [
        Measure("net", gettext_lazy("Net"), compare=True),
        Measure("gross", gettext_lazy("Gross"), compare=True),
        Measure("discounts", gettext_lazy("Discounts")),
        Measure("refunds", gettext_lazy("Refunds")),
        Measure("fees", gettext_lazy("Fees")),
        Measure("settled", gettext_lazy("Settled"), summable=False),
        Measure("payments", gettext_lazy("Payments"), kind="count"),
        Measure("refund_count", gettext_lazy("Refunds made"), kind="count"),
    ]

    def rows(self, period):
        return finance_rows(period)

    def table(self, period):
        """Batches read by their day, not ranked; the comparison is in the totals (batches differ by period)."""
        table = super().table(period)
        table["rows"].sort(key=lambda r: (r["key"].startswith("open"), str(r["label"])))
        return table

    def trend(self, period):
        db = read_alias()
        days: dict = defaultdict(lambda: {"net": ZERO})
        for r in (
            _payments(db)
            .filter(paid_at__gte=period.since, paid_at__lt=period.until)
            .annotate(day=TruncDate("paid_at", tzinfo=timezone.get_current_timezone()))
            .values("day")
            .annotate(gross=Sum("amount"), fees=Sum("fee"))
        ):
            days[r["day"]]["net"] += r["gross"] - r["fees"]
        for r in (
            _refunds(db, period)
            .annotate(day=TruncDate("confirmed_at", tzinfo=timezone.get_current_timezone()))
            .values("day")
            .annotate(s=Sum("amount"))
        ):
            days[r["day"]]["net"] -= r["s"]
        return dict(days)


def method_rows(period) -> list[dict]:
    """Per payment method: payments paid in the period (gross, fees, their orders' discounts) and refunds
    confirmed in it (what the payments module's old summary showed, now with any period)."""
    db = read_alias()
    paid = {
        r["method"]: r
        for r in _payments(db)
        .filter(paid_at__gte=period.since, paid_at__lt=period.until)
        .values("method")
        .annotate(gross=Sum("amount"), fees=Sum("fee"), discounts=Sum("order__discount"), payments=Count("pk"))
    }
    refunded = {
        r["payment__method"]: r
        for r in _refunds(db, period).values("payment__method").annotate(s=Sum("amount"), n=Count("pk"))
    }
    rows = []
    for method in PaymentMethod.objects.using(db).order_by("position", "pk"):
        if method.pk not in paid and method.pk not in refunded:
            continue
        refund = refunded.get(method.pk, {})
        row = _row(method.code, method.name, paid.get(method.pk, {}), refund.get("s") or ZERO, refund.get("n") or 0,
                   settled=None)  # fmt: skip
        rows.append(row)
    return rows


class FinanceByMethod(FinanceReport):
    slug = "finance-method"
    title = gettext_lazy("Finance by payment method")
    description = gettext_lazy(
        "Payments received in the period per method (gross, fees, the discounts of those orders), refunds "
        "confirmed in the period, and net = gross − fees − refunds."
    )
    dimension = gettext_lazy("Payment method")
    previous_only_rows = True
    measures = [m for m in FinanceReport.measures if m.key != "settled"]

    def rows(self, period):
        return method_rows(period)


REPORTS = [FinanceReport, FinanceByMethod]
