"""Refunds asked for and decided: requesting (whole, part, per line), approving and rejecting.

A payment row is locked (`select_for_update`) before any refund against it is reserved, and the reservation is a
guarded UPDATE backed by a check constraint: refunds never exceed the capture.
"""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from orders import selectors as order_selectors
from orders.models import OrderLine
from payments.models import (
    Payment,
    Refund,
)
from payments.services.common import SETTLED_STATUSES
from payments.state import REFUND
from shop.actors import Actor
from shop.audit import record
from shop.errors import DomainError, RuleRefused
from shop.money import to_cents
from shop.outbox import enqueue


def _refund_lines(payment, lines) -> tuple[Decimal, list]:
    """The amount and the stored rows of a per-line refund; refuses quantities already refunded.

    A line refunds from what it was charged (`orders.selectors.line_charges`: after the adjustment
    and every order-level discount): quantity × charged / line quantity, rounded half-up, never more
    than the line has left; the refund that takes the line's last units returns exactly what is left,
    so partial refunds of a line add up to its charged amount to the cent.
    """
    order_lines = {line.pk: line for line in OrderLine.objects.filter(order_id=payment.order_id)}
    charged = order_selectors.line_charges(payment.order, lines=order_lines.values())
    already: dict[int, int] = {}
    refunded: dict[int, Decimal] = {}
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
    rows: list[dict] = []
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
        requested_by=Actor.of(actor).user,
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


@transaction.atomic
def refund_request_for_order(*, order, amount, reason, source=Refund.Source.ORDER_CANCELLED) -> list[Refund]:
    """Queue refunds of `amount` against the order's captured payments (once per order and source).

    Joins the caller's transaction: a cancellation writes its refund request in its own
    (orders.signals.refund_requested).
    """
    if (
        Refund.objects.filter(order=order, source=source)
        .exclude(status__in=(Refund.Status.REJECTED, Refund.Status.FAILED))
        .exists()
    ):
        return []
    refunds, left = [], to_cents(amount)
    payments = (
        Payment.objects.select_for_update().filter(order=order, status__in=SETTLED_STATUSES).order_by("flag", "pk")
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


def _approve(refund, actor, note=""):
    refund.decided_by = Actor.of(actor).user
    before = REFUND.move(refund, "approve", fields=("decided_by",))
    record(
        actor,
        "payments.refund_approve",
        refund,
        before={"status": before},
        after={"status": refund.status, "note": note},
    )
    from payments.tasks import refund_send  # tasks import this module

    enqueue(refund_send, refund.pk)  # written with the approval: a broker outage cannot lose the refund


def _locked_refund(refund) -> Refund:
    return Refund.objects.select_for_update().select_related("payment__method", "order").get(pk=refund.pk)


@transaction.atomic(durable=True)
def refund_approve(*, refund, actor) -> Refund:
    """Approve a requested refund and send it to the provider after commit."""
    refund = _locked_refund(refund)
    _approve(refund, actor)
    return refund


@transaction.atomic(durable=True)
def refund_reject(*, refund, actor, note="") -> Refund:
    """Reject a requested refund and release its amount."""
    refund = _locked_refund(refund)
    refund.decided_by, refund.failure_reason = Actor.of(actor).user, (note or "")[:300]
    before = REFUND.move(refund, "reject", fields=("decided_by", "failure_reason"))
    _release(refund)
    record(
        actor,
        "payments.refund_reject",
        refund,
        before={"status": before},
        after={"status": refund.status, "note": note},
    )
    return refund


def _release(refund):
    Payment.objects.select_for_update().filter(pk=refund.payment_id).get()
    Payment.objects.filter(pk=refund.payment_id).update(refund_reserved=F("refund_reserved") - refund.amount)
