"""Paying an order: mark it paid (or a cash-on-delivery order collected) and apply the dispatch rules that
set its place in the work queues."""

from datetime import timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketing import groupbuy
from orders import signals
from orders.models import DispatchRule, Order
from orders.services.common import S, _audit, _event, _locked, _move
from orders.state import order_cod_collectable
from shop.china import province_key, province_list
from shop.errors import Conflict
from shop.money import parse_money


@transaction.atomic
def order_mark_paid(*, order, amount, paid_at, actor=None) -> Order:
    """Mark an order awaiting payment as paid; its stock stays reserved until it ships."""
    order = _locked(order)
    amount = parse_money(amount, field="amount")
    collect = order_cod_collectable(order)
    if (order.status == S.PENDING_PAYMENT or collect) and amount != order.total:
        raise Conflict(
            _("Order %(n)s costs %(total)s, not %(amount)s.")
            % {"n": order.number, "total": order.total, "amount": amount},
            code="amount_mismatch",
        )
    if collect:
        return _cod_collected(order, amount=amount, paid_at=paid_at or timezone.now(), actor=actor)
    _move(
        order,
        "pay",
        actor=actor,
        now=paid_at or timezone.now(),
        data={"amount": str(amount)},
        message=_("Paid %(amount)s") % {"amount": amount},
    )
    _dispatch(order)
    if order.group_buy_id:
        order = _group_buy_paid(order, now=paid_at or timezone.now())
    transaction.on_commit(partial(signals.order_paid.send, sender=Order, order=order))
    return order


def _group_buy_paid(order, *, now) -> Order:
    """Hold a paid group-buy order until its group is full; the payment that fills it releases every member."""
    from orders.services.editing import order_clear_abnormal, order_flag_abnormal

    answer = groupbuy.group_buy_member_paid(order_number=order.number, now=now)
    if answer["hold"]:
        note = _("Group %(id)s is not full yet.") % {"id": order.group_buy_id}
        return order_flag_abnormal(order=order, reason=Order.Abnormal.GROUP_BUY, note=note)
    held = Order.objects.filter(number__in=answer["release"], abnormal_reason=Order.Abnormal.GROUP_BUY)
    for other in held.order_by("pk"):
        order_clear_abnormal(order=other, actor=None, note=_("The group is full."), group_filled=True)
    return order


def _cod_collected(order, *, amount, paid_at, actor) -> Order:
    """The carrier collected a cash-on-delivery order's money: stamp paid_at (the status stays)."""
    order.paid_at = paid_at
    order.save(update_fields=["paid_at"])
    _event(
        order,
        "collected",
        actor=actor,
        data={"amount": str(amount)},
        message=_("Cash on delivery collected: %(amount)s") % {"amount": amount},
    )
    _audit(actor, "orders.cod_collected", order, before={"paid_at": None}, after={"paid_at": paid_at, "amount": amount})
    signals.order_recorded.send(sender=Order, order=order, kind="paid")
    transaction.on_commit(partial(signals.order_paid.send, sender=Order, order=order))
    return order


def _dispatch(order):
    """Apply the first matching dispatch rule and set the order's place in the work queues."""
    boost, notes = 0, []
    rule = next(
        (r for r in DispatchRule.objects.filter(is_active=True).select_related("carrier") if _rule_matches(r, order)),
        None,
    )
    if rule is not None:
        boost = rule.priority_boost
        notes.append(_("Rule “%(rule)s”") % {"rule": rule.name})
        if rule.carrier_id:
            order.preferred_carrier = rule.carrier
        if rule.hold and not order.is_abnormal:
            order.is_abnormal, order.abnormal_reason = True, Order.Abnormal.DISPATCH
            order.abnormal_note = (_("Held by rule “%(rule)s”") % {"rule": rule.name})[:200]
    order.priority_boost = boost
    order.priority_at = (order.paid_at or order.placed_at) - timedelta(hours=boost)
    order.dispatch_note = "; ".join(notes)[:200]
    order.save(
        update_fields=[
            "preferred_carrier",
            "priority_boost",
            "priority_at",
            "dispatch_note",
            "is_abnormal",
            "abnormal_reason",
            "abnormal_note",
        ]
    )
    if rule is not None:
        _event(
            order,
            "dispatch",
            actor=None,
            message=order.dispatch_note,
            data={"rule": rule.pk, "boost": boost, "carrier": rule.carrier.code if rule.carrier_id else ""},
        )


def _rule_matches(rule, order) -> bool:
    if rule.provinces and province_key(order.ship_province) not in province_list(rule.provinces):
        return False
    if rule.channel and rule.channel != order.channel:
        return False
    if rule.payment_method and rule.payment_method != order.payment_method:
        return False
    return rule.min_total is None or order.total >= rule.min_total
