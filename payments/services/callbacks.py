"""Money coming in: provider payment callbacks, cash collected on delivery, payments recorded afterwards."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orders import services as order_services
from orders import state as order_state
from orders.models import Order
from payments import signals
from payments.gateways import (
    PaymentNotice,
    get_gateway,
    parse_amount,
)
from payments.models import (
    Payment,
    PaymentMethod,
    Refund,
)
from payments.services.common import notify_finance
from payments.services.methods import fee_for
from payments.services.refunds import _refund_create
from shop.audit import record
from shop.errors import Conflict, DomainError, NotFound, RuleRefused


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
            if existing is not None:  # a retry of a failed payment (a replay returned above)
                Payment.objects.filter(pk=existing.pk).update(**values)
                payment = Payment.objects.get(pk=existing.pk)
            else:
                payment = Payment.objects.create(method=method, transaction_id=notice.transaction_id, **values)
    except IntegrityError:
        return CallbackResult(
            Payment.objects.get(method=method, transaction_id=notice.transaction_id),
            False,
            "duplicate_callback",
        )
    if retried:  # reports counts payment failures: this one is no longer one
        signals.payment_recovered.send(sender=Payment, payment=existing)
    if status == Payment.Status.FAILED:
        signals.payment_failed.send(sender=Payment, payment=payment)
    else:
        signals.payment_received.send(sender=Payment, payment=payment)
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
        notify_finance(
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
        notify_finance(_("Refund queued for order %(n)s") % {"n": order.number}, reason, payment.get_absolute_url())
    return CallbackResult(payment, True, outcome)


def _cod_payment(order):
    if order.payment_method != Order.PaymentMethod.COD:
        return None
    return Payment.objects.filter(
        order=order, method__code=Order.PaymentMethod.COD, status=Payment.Status.CAPTURED
    ).first()


@transaction.atomic(durable=True)
def cod_collect(
    *, order, actor, amount=None, reference="", collected_at=None, reason="", refuse_repeat=False
) -> Payment:
    """Record the cash the carrier collected for a shipped cash-on-delivery order and mark it paid.

    The carrier's signed callback (provider `cod`) does the same through `payment_callback_record`.
    Done twice, it has one effect: the order's COD payment is returned (or, with `refuse_repeat`, an operator's
    repair in the admin, a Conflict saying so). `reason` goes to the audit entry.
    """
    order = Order.objects.select_for_update().get(pk=order.pk)
    existing = _cod_payment(order)
    if existing is not None:
        if refuse_repeat:
            raise Conflict(_("Order %(n)s is already collected.") % {"n": order.number}, code="already_collected")
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
    signals.payment_received.send(sender=Payment, payment=payment)
    after = {"order": order.number, "amount": amount, **({"reason": str(reason)[:200]} if reason else {})}
    record(actor, "payments.cod_collect", payment, after=after)
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
            _("Order %(n)s is not paid; its payment arrives by the provider's callback.") % {"n": order.number},
            code="order_not_paid",
        )
    amount = parse_amount(amount)
    if amount != order.total:
        raise RuleRefused(
            _("Received ¥%(a)s, the order totals ¥%(t)s. The order stays unpaid.") % {"a": amount, "t": order.total},
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
    signals.payment_received.send(sender=Payment, payment=payment)
    record(actor, "payments.import", payment, after={"order": order.number, "amount": amount})
    return payment
