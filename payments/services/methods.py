"""Payment methods: staff edit their switch, limits and fees; intake checks an order against them."""

from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from orders import state as order_state
from orders.models import Order
from payments.models import (
    PaymentMethod,
)
from payments.selectors import methods_cached
from payments.services.common import local_day_bounds
from shop.audit import record, snapshot
from shop.errors import DomainError, RuleRefused
from shop.money import to_cents


def fee_for(method, amount) -> Decimal:
    """The provider's fee on one payment: percent of the amount (rounded half-up) plus the fixed fee."""
    return to_cents(amount * method.fee_percent / 100) + method.fee_fixed


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
    method = next((m for m in methods_cached() if m.code == order.payment_method), None)
    if method is None or not method.is_enabled:
        message = _("The payment method %(m)s is not available.") % {
            "m": method.name if method else order.payment_method
        }
        raise RuleRefused(message, code="payment_method_disabled", fields={"payment_method": message})
    total = order.total
    if total == 0:  # nothing to pay (points or discounts paid for all of it): intake marks it paid at once
        return
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
        ).exclude(status__in=order_state.VOID_STATES).exclude(pk=order.pk).aggregate(s=Sum("total"))["s"] or Decimal(
            "0"
        )
        if spent + total > method.daily_limit:
            message = _("This order would pass the customer's daily %(m)s limit of ¥%(a)s.") % {
                "m": method.name,
                "a": method.daily_limit,
            }
            raise RuleRefused(message, code="payment_daily_limit", fields={"payment_method": message})
