"""The warehouse flow: allocate, pick, ship (with the orders merged into it), deliver, complete."""

import re
from functools import partial

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from inventory.services import stock_commit
from orders import signals
from orders.models import Order, Shipment
from orders.services.common import _locked, _move, _refuse_abnormal
from orders.state import allowed_actions
from shop.actors import Actor
from shop.errors import Conflict, DomainError


@transaction.atomic(durable=True)
def order_allocate(*, order, actor) -> Order:
    """Send a paid order to the warehouse (its stock is already reserved)."""
    order = _locked(order)
    _refuse_abnormal(order)
    return _move(order, "allocate", actor=actor)


def orders_allocate(*, orders, actor) -> tuple[int, list[str]]:
    """Send each of these orders that may go to the warehouse there (each on its own); (sent, refusals)."""
    done, failed = 0, []
    for order in orders:
        if "allocate" not in allowed_actions(order):
            continue
        try:
            order_allocate(order=order, actor=actor)
            done += 1
        except DomainError as e:
            failed.append(e.message)
    return done, failed


@transaction.atomic(durable=True)
def order_pick(*, order, actor) -> Order:
    """Mark an allocated order as being picked."""
    order = _locked(order)
    _refuse_abnormal(order)
    return _move(order, "pick", actor=actor)


def clean_tracking(carrier, tracking_number) -> str:
    number = re.sub(r"\s+", "", str(tracking_number or ""))
    if not carrier.tracking_number_valid(number) and carrier.tracking_number_valid(number.upper()):
        number = number.upper()
    if not number:
        raise DomainError(
            _("Enter the tracking number."),
            code="tracking_required",
            fields={"tracking_number": _("This field is required.")},
        )
    if not carrier.is_active:
        raise DomainError(_("Carrier %(c)s is not active.") % {"c": carrier.name}, code="carrier_inactive")
    if len(number) > 40 or not carrier.tracking_number_valid(number):
        raise DomainError(
            _("%(number)s is not a valid %(carrier)s tracking number.")
            % {"number": number[:40], "carrier": carrier.name},
            code="invalid_tracking_number",
            fields={"tracking_number": _("Does not match the carrier's format.")},
        )
    return number


@transaction.atomic(durable=True)
def order_ship(*, order, carrier, tracking_number, actor) -> Shipment:
    """Ship the order (and the orders merged into it) with one tracking number; stock leaves the shelf."""
    number = clean_tracking(carrier, tracking_number)
    order = _locked(order)
    if order.merged_into_id:
        raise Conflict(
            _("Order %(n)s ships with %(m)s.") % {"n": order.number, "m": order.merged_into.number}, code="merged"
        )
    if Shipment.objects.filter(carrier=carrier, tracking_number=number).exists():
        raise Conflict(
            _("Tracking number %(t)s is already used.") % {"t": number},
            code="duplicate_tracking",
            fields={"tracking_number": _("Already used.")},
        )
    group = [order] + list(Order.objects.select_for_update().filter(merged_into=order).order_by("pk"))
    for each in group:
        _refuse_abnormal(each)
        _move(
            each,
            "ship",
            actor=actor,
            data={"carrier": carrier.code, "tracking_number": number},
            message=f"{carrier.name} {number}",
        )
        stock_commit(reference=each.number, reference_type="order", actor=actor)
    try:
        with transaction.atomic():  # a savepoint: another clerk may have used the number a moment ago
            shipment = Shipment.objects.create(
                order=order, carrier=carrier, tracking_number=number, created_by=Actor.of(actor).user
            )
    except IntegrityError:
        raise Conflict(
            _("Tracking number %(t)s is already used.") % {"t": number},
            code="duplicate_tracking",
            fields={"tracking_number": _("Already used.")},
        ) from None
    transaction.on_commit(partial(signals.order_shipped.send, sender=Order, order=order))
    return shipment


@transaction.atomic(durable=True)
def order_deliver(*, order, actor) -> Order:
    """Record that the customer received a shipped order."""
    return _move(_locked(order), "deliver", actor=actor)


@transaction.atomic(durable=True)
def order_complete(*, order, actor) -> Order:
    """Complete a delivered order (its after-sales window is over)."""
    order = _move(_locked(order), "complete", actor=actor)
    transaction.on_commit(partial(signals.order_completed.send, sender=Order, order=order))
    return order
