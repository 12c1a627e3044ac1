"""Refunds on their way out: sending to the provider (once, after commit, outside any lock), the provider's
refund callbacks, and the timeouts job (reminders, escalation, auto-approval, resending stuck ones).
"""

import uuid
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.services import points_after_refund
from orders import state as order_state
from payments import signals
from payments.gateways import (
    GatewayDeclined,
    GatewayError,
    RefundNotice,
    get_gateway,
)
from payments.models import (
    Payment,
    Refund,
)
from payments.services.common import FINANCE, notify_finance
from payments.services.refunds import _approve, _release
from payments.state import REFUND, REFUND_SETTLED
from shop.audit import record
from shop.errors import Conflict, DomainError, NotFound
from shop.selectors import store_settings
from shop.services import notify


@transaction.atomic(durable=True)
def _refund_begin_send(refund_id) -> tuple[Refund, bool]:
    """Mark the refund as being sent (its idempotency key is already stored); (refund, resuming)."""
    refund = Refund.objects.select_for_update().select_related("payment__method").get(pk=refund_id)
    if not REFUND.allows(refund, "send"):
        return refund, False
    resuming = refund.status == Refund.Status.SENDING
    refund.attempts += 1
    REFUND.move(refund, "send", fields=("attempts",))
    return refund, resuming


@transaction.atomic(durable=True)
def _refund_mark_sent(*, refund_id, provider_refund_id) -> Refund:
    refund = Refund.objects.select_for_update().get(pk=refund_id)
    if not refund.provider_refund_id:
        refund.provider_refund_id = provider_refund_id
    if REFUND.allows(refund, "mark_sent"):
        REFUND.move(refund, "mark_sent", fields=("provider_refund_id",))
        record(None, "payments.refund_sent", refund, after={"provider_refund_id": provider_refund_id})
    else:
        refund.save(update_fields=["provider_refund_id"])
    return refund


@transaction.atomic(durable=True)
def _refund_mark_failed(*, refund_id, reason) -> Refund:
    refund = Refund.objects.select_for_update().select_related("order").get(pk=refund_id)
    if REFUND.allows(refund, "fail"):
        _release(refund)
        refund.failure_reason = str(reason)[:300]
        REFUND.move(refund, "fail", fields=("failure_reason",))
        record(None, "payments.refund_failed", refund, after={"reason": refund.failure_reason})
        notify_finance(
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
    if refund.status in REFUND_SETTLED:
        return refund
    action = "confirm" if notice.status == "succeeded" else "decline"
    REFUND.check(refund, action)
    if notice.amount != refund.amount:
        raise Conflict(_("The refunded amount does not match the refund."), code="amount_mismatch")
    refund.provider_refund_id = refund.provider_refund_id or notice.provider_refund_id
    if action == "confirm":
        Payment.objects.select_for_update().filter(pk=refund.payment_id).get()
        Payment.objects.filter(pk=refund.payment_id).update(refunded=F("refunded") + refund.amount)
        REFUND.move(refund, "confirm", fields=("provider_refund_id",))
        signals.refund_succeeded.send(sender=Refund, refund=refund)
        record("provider:" + provider, "payments.refund_confirmed", refund, after={"amount": refund.amount})
        _points_after_refund(refund)
        return refund
    _release(refund)
    refund.failure_reason = notice.message or _("The provider refused it.")
    REFUND.move(refund, "decline", fields=("provider_refund_id", "failure_reason"))
    record("provider:" + provider, "payments.refund_failed", refund, after={"reason": refund.failure_reason})
    notify_finance(
        _("Refund for order %(n)s failed") % {"n": refund.order.number},
        refund.failure_reason,
        refund.payment.get_absolute_url(),
    )
    return refund


def _points_after_refund(refund) -> None:
    """The customer's points follow the money: redeemed points back and earned points reversed in proportion
    to the order's refunded share (every confirmed refund of the order so far, of what was captured)."""
    order = refund.order
    if not order.points_used and not order.completed_at:
        return  # nothing redeemed and nothing earned yet (earning counts refunds made before completion)
    totals = Payment.objects.filter(order_id=order.pk).exclude(status=Payment.Status.FAILED)
    sums = totals.aggregate(captured=Sum("amount"), refunded=Sum("refunded"))
    points_after_refund(
        customer=order.customer,
        order_number=order.number,
        refund_reference=f"refund:{refund.pk}",
        refunded=sums["refunded"] or 0,
        captured=sums["captured"] or 0,
    )


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
