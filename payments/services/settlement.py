"""Settlement and reconciliation: the daily batch per method (gross, fees, refunds, net) and comparing a
provider's statement with our payments."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from payments import signals
from payments.gateways import (
    CallbackInvalid,
    parse_amount,
)
from payments.models import (
    Payment,
    PaymentMethod,
    ReconciliationLine,
    ReconciliationRun,
    Refund,
    SettlementBatch,
)
from payments.services.common import SETTLED_STATUSES, local_day_bounds
from shop.actors import Actor
from shop.audit import record
from shop.errors import DomainError


def settle_payments_run(*, now=None, day=None) -> list[SettlementBatch]:
    """Build yesterday's (or `day`'s) settlement batch of every method; a batch that exists is kept."""
    day = day or (timezone.localtime(now or timezone.now()).date() - timedelta(days=1))
    return [settlement_build(method=method, day=day) for method in PaymentMethod.objects.order_by("position", "pk")]


def _settleable(method, day):
    """The captured payments a new batch of `method` for `day` takes, none of them in a batch yet.

    Those paid on `day`, and late ones: paid on an earlier day whose batch was already built when
    their callback arrived. A late payment so lands in the next batch built for its method (normally
    the next day's), and every captured payment ends up in exactly one batch.
    """
    start, end = local_day_bounds(day)
    unsettled = Payment.objects.filter(method=method, status__in=SETTLED_STATUSES, settlement__isnull=True)
    built = set(SettlementBatch.objects.filter(method=method, day__lt=day).values_list("day", flat=True))
    late = []
    if built:
        since, _end = local_day_bounds(min(built))
        earlier = unsettled.filter(paid_at__gte=since, paid_at__lt=start)
        for pk, paid_at in earlier.values_list("pk", "paid_at"):
            if timezone.localdate(paid_at) in built:
                late.append(pk)
    return unsettled.filter(Q(paid_at__gte=start, paid_at__lt=end) | Q(pk__in=late))


@transaction.atomic(durable=True)
def settlement_build(*, method, day) -> SettlementBatch:
    """One method's batch for one day: gross, fees, refunds, net, due by the method's T+N cycle.

    The method row is locked so builds of one method run one at a time; the payments are linked to
    the batch by one UPDATE and the totals are summed from the linked rows, so a payment committed
    meanwhile is either linked and counted, or left for the next batch (see `_settleable`).
    """
    PaymentMethod.objects.select_for_update().filter(pk=method.pk).first()
    existing = SettlementBatch.objects.filter(method=method, day=day).first()
    if existing is not None:
        return existing
    start, end = local_day_bounds(day)
    try:
        with transaction.atomic():
            batch = SettlementBatch.objects.create(
                method=method, day=day, due_on=day + timedelta(days=method.settlement_days)
            )
    except IntegrityError:  # built by a concurrent run
        return SettlementBatch.objects.get(method=method, day=day)
    _settleable(method, day).update(settlement=batch)
    signals.payments_settled.send(sender=SettlementBatch, batch=batch)
    totals = Payment.objects.filter(settlement=batch).aggregate(gross=Sum("amount"), fees=Sum("fee"), n=Count("pk"))
    refunds = Refund.objects.filter(
        payment__method=method, status=Refund.Status.SUCCEEDED, confirmed_at__gte=start, confirmed_at__lt=end
    ).aggregate(s=Sum("amount"), n=Count("pk"))
    gross, fees = totals["gross"] or Decimal("0"), totals["fees"] or Decimal("0")
    refunded = refunds["s"] or Decimal("0")
    batch.payment_count, batch.refund_count = totals["n"], refunds["n"]
    batch.gross, batch.fees, batch.refunds, batch.net = gross, fees, refunded, gross - fees - refunded
    batch.save(update_fields=["payment_count", "refund_count", "gross", "fees", "refunds", "net"])
    record(
        None,
        "payments.settle",
        batch,
        after={"gross": gross, "fees": fees, "refunds": refunded, "net": batch.net},
    )
    return batch


# -- reconciliation ---------------------------------------------------------------------------------------
MAX_STATEMENT_ROWS = 100_000


def _statement_rows(text) -> dict:
    """{transaction_id: amount} from a statement CSV with columns transaction_id and amount."""
    reader = csv.DictReader(io.StringIO(text))
    headers = {(h or "").strip().lower() for h in (reader.fieldnames or [])}
    if not {"transaction_id", "amount"} <= headers:
        message = _("The file needs the columns transaction_id and amount.")
        raise DomainError(message, code="invalid_statement", fields={"file": message})
    rows: dict[str, Decimal] = {}
    errors: list[str] = []
    for number, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if isinstance(v, str)}
        txn = row.get("transaction_id", "")
        try:
            amount = parse_amount(row.get("amount", ""))
        except CallbackInvalid:
            amount = None
        if not txn or len(txn) > 64 or amount is None:
            errors.append(str(number))
            continue
        rows[txn] = rows.get(txn, Decimal("0")) + amount
        if len(rows) > MAX_STATEMENT_ROWS:
            raise DomainError(
                _("The file has too many rows."),
                code="invalid_statement",
                fields={"file": _("The file has too many rows.")},
            )
    if errors:
        message = _("Rows with a missing transaction id or an invalid amount: %(rows)s") % {
            "rows": ", ".join(errors[:20])
        }
        raise DomainError(message, code="invalid_statement", fields={"file": message})
    return rows


@transaction.atomic(durable=True)
def reconciliation_import(*, method, day, content: bytes, filename, actor) -> ReconciliationRun:
    """Compare a provider statement with our payments of that method and day: matched, missing, mismatched."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        message = _("The file must be UTF-8 CSV.")
        raise DomainError(message, code="invalid_statement", fields={"file": message}) from None
    statement = _statement_rows(text)
    start, end = local_day_bounds(day)
    ours = {
        p.transaction_id: p
        for p in Payment.objects.filter(method=method, status__in=SETTLED_STATUSES, paid_at__gte=start, paid_at__lt=end)
    }
    others = {
        p.transaction_id: p
        for p in Payment.objects.filter(
            method=method, status__in=SETTLED_STATUSES, transaction_id__in=set(statement) - set(ours)
        )
    }
    ours_all = {**others, **ours}
    run = ReconciliationRun.objects.create(
        method=method,
        day=day,
        filename=(filename or "")[:200],
        created_by=Actor.of(actor).user,
    )
    lines = []
    Result = ReconciliationLine.Result
    for txn, amount in statement.items():
        payment = ours_all.get(txn)
        if payment is None:
            lines.append(
                ReconciliationLine(run=run, transaction_id=txn, result=Result.MISSING_OURS, statement_amount=amount)
            )
        else:
            result = Result.MATCHED if payment.amount == amount else Result.MISMATCHED
            lines.append(
                ReconciliationLine(
                    run=run,
                    transaction_id=txn,
                    result=result,
                    statement_amount=amount,
                    our_amount=payment.amount,
                    payment=payment,
                )
            )
    for txn, payment in ours.items():
        if txn not in statement:
            lines.append(
                ReconciliationLine(
                    run=run,
                    transaction_id=txn,
                    result=Result.MISSING_STATEMENT,
                    our_amount=payment.amount,
                    payment=payment,
                )
            )
    ReconciliationLine.objects.bulk_create(lines, batch_size=2000)
    run.matched = sum(1 for line in lines if line.result == Result.MATCHED)
    run.mismatched = sum(1 for line in lines if line.result == Result.MISMATCHED)
    run.missing = len(lines) - run.matched - run.mismatched
    run.save(update_fields=["matched", "mismatched", "missing"])
    record(
        actor,
        "payments.reconcile",
        run,
        after={
            "matched": run.matched,
            "missing": run.missing,
            "mismatched": run.mismatched,
            "file": run.filename,
        },
    )
    return run
