"""Payment write use cases: method limits at intake, provider callbacks, refunds, risk, settlement,
reconciliation.

Rules kept here:
- a top-level service is one durable transaction and writes its audit entry inside it;
- the gateway is never called inside a transaction or a row lock: record the intent, commit, call,
  then record the result (`refund_send`);
- a payment row is locked (`select_for_update`) before any refund against it is reserved, and the
  reservation is a guarded UPDATE backed by a check constraint: refunds never exceed the capture;
- money is Decimal, rounded half-up to the cent.
"""

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from orders import selectors as order_selectors
from orders import services as order_services
from orders import state as order_state
from orders.models import Order, OrderLine
from payments import risk
from payments.gateways import (
    CallbackInvalid,
    GatewayDeclined,
    GatewayError,
    PaymentNotice,
    RefundNotice,
    get_gateway,
    parse_amount,
)
from payments.models import (
    BlacklistEntry,
    Payment,
    PaymentMethod,
    ReconciliationLine,
    ReconciliationRun,
    Refund,
    RiskAssessment,
    RiskRule,
    RiskSettings,
    SettlementBatch,
)
from shop.audit import record, snapshot
from shop.errors import Conflict, DomainError, NotFound, RuleRefused
from shop.money import to_cents
from shop.selectors import store_settings
from shop.services import notify

FINANCE = "finance"
SETTLED_STATUSES = (Payment.Status.CAPTURED, Payment.Status.FLAGGED)


def fee_for(method, amount) -> Decimal:
    """The provider's fee on one payment: percent of the amount (rounded half-up) plus the fixed fee."""
    return to_cents(amount * method.fee_percent / 100) + method.fee_fixed


def local_day_bounds(day):
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(day, time.min), tz)
    return start, start + timedelta(days=1)


def _notify_finance(title, body="", url=""):
    transaction.on_commit(partial(notify, title=title, body=body, url=url, kind="payments", role=FINANCE))


# -- payment methods ------------------------------------------------------------------------------------
METHOD_FIELDS = PaymentMethod.EDITABLE


@transaction.atomic(durable=True)
def payment_method_update(*, method, actor, **values) -> PaymentMethod:
    """Change a method's switch, order, limits, fees or settlement cycle."""
    method = PaymentMethod.objects.select_for_update().get(pk=method.pk)
    before = snapshot(method, METHOD_FIELDS)
    for name in METHOD_FIELDS:
        if name in values:
            setattr(method, name, values[name])
    if method.max_amount is not None and method.max_amount < method.min_amount:
        message = _("The maximum must not be below the minimum.")
        raise DomainError(message, code="invalid_limits", fields={"max_amount": message})
    if not (0 <= method.fee_percent < 100):
        message = _("The fee must be between 0 and 100 percent.")
        raise DomainError(message, code="invalid_fee", fields={"fee_percent": message})
    method.save()
    record(actor, "payments.method_update", method, before=before, after=snapshot(method, METHOD_FIELDS))
    return method


def payment_method_check(*, order) -> None:
    """Refuse (422) an order whose payment method is off or whose amount breaks the method's limits.

    Called inside order intake (the `order_placing` signal), so it joins intake's transaction.
    """
    method = PaymentMethod.objects.filter(code=order.payment_method).first()
    if method is None or not method.is_enabled:
        message = _("The payment method %(m)s is not available.") % {
            "m": method.name if method else order.payment_method
        }
        raise RuleRefused(message, code="payment_method_disabled", fields={"payment_method": message})
    total = order.total
    if total < method.min_amount:
        message = _("%(m)s accepts orders from ¥%(a)s.") % {"m": method.name, "a": method.min_amount}
        raise RuleRefused(message, code="payment_below_minimum", fields={"payment_method": message})
    if method.max_amount is not None and total > method.max_amount:
        message = _("%(m)s accepts at most ¥%(a)s per order.") % {"m": method.name, "a": method.max_amount}
        raise RuleRefused(message, code="payment_above_maximum", fields={"payment_method": message})
    if method.daily_limit is not None and order.customer_id:
        start, end = local_day_bounds(timezone.localdate())
        spent = Order.objects.filter(
            customer_id=order.customer_id, payment_method=method.code, placed_at__gte=start, placed_at__lt=end
        ).exclude(status__in=order_state.VOID_STATES).exclude(pk=order.pk).aggregate(
            s=Sum("total")
        )["s"] or Decimal("0")
        if spent + total > method.daily_limit:
            message = _("This order would pass the customer's daily %(m)s limit of ¥%(a)s.") % {
                "m": method.name,
                "a": method.daily_limit,
            }
            raise RuleRefused(message, code="payment_daily_limit", fields={"payment_method": message})


# -- payment callbacks ------------------------------------------------------------------------------------
@dataclass
class CallbackResult:
    payment: Payment
    created: bool
    outcome: str  # captured | flagged | failed | refund_queued | duplicate_callback


def payment_callback_handle(*, provider, body: bytes, signature: str) -> CallbackResult:
    """Verify a provider's signed payment callback and record it (the API and the demo both use this)."""
    gateway = get_gateway(provider)
    if not gateway.verify_callback(body=body, signature=signature):
        raise DomainError(_("The signature is not valid."), code="bad_signature", status=401)
    notice = gateway.parse_payment_notice(body)
    method = PaymentMethod.objects.filter(code=provider).first()
    if method is None:
        raise NotFound(_("Unknown payment provider."), code="unknown_provider")
    return payment_callback_record(method=method, notice=notice)


@transaction.atomic(durable=True)
def payment_callback_record(*, method, notice: PaymentNotice) -> CallbackResult:
    """Record a provider's payment once per transaction id and mark the order paid when it may be."""
    order = Order.objects.select_for_update().filter(number=notice.order_number).first()
    if order is None:
        raise NotFound(_("No order %(n)s.") % {"n": notice.order_number}, code="order_not_found")
    existing = Payment.objects.filter(method=method, transaction_id=notice.transaction_id).first()
    # A replay has no effect (the order lock serialises replays, so this sees the first one); the one
    # change a transaction may still make is from failed to paid (the customer retried and paid).
    retried = existing is not None and existing.status == Payment.Status.FAILED and notice.status == "success"
    if existing is not None and not retried:
        return CallbackResult(existing, False, "duplicate_callback")
    collected = _cod_payment(order)
    if collected is not None and notice.status == "success":  # cash is collected once, whoever reports it
        return CallbackResult(collected, False, "duplicate_callback")
    status, flag, outcome = Payment.Status.CAPTURED, Payment.Flag.NONE, "captured"
    payable = order_state.order_can_pay(order)
    if notice.status == "failed":
        status, outcome = Payment.Status.FAILED, "failed"
    elif order_state.order_is_void(order):
        flag, outcome = Payment.Flag.ORDER_CANCELLED, "refund_queued"
    elif not payable:
        flag, outcome = Payment.Flag.DUPLICATE, "refund_queued"
    elif notice.amount != order.total:
        status, flag, outcome = Payment.Status.FLAGGED, Payment.Flag.AMOUNT_MISMATCH, "flagged"
    values = {
        "order": order,
        "amount": notice.amount,
        "fee": fee_for(method, notice.amount) if status != Payment.Status.FAILED else Decimal("0"),
        "status": status,
        "flag": flag,
        "paid_at": notice.paid_at,
        "payload": notice.raw,
    }
    try:
        with transaction.atomic():  # a savepoint: the unique constraint is the last guard
            if retried:
                Payment.objects.filter(pk=existing.pk).update(**values)
                payment = Payment.objects.get(pk=existing.pk)
            else:
                payment = Payment.objects.create(
                    method=method, transaction_id=notice.transaction_id, **values
                )
    except IntegrityError:
        return CallbackResult(
            Payment.objects.get(method=method, transaction_id=notice.transaction_id),
            False,
            "duplicate_callback",
        )
    record(
        "provider:" + method.code,
        "payments.callback",
        payment,
        after={"order": order.number, "amount": notice.amount, "status": status, "flag": flag},
    )
    if outcome == "captured":
        order_services.order_mark_paid(
            order=order, amount=notice.amount, paid_at=notice.paid_at, actor=f"provider:{method.code}"
        )
    elif outcome == "flagged":
        _notify_finance(
            _("Payment amount does not match order %(n)s") % {"n": order.number},
            _("Received ¥%(a)s, the order totals ¥%(t)s. The order stays unpaid.")
            % {"a": notice.amount, "t": order.total},
            payment.get_absolute_url(),
        )
    elif outcome == "refund_queued":
        reason = (
            _("Payment received for a cancelled order.")
            if flag == Payment.Flag.ORDER_CANCELLED
            else _("Payment received for an order that was already paid.")
        )
        _refund_create(
            payment=payment,
            amount=payment.amount,
            reason=reason,
            actor=None,
            source=Refund.Source.PAYMENT_EXCEPTION,
            refund_only=True,
        )
        _notify_finance(
            _("Refund queued for order %(n)s") % {"n": order.number}, reason, payment.get_absolute_url()
        )
    return CallbackResult(payment, True, outcome)


def _cod_payment(order):
    if order.payment_method != Order.PaymentMethod.COD:
        return None
    return Payment.objects.filter(
        order=order, method__code=Order.PaymentMethod.COD, status=Payment.Status.CAPTURED
    ).first()


@transaction.atomic(durable=True)
def cod_collect(*, order, actor, amount=None, reference="", collected_at=None) -> Payment:
    """Record the cash the carrier collected for a shipped cash-on-delivery order and mark it paid.

    The carrier's signed callback (provider `cod`) does the same through `payment_callback_record`.
    Done twice, it has one effect: the order's COD payment is returned.
    """
    order = Order.objects.select_for_update().get(pk=order.pk)
    existing = _cod_payment(order)
    if existing is not None:
        return existing
    if order.payment_method != Order.PaymentMethod.COD:
        raise Conflict(_("Order %(n)s is not cash on delivery.") % {"n": order.number}, code="not_cod")
    if not order_state.order_cod_collectable(order):
        raise Conflict(
            _("Order %(n)s is %(s)s; cash is collected once it has shipped.")
            % {"n": order.number, "s": order.get_status_display()},
            code="not_collectable",
        )
    amount = order.total if amount in (None, "") else parse_amount(amount)
    if amount != order.total:
        message = _("Received ¥%(a)s, the order totals ¥%(t)s. The order stays unpaid.") % {
            "a": amount,
            "t": order.total,
        }
        raise RuleRefused(message, code="amount_mismatch", fields={"amount": message})
    method = PaymentMethod.objects.get(code=Order.PaymentMethod.COD)
    collected_at = collected_at or timezone.now()
    payment = Payment.objects.create(
        order=order,
        method=method,
        transaction_id=(str(reference or "").strip() or f"COD-{order.number}")[:64],
        amount=amount,
        fee=fee_for(method, amount),
        paid_at=collected_at,
        payload={"source": "cod_collected"},
    )
    record(actor, "payments.cod_collect", payment, after={"order": order.number, "amount": amount})
    order_services.order_mark_paid(order=order, amount=amount, paid_at=collected_at, actor=actor)
    return payment


@transaction.atomic(durable=True)
def payment_record_existing(*, order, method, transaction_id, amount, paid_at, actor) -> Payment:
    """Record a payment an order already received outside the callback (a legacy import, the demo)."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    existing = Payment.objects.filter(method=method, transaction_id=transaction_id).first()
    if existing is not None:
        return existing
    if order.paid_at is None:
        raise Conflict(
            _("Order %(n)s is not paid; its payment arrives by the provider's callback.")
            % {"n": order.number},
            code="order_not_paid",
        )
    amount = parse_amount(amount)
    if amount != order.total:
        raise RuleRefused(
            _("Received ¥%(a)s, the order totals ¥%(t)s. The order stays unpaid.")
            % {"a": amount, "t": order.total},
            code="amount_mismatch",
        )
    payment = Payment.objects.create(
        order=order,
        method=method,
        transaction_id=transaction_id,
        amount=amount,
        fee=fee_for(method, amount),
        paid_at=paid_at,
        payload={"source": "import"},
    )
    record(actor, "payments.import", payment, after={"order": order.number, "amount": amount})
    return payment


# -- refunds -------------------------------------------------------------------------------------------
def _refund_lines(payment, lines) -> tuple[Decimal, list]:
    """The amount and the stored rows of a per-line refund; refuses quantities already refunded.

    A line refunds from what it was charged (`orders.selectors.line_charges`: after the adjustment
    and every order-level discount): quantity × charged / line quantity, rounded half-up, never more
    than the line has left; the refund that takes the line's last units returns exactly what is left,
    so partial refunds of a line add up to its charged amount to the cent.
    """
    order_lines = {line.pk: line for line in OrderLine.objects.filter(order_id=payment.order_id)}
    charged = order_selectors.line_charges(payment.order, lines=order_lines.values())
    already, refunded = {}, {}
    for refund in Refund.objects.filter(order_id=payment.order_id).exclude(
        status__in=(Refund.Status.REJECTED, Refund.Status.FAILED)
    ):
        for row in refund.lines:
            already[row["line"]] = already.get(row["line"], 0) + row["quantity"]
            refunded[row["line"]] = refunded.get(row["line"], Decimal("0")) + Decimal(row["amount"])
    total, rows, errors = Decimal("0"), [], {}
    for line_id, quantity in lines.items():
        line = order_lines.get(line_id)
        if line is None:
            errors[f"line_{line_id}"] = _("That line is not on this order.")
            continue
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
            errors[f"line_{line_id}"] = _("Enter a whole number above zero.")
            continue
        left = line.quantity - already.get(line_id, 0)
        if quantity > left:
            errors[f"line_{line_id}"] = _("Only %(n)s of %(sku)s can still be refunded.") % {
                "n": left,
                "sku": line.sku_code,
            }
            continue
        money_left = charged[line_id] - refunded.get(line_id, Decimal("0"))
        share = to_cents(charged[line_id] * quantity / line.quantity)
        amount = money_left if quantity == left else min(share, money_left)
        total += amount
        rows.append({"line": line_id, "sku": line.sku_code, "quantity": quantity, "amount": str(amount)})
    if errors:
        raise RuleRefused(next(iter(errors.values())), code="invalid_lines", fields=errors)
    if not rows:
        raise DomainError(_("Choose at least one line to refund."), code="no_lines")
    return total, rows


def _refund_create(*, payment, amount, reason, actor, source, refund_only, lines=None) -> Refund:
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.status == Payment.Status.FAILED:
        raise RuleRefused(_("A failed payment cannot be refunded."), code="payment_failed")
    rows = []
    if lines:
        amount, rows = _refund_lines(payment, lines)
    elif amount is None:
        amount = payment.refundable
    try:
        amount = Decimal(amount)
    except (InvalidOperation, TypeError, ValueError):
        amount = Decimal("NaN")
    if not amount.is_finite() or amount <= 0 or amount.as_tuple().exponent < -2:
        message = _("Enter an amount above zero with at most two decimals.")
        raise DomainError(message, code="invalid_amount", fields={"amount": message})
    if amount > payment.refundable:
        message = _("At most ¥%(a)s of this payment can still be refunded.") % {"a": payment.refundable}
        raise RuleRefused(message, code="refund_exceeds_captured", fields={"amount": message})
    reason = (reason or "").strip()[:300]
    if not reason:
        message = _("Give a reason for the refund.")
        raise DomainError(message, code="reason_required", fields={"reason": message})
    # The guarded UPDATE decides even if a caller forgot the lock; the check constraint backs it.
    updated = Payment.objects.filter(pk=payment.pk, refund_reserved__lte=F("amount") - amount).update(
        refund_reserved=F("refund_reserved") + amount
    )
    if not updated:
        raise RuleRefused(_("The refund would exceed what was captured."), code="refund_exceeds_captured")
    refund = Refund.objects.create(
        payment=payment,
        order_id=payment.order_id,
        amount=amount,
        lines=rows,
        reason=reason,
        source=source,
        refund_only=refund_only,
        requested_by=actor if getattr(actor, "pk", None) else None,
    )
    record(
        actor,
        "payments.refund_request",
        refund,
        after={"payment": str(payment), "amount": amount, "reason": reason, "lines": rows},
    )
    return refund


@transaction.atomic(durable=True)
def refund_request(
    *, payment, actor, reason, amount=None, lines=None, refund_only=True, source=Refund.Source.STAFF
) -> Refund:
    """Request a full (no amount), partial (an amount) or per-line ({line_id: quantity}) refund."""
    return _refund_create(
        payment=payment,
        amount=amount,
        reason=reason,
        actor=actor,
        source=source,
        refund_only=refund_only,
        lines=lines,
    )


@transaction.atomic(durable=True)
def refund_request_for_order(*, order, amount, reason, source=Refund.Source.ORDER_CANCELLED) -> list[Refund]:
    """Queue refunds of `amount` against the order's captured payments (once per order and source)."""
    if (
        Refund.objects.filter(order=order, source=source)
        .exclude(status__in=(Refund.Status.REJECTED, Refund.Status.FAILED))
        .exists()
    ):
        return []
    refunds, left = [], to_cents(amount)
    payments = (
        Payment.objects.select_for_update()
        .filter(order=order, status__in=SETTLED_STATUSES)
        .order_by("flag", "pk")
    )
    for payment in payments:
        if left <= 0:
            break
        share = min(left, payment.refundable)
        if share > 0:
            refunds.append(
                _refund_create(
                    payment=payment,
                    amount=share,
                    reason=reason or _("Order cancelled."),
                    actor=None,
                    source=source,
                    refund_only=True,
                )
            )
            left -= share
    return refunds


def _enqueue_send(refund_id):
    from payments.tasks import refund_send  # tasks import this module

    refund_send.delay(refund_id)


def _approve(refund, actor, note=""):
    refund.status, refund.decided_by, refund.decided_at = Refund.Status.APPROVED, actor, timezone.now()
    refund.save(update_fields=["status", "decided_by", "decided_at"])
    record(
        actor,
        "payments.refund_approve",
        refund,
        before={"status": Refund.Status.REQUESTED},
        after={"status": refund.status, "note": note},
    )
    transaction.on_commit(partial(_enqueue_send, refund.pk))


def _locked_refund(refund) -> Refund:
    return Refund.objects.select_for_update().select_related("payment__method", "order").get(pk=refund.pk)


@transaction.atomic(durable=True)
def refund_approve(*, refund, actor) -> Refund:
    """Approve a requested refund and send it to the provider after commit."""
    refund = _locked_refund(refund)
    if refund.status != Refund.Status.REQUESTED:
        raise Conflict(_("Only a refund awaiting approval can be approved."), code="illegal_refund_state")
    _approve(refund, actor if getattr(actor, "pk", None) else None)
    return refund


@transaction.atomic(durable=True)
def refund_reject(*, refund, actor, note="") -> Refund:
    """Reject a requested refund and release its amount."""
    refund = _locked_refund(refund)
    if refund.status != Refund.Status.REQUESTED:
        raise Conflict(_("Only a refund awaiting approval can be rejected."), code="illegal_refund_state")
    _release(refund)
    refund.status, refund.decided_by, refund.decided_at = Refund.Status.REJECTED, actor, timezone.now()
    refund.failure_reason = (note or "")[:300]
    refund.save(update_fields=["status", "decided_by", "decided_at", "failure_reason"])
    record(
        actor,
        "payments.refund_reject",
        refund,
        before={"status": Refund.Status.REQUESTED},
        after={"status": refund.status, "note": note},
    )
    return refund


def _release(refund):
    Payment.objects.select_for_update().filter(pk=refund.payment_id).get()
    Payment.objects.filter(pk=refund.payment_id).update(refund_reserved=F("refund_reserved") - refund.amount)


@transaction.atomic(durable=True)
def _refund_begin_send(refund_id) -> tuple[Refund, bool]:
    """Mark the refund as being sent (its idempotency key is already stored); (refund, resuming)."""
    refund = Refund.objects.select_for_update().select_related("payment__method").get(pk=refund_id)
    if refund.status not in (Refund.Status.APPROVED, Refund.Status.SENDING):
        return refund, False
    resuming = refund.status == Refund.Status.SENDING
    refund.status, refund.attempts = Refund.Status.SENDING, refund.attempts + 1
    refund.save(update_fields=["status", "attempts"])
    return refund, resuming


@transaction.atomic(durable=True)
def _refund_mark_sent(*, refund_id, provider_refund_id) -> Refund:
    refund = Refund.objects.select_for_update().get(pk=refund_id)
    if not refund.provider_refund_id:
        refund.provider_refund_id = provider_refund_id
    if refund.status == Refund.Status.SENDING:
        refund.status, refund.sent_at = Refund.Status.SENT, timezone.now()
        record(None, "payments.refund_sent", refund, after={"provider_refund_id": provider_refund_id})
    refund.save(update_fields=["provider_refund_id", "status", "sent_at"])
    return refund


@transaction.atomic(durable=True)
def _refund_mark_failed(*, refund_id, reason) -> Refund:
    refund = Refund.objects.select_for_update().select_related("order").get(pk=refund_id)
    if refund.status in (Refund.Status.SENDING, Refund.Status.SENT, Refund.Status.APPROVED):
        _release(refund)
        refund.status, refund.failure_reason = Refund.Status.FAILED, str(reason)[:300]
        refund.save(update_fields=["status", "failure_reason"])
        record(None, "payments.refund_failed", refund, after={"reason": refund.failure_reason})
        _notify_finance(
            _("Refund for order %(n)s failed") % {"n": refund.order.number},
            refund.failure_reason,
            refund.payment.get_absolute_url(),
        )
    return refund


def refund_send(*, refund_id) -> Refund:
    """Send an approved refund to its provider exactly once; safe to run again after a crash.

    The idempotency key was stored when the refund was requested. A retry of a refund left in
    "sending" first asks the provider whether it already has it, and the provider dedupes by the key.
    """
    refund, resuming = _refund_begin_send(refund_id)
    if refund.status != Refund.Status.SENDING:
        return refund
    gateway = get_gateway(refund.payment.method.code)
    key = str(refund.idempotency_key)
    result = gateway.query_refund(refund_id=key) if resuming else None
    if result is None:
        try:
            result = gateway.refund(
                refund_id=key,
                transaction_id=refund.payment.transaction_id,
                amount=refund.amount,
                reason=refund.reason,
            )
        except GatewayDeclined as e:
            return _refund_mark_failed(refund_id=refund.pk, reason=e.message)
    refund = _refund_mark_sent(refund_id=refund.pk, provider_refund_id=result.provider_refund_id)
    for body, signature in gateway.callbacks_due(refund_id=key):
        refund = refund_callback_handle(provider=gateway.code, body=body, signature=signature)
    return refund


def refund_callback_handle(*, provider, body: bytes, signature: str) -> Refund:
    """Verify a provider's signed refund callback and record the outcome."""
    gateway = get_gateway(provider)
    if not gateway.verify_callback(body=body, signature=signature):
        raise DomainError(_("The signature is not valid."), code="bad_signature", status=401)
    return refund_callback_record(provider=provider, notice=gateway.parse_refund_notice(body))


@transaction.atomic(durable=True)
def refund_callback_record(*, provider, notice: RefundNotice) -> Refund:
    """Confirm (or fail) a sent refund as the provider reports it; a replay has no further effect."""
    refund = (
        Refund.objects.select_for_update()
        .select_related("payment__method", "order")
        .filter(idempotency_key=_uuid(notice.refund_id), payment__method__code=provider)
        .first()
    )
    if refund is None:
        raise NotFound(_("No such refund."), code="refund_not_found")
    if refund.status in (Refund.Status.SUCCEEDED, Refund.Status.FAILED):
        return refund
    if refund.status not in (Refund.Status.SENDING, Refund.Status.SENT):
        raise Conflict(_("This refund was not sent."), code="illegal_refund_state")
    if notice.amount != refund.amount:
        raise Conflict(_("The refunded amount does not match the refund."), code="amount_mismatch")
    refund.provider_refund_id = refund.provider_refund_id or notice.provider_refund_id
    if notice.status == "succeeded":
        Payment.objects.select_for_update().filter(pk=refund.payment_id).get()
        Payment.objects.filter(pk=refund.payment_id).update(refunded=F("refunded") + refund.amount)
        refund.status, refund.confirmed_at = Refund.Status.SUCCEEDED, timezone.now()
        refund.save(update_fields=["status", "confirmed_at", "provider_refund_id"])
        record("provider:" + provider, "payments.refund_confirmed", refund, after={"amount": refund.amount})
        return refund
    refund.save(update_fields=["provider_refund_id"])
    _release(refund)
    refund.status, refund.failure_reason = (
        Refund.Status.FAILED,
        notice.message or _("The provider refused it."),
    )
    refund.save(update_fields=["status", "failure_reason"])
    record("provider:" + provider, "payments.refund_failed", refund, after={"reason": refund.failure_reason})
    _notify_finance(
        _("Refund for order %(n)s failed") % {"n": refund.order.number},
        refund.failure_reason,
        refund.payment.get_absolute_url(),
    )
    return refund


def _uuid(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NotFound(_("No such refund."), code="refund_not_found") from None


def refund_timeouts_run(*, now=None) -> dict:
    """Remind finance of waiting refunds, escalate (or auto-approve) older ones, resend stuck ones."""
    now = now or timezone.now()
    settings = store_settings()
    counts = {"reminded": 0, "escalated": 0, "auto_approved": 0, "resent": 0}
    remind_before = now - timedelta(hours=settings.refund_remind_hours)
    escalate_before = now - timedelta(hours=settings.refund_escalate_hours)
    waiting = Refund.objects.filter(status=Refund.Status.REQUESTED, requested_at__lte=remind_before)
    for refund_id in waiting.order_by("pk").values_list("pk", flat=True)[:1000]:
        outcome = _refund_timeout_one(
            refund_id=refund_id,
            now=now,
            remind_before=remind_before,
            escalate_before=escalate_before,
            auto_approve=settings.refund_auto_approve_unshipped,
        )
        if outcome:
            counts[outcome] += 1
    stuck = Refund.objects.filter(
        status__in=(Refund.Status.APPROVED, Refund.Status.SENDING),
        decided_at__lte=now - timedelta(minutes=15),
    )
    for refund_id in stuck.order_by("pk").values_list("pk", flat=True)[:200]:
        try:
            refund_send(refund_id=refund_id)
            counts["resent"] += 1
        except GatewayError:
            continue
    return counts


@transaction.atomic(durable=True)
def _refund_timeout_one(*, refund_id, now, remind_before, escalate_before, auto_approve) -> str | None:
    refund = (
        Refund.objects.select_for_update(skip_locked=True)
        .select_related("order", "payment")
        .filter(pk=refund_id, status=Refund.Status.REQUESTED)
        .first()
    )
    if refund is None:
        return None
    url = refund.payment.get_absolute_url()
    if refund.requested_at <= escalate_before and refund.escalated_at is None:
        refund.escalated_at, refund.reminded_at = now, refund.reminded_at or now
        refund.save(update_fields=["escalated_at", "reminded_at"])
        if auto_approve and refund.refund_only and order_state.order_never_shipped(refund.order):
            _approve(refund, None, note="auto-approved: refund-only request of an unshipped order")
            return "auto_approved"
        record(None, "payments.refund_escalate", refund, after={"escalated_at": now})
        notify(
            title=_("Refund for order %(n)s is overdue") % {"n": refund.order.number},
            body=_("Waiting for approval since %(t)s.")
            % {"t": timezone.localtime(refund.requested_at).strftime("%Y-%m-%d %H:%M")},
            url=url,
            kind="payments",
            role=FINANCE,
            users=_owners(),
            email=True,
        )
        return "escalated"
    if refund.requested_at <= remind_before and refund.reminded_at is None:
        refund.reminded_at = now
        refund.save(update_fields=["reminded_at"])
        notify(
            title=_("Refund for order %(n)s awaits approval") % {"n": refund.order.number},
            url=url,
            kind="payments",
            role=FINANCE,
        )
        return "reminded"
    return None


def _owners():
    from django.contrib.auth import get_user_model

    return list(get_user_model().objects.filter(groups__name="owner", is_active=True))


# -- risk ------------------------------------------------------------------------------------------------
def _risk_assess(order, ip):
    ip = ip or order.client_ip
    existing = RiskAssessment.objects.filter(order=order).first()
    if existing is not None:
        return existing
    score, hits = risk.score_order(order, ip=ip)
    hold = score >= risk_settings().hold_score
    assessment = RiskAssessment.objects.create(
        order=order,
        score=score,
        hits=hits,
        ip=ip or None,
        decision=RiskAssessment.Decision.HELD if hold else RiskAssessment.Decision.PASSED,
    )
    if hold:
        flagged = order_services.order_flag_abnormal(
            order=order, reason=Order.Abnormal.RISK, actor=None, note=_("Risk score %(s)s") % {"s": score}
        )
        order.is_abnormal, order.abnormal_reason = flagged.is_abnormal, flagged.abnormal_reason
        record(None, "payments.risk_hold", order, after={"score": score, "rules": [h["rule"] for h in hits]})
        _notify_finance(
            _("Order %(n)s held for risk review") % {"n": order.number}, _("Risk score %(s)s.") % {"s": score}
        )
    return assessment


@transaction.atomic(durable=True)
def risk_assess(*, order, ip=None) -> RiskAssessment:
    """Score a paid order against the risk rules once; hold it for review when the score reaches the limit."""
    order = Order.objects.select_for_update().select_related("customer").get(pk=order.pk)
    return _risk_assess(order, ip)


@transaction.atomic
def risk_assess_at_intake(*, order, ip=None) -> RiskAssessment:
    """Score an order while intake places it (cash on delivery: no payment comes first); joins intake."""
    return _risk_assess(order, ip)


@transaction.atomic
def risk_hold_record(*, order, actor=None, note="") -> RiskAssessment:
    """Put an order someone held for risk into the risk review queue (joins the hold's transaction).

    Every risk hold on an order has its held assessment, so the abnormal list, the risk review queue,
    the dashboard and the finance overview count the same orders.
    """
    assessment = RiskAssessment.objects.select_for_update().filter(order=order).first()
    hit = {"rule": "manual", "weight": 0, "detail": str(note or _("Held by staff"))[:200]}
    if assessment is None:
        assessment = RiskAssessment.objects.create(
            order=order, hits=[hit], ip=order.client_ip or None, decision=RiskAssessment.Decision.HELD
        )
    elif assessment.decision != RiskAssessment.Decision.HELD:
        assessment.decision, assessment.reviewed_by, assessment.reviewed_at = (
            RiskAssessment.Decision.HELD, None, None
        )
        assessment.hits = [*assessment.hits, hit]
        assessment.save(update_fields=["decision", "reviewed_by", "reviewed_at", "hits"])
    return assessment


def risk_settings() -> RiskSettings:
    settings, _created = RiskSettings.objects.get_or_create(pk=1)
    return settings


def _held(assessment):
    assessment = RiskAssessment.objects.select_for_update().select_related("order").get(pk=assessment.pk)
    if assessment.decision != RiskAssessment.Decision.HELD:
        raise Conflict(_("This order is not waiting for a risk review."), code="not_held")
    return assessment


@transaction.atomic(durable=True)
def risk_approve(*, assessment, actor, note="") -> RiskAssessment:
    """Release a held order for fulfilment."""
    assessment = _held(assessment)
    assessment.decision, assessment.reviewed_by, assessment.reviewed_at = (
        RiskAssessment.Decision.APPROVED,
        actor,
        timezone.now(),
    )
    assessment.note = note[:300]
    assessment.save()
    if assessment.order.is_abnormal and assessment.order.abnormal_reason == Order.Abnormal.RISK:
        order_services.order_clear_abnormal(order=assessment.order, actor=actor, note=note, risk_review=True)
    record(
        actor,
        "payments.risk_approve",
        assessment.order,
        before={"decision": "held"},
        after={"decision": assessment.decision, "note": note},
    )
    return assessment


def risk_reject(*, assessment, actor, note="") -> RiskAssessment:
    """Reject a held order: cancel it (a paid one is refunded through the cancellation), then record it.

    order_cancel is its own durable transaction, so it runs first; if this stops between the two
    steps, the order is cancelled and still in the queue, and rejecting it again finishes the job.
    """
    assessment = RiskAssessment.objects.select_related("order").get(pk=assessment.pk)
    if assessment.decision != RiskAssessment.Decision.HELD:
        raise Conflict(_("This order is not waiting for a risk review."), code="not_held")
    if assessment.order.status in order_state.UNSHIPPED:
        order_services.order_cancel(order=assessment.order, actor=actor, reason=_("Rejected by risk review"))
    return _risk_reject_record(assessment=assessment, actor=actor, note=note)


@transaction.atomic(durable=True)
def _risk_reject_record(*, assessment, actor, note) -> RiskAssessment:
    assessment = _held(assessment)
    order = assessment.order
    if order.is_abnormal and order.abnormal_reason == Order.Abnormal.RISK:  # rejected: off the hold list
        order_services.order_clear_abnormal(order=order, actor=actor, note=note, risk_review=True)
    assessment.decision, assessment.reviewed_by, assessment.reviewed_at = (
        RiskAssessment.Decision.REJECTED,
        actor,
        timezone.now(),
    )
    assessment.note = note[:300]
    assessment.save()
    record(
        actor,
        "payments.risk_reject",
        assessment.order,
        before={"decision": "held"},
        after={"decision": assessment.decision, "note": note},
    )
    return assessment


@transaction.atomic(durable=True)
def risk_rule_update(*, rule, actor, is_enabled, weight, threshold, window_minutes) -> RiskRule:
    """Change a risk rule's switch, weight, threshold or window."""
    fields = ("is_enabled", "weight", "threshold", "window_minutes")
    rule = RiskRule.objects.select_for_update().get(pk=rule.pk)
    before = snapshot(rule, fields)
    rule.is_enabled, rule.weight, rule.threshold, rule.window_minutes = (
        is_enabled,
        weight,
        threshold,
        window_minutes,
    )
    rule.save()
    record(actor, "payments.risk_rule_update", rule, before=before, after=snapshot(rule, fields))
    return rule


@transaction.atomic(durable=True)
def risk_settings_update(*, actor, hold_score) -> RiskSettings:
    """Set the score at which orders are held."""
    settings = risk_settings()
    before = {"hold_score": settings.hold_score}
    settings.hold_score = hold_score
    settings.save()
    record(actor, "payments.risk_settings", settings, before=before, after={"hold_score": hold_score})
    return settings


@transaction.atomic(durable=True)
def blacklist_add(*, kind, value, reason, actor) -> BlacklistEntry:
    """Blacklist a phone or an address (normalised, so spacing and punctuation do not matter)."""
    if kind not in BlacklistEntry.Kind.values:
        raise DomainError(
            _("Choose phone or address."), code="invalid_kind", fields={"kind": _("Choose one.")}
        )
    normal = risk.normalise(kind, value)
    if len(normal) < (5 if kind == BlacklistEntry.Kind.PHONE else 4):
        message = _("Enter a full phone number or address.")
        raise DomainError(message, code="invalid_value", fields={"value": message})
    if BlacklistEntry.objects.filter(kind=kind, value=normal).exists():
        message = _("Already on the blacklist.")
        raise Conflict(message, code="duplicate", fields={"value": message})
    entry = BlacklistEntry.objects.create(
        kind=kind,
        value=normal,
        reason=(reason or "")[:200],
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    record(actor, "payments.blacklist_add", entry, after={"kind": kind, "value": normal, "reason": reason})
    return entry


@transaction.atomic(durable=True)
def blacklist_remove(*, entry, actor) -> None:
    """Take an entry off the blacklist."""
    record(actor, "payments.blacklist_remove", entry, before={"kind": entry.kind, "value": entry.value})
    entry.delete()


# -- settlement -------------------------------------------------------------------------------------------
def settle_payments_run(*, now=None, day=None) -> list[SettlementBatch]:
    """Build yesterday's (or `day`'s) settlement batch of every method; a batch that exists is kept."""
    day = day or (timezone.localtime(now or timezone.now()).date() - timedelta(days=1))
    return [
        settlement_build(method=method, day=day)
        for method in PaymentMethod.objects.order_by("position", "pk")
    ]


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
    totals = Payment.objects.filter(settlement=batch).aggregate(
        gross=Sum("amount"), fees=Sum("fee"), n=Count("pk")
    )
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
    rows, errors = {}, []
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
        for p in Payment.objects.filter(
            method=method, status__in=SETTLED_STATUSES, paid_at__gte=start, paid_at__lt=end
        )
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
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    lines = []
    Result = ReconciliationLine.Result
    for txn, amount in statement.items():
        payment = ours_all.get(txn)
        if payment is None:
            lines.append(
                ReconciliationLine(
                    run=run, transaction_id=txn, result=Result.MISSING_OURS, statement_amount=amount
                )
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
