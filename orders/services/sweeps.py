"""The timed jobs (DESIGN §5): close unpaid orders, confirm receipt, complete orders. Each picks its rows,
then locks them one at a time (FOR UPDATE SKIP LOCKED) in a transaction of their own; safe to run twice."""

from datetime import timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orders import signals
from orders.models import Order
from orders.services.cancelling import _cancel
from orders.services.common import S, _move
from shop.selectors import store_settings


def _due(queryset, limit):
    """Ids to work on; each is then locked on its own, skipping rows another worker holds."""
    return list(queryset.order_by("pk").values_list("pk", flat=True)[:limit])


def _lock_skip(pk, **still):
    return Order.objects.select_for_update(skip_locked=True).filter(pk=pk, **still).first()


def orders_close_unpaid(*, now=None, limit=5000) -> dict:
    """Close the orders whose time to pay ran out and release their stock (one transaction each)."""
    now = now or timezone.now()
    closed = 0
    for pk in _due(Order.objects.filter(status=S.PENDING_PAYMENT, pay_by__lt=now), limit):
        with transaction.atomic(durable=True):
            order = _lock_skip(pk, status=S.PENDING_PAYMENT, pay_by__lt=now)
            if order is not None:
                _cancel(order, actor=None, reason=_("Not paid in time"), action="close", now=now)
                closed += 1
    return {"closed": closed}


def orders_auto_confirm(*, now=None, limit=5000) -> dict:
    """Mark shipped orders older than the store's confirm-receipt days as delivered."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=store_settings().auto_confirm_receipt_days)
    done = 0
    for pk in _due(Order.objects.filter(status=S.SHIPPED, shipped_at__lt=cutoff), limit):
        with transaction.atomic(durable=True):
            order = _lock_skip(pk, status=S.SHIPPED)
            if order is not None:
                _move(order, "deliver", actor=None, now=now, message=_("Receipt confirmed automatically"))
                done += 1
    return {"delivered": done}


def orders_auto_complete(*, now=None, limit=5000) -> dict:
    """Complete delivered orders whose after-sales window has passed."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=store_settings().aftersales_window_days)
    done = 0
    for pk in _due(Order.objects.filter(status=S.DELIVERED, delivered_at__lt=cutoff), limit):
        with transaction.atomic(durable=True):
            order = _lock_skip(pk, status=S.DELIVERED)
            if order is not None:
                _move(order, "complete", actor=None, now=now, message=_("Completed automatically"))
                transaction.on_commit(partial(signals.order_completed.send, sender=Order, order=order))
                done += 1
    return {"completed": done}
