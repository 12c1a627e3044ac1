"""Finance reports' figures from the finance rollup (reports.models.PaymentDay), to the cent against the
payments' own rows: per settlement batch, per payment method, per day. A period's local days [start, end]
are the rollup's days, so each figure is a sum of a few rows a day (5 methods, their batches)."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from payments.models import PaymentMethod, SettlementBatch
from reports.models import PaymentDay
from reports.routers import read_alias

ZERO = Decimal("0.00")
PAID = {"gross": Sum("gross"), "fees": Sum("fees"), "discounts": Sum("discounts"), "payments": Sum("payments")}


def _days(db, period):
    return PaymentDay.objects.using(db).filter(day__gte=period.start, day__lte=period.end).order_by()


def _refunds(db, period, *keys):
    """Refunds confirmed in the period (amount ``s``, count ``n``) per `keys`."""
    return _days(db, period).filter(refund_count__gt=0).values(*keys).annotate(s=Sum("refunds"), n=Sum("refund_count"))


def finance_rows(period) -> list[dict]:
    """One row per settlement batch of the period's days (its payments, wherever paid, and the refunds of its
    method and day), then one per method for what no batch holds: its unsettled payments paid in the period and
    the refunds no batch of the period met."""
    db = read_alias()
    methods = {m.pk: m.name for m in PaymentMethod.objects.using(db).all()}
    batches = list(SettlementBatch.objects.using(db).filter(day__gte=period.start, day__lte=period.end))
    by_batch: dict = {
        r["batch"]: r
        for r in PaymentDay.objects.using(db)
        .filter(batch__in=[b.pk for b in batches], payments__gt=0)
        .order_by()
        .values("batch")
        .annotate(**PAID)
    }
    refunds: dict[tuple, list] = defaultdict(lambda: [ZERO, 0])  # (method, local day) -> [amount, count]
    for r in _refunds(db, period, "method", "day"):
        refunds[(r["method"], r["day"])] = [r["s"], r["n"]]
    rows = []
    for batch in sorted(batches, key=lambda b: (b.day, b.method_id)):
        figures = by_batch.get(batch.pk) or {}
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
        r["method"]: r for r in _days(db, period).filter(batch=0, payments__gt=0).values("method").annotate(**PAID)
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


def finance_trend(period) -> dict:
    """{local day: {"net": gross - fees of the payments paid that day - the refunds confirmed that day}}."""
    days: dict = defaultdict(lambda: {"net": ZERO})
    for r in _days(read_alias(), period).values("day").annotate(g=Sum("gross"), f=Sum("fees"), r=Sum("refunds")):
        days[r["day"]]["net"] += r["g"] - r["f"] - r["r"]
    return dict(days)


def method_rows(period) -> list[dict]:
    """Per payment method: payments paid in the period (gross, fees, their orders' discounts) and refunds
    confirmed in it (what the payments module's old summary showed, now with any period)."""
    db = read_alias()
    paid = {r["method"]: r for r in _days(db, period).filter(payments__gt=0).values("method").annotate(**PAID)}
    refunded = {r["method"]: r for r in _refunds(db, period, "method")}
    rows = []
    for method in PaymentMethod.objects.using(db).order_by("position", "pk"):
        if method.pk not in paid and method.pk not in refunded:
            continue
        refund = refunded.get(method.pk, {})
        row = _row(method.code, method.name, paid.get(method.pk, {}), refund.get("s") or ZERO, refund.get("n") or 0,
                   settled=None)  # fmt: skip
        rows.append(row)
    return rows
