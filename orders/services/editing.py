"""Staff edits of an order: shipping address, price adjustment, notes, and the abnormal (on hold) flag."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketing import groupbuy
from orders import signals
from orders.models import Order, OrderEvent
from orders.services.common import S, _audit, _event, _locked
from orders.services.intake import _clean_address
from orders.services.payment import order_mark_paid
from orders.state import order_address_editable
from shop.errors import Conflict, DomainError, RuleRefused
from shop.money import parse_money
from shop.state import IllegalTransition


@transaction.atomic(durable=True)
def order_address_change(*, order, actor, **address) -> Order:
    """Change the shipping address of an order that has not shipped."""
    order = _locked(order)
    if not order_address_editable(order):
        raise IllegalTransition(_("Order %(n)s has shipped; its address can no longer change.") % {"n": order.number})
    clean = {f"ship_{k}": v for k, v in _clean_address(address).items()}
    before = {k: getattr(order, k) for k in clean}
    for key, value in clean.items():
        setattr(order, key, value)
    order.save(update_fields=list(clean))
    _event(order, "address", actor=actor, message=order.address_text, data={"before": before})
    _audit(actor, "orders.address_change", order, before=before, after=clean)
    if before.get("ship_province") != order.ship_province:  # the reports count its figures by province
        signals.order_recorded.send(
            sender=Order, order=order, kind="province", previous_province=before.get("ship_province")
        )
    return order


@transaction.atomic(durable=True)
def order_adjust_price(*, order, actor, adjustment, reason) -> Order:
    """Set a manual price adjustment on an unpaid order (negative lowers it; a total of 0 is paid at once)."""
    reason = str(reason or "").strip()
    if not reason:
        raise DomainError(
            _("Give a reason for the adjustment."),
            code="reason_required",
            fields={"reason": _("This field is required.")},
        )
    adjustment = parse_money(adjustment, field="adjustment")
    order = _locked(order)
    if order.status != S.PENDING_PAYMENT:
        raise IllegalTransition(_("Only orders awaiting payment can change price."), code="illegal_transition")
    total = order.subtotal - order.discount + order.shipping_fee + adjustment
    if total < 0:
        raise DomainError(
            _("The total cannot fall below zero."), code="negative_total", fields={"adjustment": _("Too low.")}
        )
    before = {"adjustment": order.adjustment, "total": order.total}
    order.adjustment, order.total = adjustment, total
    order.save(update_fields=["adjustment", "total"])
    _event(
        order, "price", actor=actor, message=reason[:500], data={"before": str(before["total"]), "after": str(total)}
    )
    _audit(
        actor,
        "orders.adjust_price",
        order,
        before=before,
        after={"adjustment": adjustment, "total": total, "reason": reason},
    )
    if total == 0:  # no provider takes a zero payment: nothing is owed, so the order is paid now
        order = order_mark_paid(order=order, amount=total, paid_at=timezone.now(), actor=actor)
    return order


@transaction.atomic(durable=True)
def order_note_add(*, order, actor, text) -> OrderEvent:
    """Add a staff note to the order's timeline."""
    text = str(text or "").strip()
    if not text:
        raise DomainError(_("Write the note."), code="empty", fields={"text": _("This field is required.")})
    event = _event(order, "note", actor=actor, message=text[:500])
    _audit(actor, "orders.note", order, after={"note": text[:500]})
    return event


@transaction.atomic
def order_flag_abnormal(*, order, reason, actor=None, note="") -> Order:
    """Put the order in the abnormal queue; shipping waits until someone resolves it."""
    order = _locked(order)
    code = reason if reason in Order.Abnormal.values else Order.Abnormal.OTHER
    note = str(note or ("" if code == reason else reason))[:200]
    before = {"is_abnormal": order.is_abnormal, "abnormal_reason": order.abnormal_reason}
    # A hold that covers another one remembers it, so that a risk review's release puts it back.
    covered = (
        {"reason": order.abnormal_reason, "note": order.abnormal_note}
        if order.is_abnormal and order.abnormal_reason != code
        else None
    )
    order.is_abnormal, order.abnormal_reason, order.abnormal_note = True, code, note
    order.save(update_fields=["is_abnormal", "abnormal_reason", "abnormal_note"])
    _event(
        order,
        "flagged",
        actor=actor,
        message=f"{order.get_abnormal_reason_display()} {note}".strip(),
        data={"covers": covered} if covered else None,
    )
    _audit(actor, "orders.flag_abnormal", order, before=before, after={"abnormal_reason": code, "note": note})
    if code == Order.Abnormal.RISK:  # the risk review queue is the one record of risk holds
        signals.order_risk_held.send(sender=Order, order=order, actor=actor, note=note)
    return order


@transaction.atomic
def order_clear_abnormal(*, order, actor, note="", risk_review=False, group_filled=False) -> Order:
    """Resolve an abnormal order so that it continues through the queues.

    A risk hold is released only by its risk review (approve or reject), which passes `risk_review`;
    when the risk hold was put over another hold (a dispatch rule's, say), that hold comes back. A group-buy
    hold is released only when the group fills (`group_filled`, from order_mark_paid).
    """
    order = _locked(order)
    if not order.is_abnormal:
        raise Conflict(_("Order %(n)s is not on hold.") % {"n": order.number}, code="not_abnormal")
    if order.abnormal_reason == Order.Abnormal.RISK and not risk_review:
        raise Conflict(
            _("Order %(n)s is held for risk review; approve or reject it in the risk review queue.")
            % {"n": order.number},
            code="risk_review_required",
        )
    if order.abnormal_reason == Order.Abnormal.GROUP_BUY and not group_filled:
        raise Conflict(
            _("Order %(n)s waits for its group buy to fill; it ships when the group is full.") % {"n": order.number},
            code="group_buy_waiting",
        )
    before = {"abnormal_reason": order.abnormal_reason, "note": order.abnormal_note}
    covered = None
    if order.abnormal_reason == Order.Abnormal.RISK:  # a risk hold put over another hold gives it back
        flagged = order.events.filter(kind="flagged").order_by("-created_at", "-id").first()
        covered = (flagged.data or {}).get("covers") if flagged else None
    if covered and covered["reason"] == Order.Abnormal.GROUP_BUY and not groupbuy.group_buy_waiting(order.number):
        covered = None  # the group filled (or failed) during the risk review: that hold is over
    if covered:
        order.abnormal_reason, order.abnormal_note = covered["reason"], covered["note"]
    else:
        order.is_abnormal, order.abnormal_reason, order.abnormal_note = False, "", ""
    order.save(update_fields=["is_abnormal", "abnormal_reason", "abnormal_note"])
    _event(order, "resolved", actor=actor, message=str(note or "")[:500])
    if covered:
        _event(
            order,
            "flagged",
            actor=actor,
            message=f"{order.get_abnormal_reason_display()} {order.abnormal_note}".strip(),
        )
    _audit(actor, "orders.clear_abnormal", order, before=before, after={"note": note})
    return order


ON_THEIR_WAY = (S.PENDING_PAYMENT, S.PAID, S.ALLOCATED, S.PICKING, S.SHIPPED)


def orders_refuse_erasure(*, customer) -> None:
    """RuleRefused while an order of the customer is still to be paid, packed or delivered: erasing them
    would leave it without an address (their erasure asks first, customers.signals.customer_erasing)."""
    numbers = list(
        Order.objects.filter(customer=customer, status__in=ON_THEIR_WAY).values_list("number", flat=True)[:5]
    )
    if numbers:
        raise RuleRefused(
            _("The customer has orders on their way (%(n)s); erase them once those are delivered or cancelled.")
            % {"n": ", ".join(numbers)},
            code="orders_in_progress",
        )


def orders_anonymise_customer(*, customer) -> int:
    """Anonymise the recipients, phones and street addresses of an erased customer's orders (their erasure, in
    its transaction): province and city stay for the regional figures; amounts, lines, states and payments stay.
    Their address events and audit entries lose the personal values too. Answers the number of orders."""
    from customers.services.privacy import ERASED_TEXT, scrub, scrub_audit_entries

    orders = Order.objects.filter(customer=customer)
    pks = list(orders.values_list("pk", flat=True))
    orders.update(
        ship_name=customer.name[:50],
        ship_phone=customer.phone,
        ship_district="",
        ship_detail=ERASED_TEXT,
        ship_postcode="",
        note="",
    )
    for event in OrderEvent.objects.filter(order_id__in=pks, kind="address").iterator():
        event.message, event.data = ERASED_TEXT, scrub(event.data)
        event.save(update_fields=["message", "data"])
    scrub_audit_entries(Order, pks)
    return len(pks)
