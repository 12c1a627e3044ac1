"""Order write use cases: intake, the state machine of DESIGN §3, logistics, abnormal orders, merging.

Every status change goes through `_move`, which checks TRANSITIONS, writes the order's timeline entry
(OrderEvent) and, for staff, an audit entry, all inside the caller's transaction. Top-level services are
durable; `order_mark_paid`, `order_flag_abnormal` and `order_clear_abnormal` join the caller's
transaction because payments calls them inside its own.

Stock: intake reserves (inventory.stock_reserve, warehouses of the address's province first), paying
keeps the reservation, shipping commits it (stock_commit), cancelling or closing releases it.
"""
import csv
import hashlib
import io
import json
import re
import secrets
from datetime import timedelta
from functools import partial

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Product, Sku
from customers.services import customer_upsert
from inventory.services import stock_commit, stock_release, stock_reserve
from marketing.pricing import price_cart
from orders import signals
from orders.freight import freight_quote
from orders.models import (
    Carrier,
    DispatchRule,
    FreightRegion,
    FreightTemplate,
    IntakeKey,
    Order,
    OrderEvent,
    OrderLine,
    Shipment,
    TrackingEvent,
)
from orders.state import MACHINE, PAID_STATES, UNSHIPPED, allowed_actions, order_cod_collectable
from shop import progress
from shop.actors import Actor
from shop.audit import audited_save, record, snapshot
from shop.china import phone_clean, province_key, province_list
from shop.errors import Conflict, DomainError, NotFound, RuleRefused
from shop.money import parse_money
from shop.selectors import store_settings
from shop.state import IllegalTransition

S = Order.Status
MAX_LINES = 100
MAX_QUANTITY = 9999
ADDRESS_FIELDS = ("name", "phone", "province", "city", "district", "detail")
ADDRESS_LIMITS = {"name": 50, "phone": 20, "province": 30, "city": 30, "district": 30, "detail": 200,
                  "postcode": 10}
DUPLICATE_WINDOW = timedelta(minutes=10)

# -- helpers -----------------------------------------------------------------------------------------
def _locked(order) -> Order:
    try:
        return Order.objects.select_for_update().get(pk=order.pk)
    except Order.DoesNotExist:
        raise NotFound(_("Order not found.")) from None


def _event(order, kind, *, actor, message="", from_status="", to_status="", data=None) -> OrderEvent:
    who = Actor.of(actor)
    return OrderEvent.objects.create(order=order, kind=kind, from_status=from_status, to_status=to_status,
                                     message=str(message)[:500], data=data or {}, actor=who.user, actor_label=who.label)


def _audit(actor, action, order, *, before=None, after=None):
    """Audit staff actions (API clients and jobs leave the timeline entry only)."""
    if Actor.of(actor).is_staff:
        record(actor, action, order, before=before, after=after)


def _move(order, action, *, actor, message="", data=None, now=None) -> Order:
    """Move a locked order along the state machine, with its timeline entry and audit entry."""
    before = MACHINE.move(order, action, now=now)
    _event(order, action, actor=actor, message=message, from_status=before, to_status=order.status, data=data)
    _audit(actor, f"orders.{action}", order, before={"status": before}, after={"status": order.status, **(data or {})})
    return order


def _new_number(now) -> str:
    """Date + 10 random digits: readable, sortable by day, not guessable from the previous one."""
    day = timezone.localtime(now).strftime("%Y%m%d")
    while True:
        number = f"{day}{secrets.randbelow(10**10):010d}"
        if not Order.objects.filter(number=number).exists():
            return number


def request_hash(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False).encode()).hexdigest()


# -- intake ------------------------------------------------------------------------------------------
def _clean_address(address) -> dict:
    address = {k: str(address.get(k) or "").strip() for k in (*ADDRESS_FIELDS, "postcode")}
    errors = {}
    for key in ADDRESS_FIELDS:
        if not address[key]:
            errors[f"shipping_address.{key}"] = _("This field is required.")
    for key, limit in ADDRESS_LIMITS.items():
        if len(address[key]) > limit:
            errors[f"shipping_address.{key}"] = _("At most %(n)s characters.") % {"n": limit}
    phone = phone_clean(address["phone"])
    if address["phone"] and phone is None:
        errors["shipping_address.phone"] = _("Enter a mobile number or a landline with its area code.")
    address["phone"] = phone or address["phone"]
    if address["postcode"] and not re.fullmatch(r"\d{6}", address["postcode"]):
        errors["shipping_address.postcode"] = _("A postcode has 6 digits.")
    if errors:
        raise DomainError(_("The shipping address is not complete."), code="invalid_address", fields=errors)
    return address


def _resolve_lines(lines):
    """[(Sku, quantity)] for the requested (code, quantity) lines; the same SKU twice is one line."""
    if not lines:
        raise DomainError(_("Add at least one line."), code="empty", fields={"lines": _("Add at least one line.")})
    if len(lines) > MAX_LINES:
        raise DomainError(_("At most %(n)s lines.") % {"n": MAX_LINES}, code="too_many_lines")
    wanted, errors = {}, {}
    for i, (code, quantity) in enumerate(lines):
        if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
            errors[f"lines.{i}.quantity"] = _("Enter a whole number from 1 to %(n)s.") % {"n": MAX_QUANTITY}
            continue
        code = str(code or "").strip()
        wanted[code] = wanted.get(code, 0) + quantity
    if errors:
        raise DomainError(_("Some lines are not valid."), code="invalid_quantity", fields=errors)
    skus = {s.code: s for s in Sku.objects.select_related("product").filter(code__in=list(wanted))}
    for i, (code, _quantity) in enumerate(lines):
        sku = skus.get(str(code or "").strip())
        if sku is None:
            errors[f"lines.{i}.sku"] = _("Unknown SKU %(sku)s.") % {"sku": str(code)[:64]}
        elif not sku.is_active or sku.product.status != Product.Status.PUBLISHED:
            errors[f"lines.{i}.sku"] = _("%(sku)s is not on sale.") % {"sku": sku.code}
    if errors:
        raise RuleRefused(_("Some products cannot be ordered: %(why)s") % {"why": " ".join(errors.values())},
                          code="sku_unavailable", fields=errors)
    return [(skus[code], quantity) for code, quantity in wanted.items()]


def order_place(**kwargs) -> tuple[Order, bool]:
    """Place an order from the storefront; return (order, created). See `_order_place` for the arguments.

    Two requests racing with the same Idempotency-Key or external id: the loser's insert fails on the
    unique constraint, its transaction rolls back, and it answers like a replay.
    """
    for attempt in range(2):
        try:
            return _order_place(**kwargs)
        except IntegrityError:
            replay = _replay(kwargs)
            if replay is not None:
                return replay, False
            external_id = str(kwargs.get("external_id") or "").strip()
            if external_id and Order.objects.filter(channel=kwargs.get("channel", Order.Channel.WEB),
                                                    external_id=external_id).exists():
                replay = _replay(kwargs)  # the racing retry committed between our two reads
                if replay is not None:
                    return replay, False
                raise Conflict(_("An order with external id %(id)s already exists.") % {"id": external_id[:64]},
                               code="duplicate_order", fields={"external_id": _("Already used.")}) from None
            if attempt:  # e.g. two first orders of one new customer at once: the retry finds the customer
                raise
    raise AssertionError("unreachable")


def _replay(kwargs):
    key = kwargs.get("idempotency_key")
    if not key:
        return None
    found = IntakeKey.objects.select_related("order").filter(scope=kwargs.get("idempotency_scope", ""),
                                                              key=key).first()
    if found is None:
        return None
    if found.request_hash != request_hash(kwargs.get("payload") or {}):
        raise RuleRefused(_("This Idempotency-Key was used with a different request."), code="idempotency_mismatch")
    return found.order


@transaction.atomic(durable=True)
def _order_place(*, customer, shipping_address, lines, payment_method="", external_id="", channel=Order.Channel.WEB,
                 coupon_code="", points=0, note="", flash_sale_id=None, group_buy_id=None, idempotency_key="",
                 idempotency_scope="", payload=None, actor=None, now=None, client_ip=None) -> tuple[Order, bool]:
    """Price the cart, add freight, reserve the stock and create the order awaiting payment."""
    now = now or timezone.now()
    replay = _replay({"idempotency_key": idempotency_key, "idempotency_scope": idempotency_scope,
                      "payload": payload})
    if replay is not None:
        return replay, False
    external_id = str(external_id or "").strip()[:64]
    if channel not in Order.Channel.values:
        raise DomainError(_("Unknown channel."), code="invalid_channel", fields={"channel": _("Unknown channel.")})
    if external_id and Order.objects.filter(channel=channel, external_id=external_id).exists():
        # A retry with the same key may have committed (its key with its order) since the check above.
        replay = _replay({"idempotency_key": idempotency_key, "idempotency_scope": idempotency_scope,
                          "payload": payload})
        if replay is not None:
            return replay, False
        raise Conflict(_("An order with external id %(id)s already exists.") % {"id": external_id},
                       code="duplicate_order", fields={"external_id": _("Already used.")})
    payment_method = payment_method or _default_payment_method()
    if payment_method not in Order.PaymentMethod.values:
        raise DomainError(_("Unknown payment method %(m)s.") % {"m": str(payment_method)[:20]},
                          code="invalid_payment_method", fields={"payment_method": _("Unknown payment method.")})
    if isinstance(points, bool) or not isinstance(points, int) or points < 0:
        raise DomainError(_("Points must be zero or more."), code="invalid_points", fields={"points": _("Invalid.")})
    address = _clean_address(shipping_address or {})
    items = _resolve_lines(lines)
    buyer = customer_upsert(phone=customer.get("phone", ""), name=customer.get("name", ""),
                            email=customer.get("email") or "")
    quote = price_cart(lines=items, customer=buyer, coupon_code=coupon_code or "", points=points,
                       flash_sale_id=flash_sale_id, group_buy_id=group_buy_id)
    weight = sum((sku.weight_g or sku.product.weight_g or 0) * quantity for sku, quantity in items)
    pieces = sum(quantity for _sku, quantity in items)
    shipping_fee = freight_quote(province=address["province"], weight_g=weight, pieces=pieces,
                                 goods_total=quote.total)
    settings = store_settings()
    minutes = settings.flash_sale_unpaid_minutes if flash_sale_id else settings.unpaid_order_minutes
    cod = payment_method == Order.PaymentMethod.COD
    order = Order(
        number=_new_number(now), customer=buyer, channel=channel, external_id=external_id,
        subtotal=quote.subtotal, discount=quote.discount, shipping_fee=shipping_fee,
        total=quote.total + shipping_fee, payment_method=payment_method, coupon_code=(coupon_code or "")[:40],
        points_used=points, flash_sale_id=flash_sale_id, group_buy_id=group_buy_id, weight_g=weight,
        placed_at=now, pay_by=None if cod else now + timedelta(minutes=minutes), note=str(note or "")[:500],
        client_ip=client_ip,
        **{f"ship_{k}": v for k, v in address.items()})
    if len(address["detail"]) < 4:
        order.is_abnormal, order.abnormal_reason = True, Order.Abnormal.ADDRESS
    order.save()
    OrderLine.objects.bulk_create([
        OrderLine(order=order, sku=line.sku, sku_code=line.sku.code, name=line.sku.product.name[:200],
                  options=line.sku.options, quantity=line.quantity, unit_price=line.unit_price,
                  discount=line.discount, line_total=line.line_total,
                  weight_g=(line.sku.weight_g or line.sku.product.weight_g or 0) * line.quantity)
        for line in quote.lines])
    # A later module (payments) may refuse the order here; the error rolls the whole intake back.
    signals.order_placing.send(sender=Order, order=order, quote=quote)
    stock_reserve(items=items, reference=order.number, reference_type="order", province=address["province"],
                  actor=actor)
    if not order.is_abnormal and _looks_duplicate(order):
        order.is_abnormal, order.abnormal_reason = True, Order.Abnormal.DUPLICATE
        order.save(update_fields=["is_abnormal", "abnormal_reason"])
    _event(order, "placed", actor=actor, to_status=order.status,
           message=_("Order placed: %(total)s") % {"total": order.total})
    if order.is_abnormal:
        _event(order, "flagged", actor=actor, message=order.get_abnormal_reason_display())
    _audit(actor, "orders.place", order, after={"number": order.number, "total": order.total})
    if order.total == 0:  # nothing to pay (or to collect): paid at once
        order = order_mark_paid(order=order, amount=order.total, paid_at=now, actor=actor)
    elif cod:  # no payment comes first: straight to the shipping queues
        _dispatch(order)
    if idempotency_key:
        IntakeKey.objects.create(scope=idempotency_scope, key=idempotency_key[:100],
                                 request_hash=request_hash(payload or {}), order=order)
    return order, True


def _default_payment_method() -> str:
    """The store's default payment method, as payments answers it (orders never imports payments)."""
    for _receiver, code in signals.payment_method_default.send(sender=Order):
        if code:
            return code
    message = _("No payment method is available.")
    raise RuleRefused(message, code="payment_method_unavailable", fields={"payment_method": message})


def _looks_duplicate(order) -> bool:
    """Another open order by the same customer, to the same address, for the same total, just now."""
    return Order.objects.filter(
        customer_id=order.customer_id, total=order.total, ship_detail=order.ship_detail,
        placed_at__gte=order.placed_at - DUPLICATE_WINDOW, status__in=UNSHIPPED,
    ).exclude(pk=order.pk).exists()


# -- the state machine -------------------------------------------------------------------------------
@transaction.atomic
def order_mark_paid(*, order, amount, paid_at, actor=None) -> Order:
    """Mark an order awaiting payment as paid; its stock stays reserved until it ships."""
    order = _locked(order)
    amount = parse_money(amount, field="amount")
    collect = order_cod_collectable(order)
    if (order.status == S.PENDING_PAYMENT or collect) and amount != order.total:
        raise Conflict(_("Order %(n)s costs %(total)s, not %(amount)s.") % {
            "n": order.number, "total": order.total, "amount": amount}, code="amount_mismatch")
    if collect:
        return _cod_collected(order, amount=amount, paid_at=paid_at or timezone.now(), actor=actor)
    _move(order, "pay", actor=actor, now=paid_at or timezone.now(), data={"amount": str(amount)},
          message=_("Paid %(amount)s") % {"amount": amount})
    _dispatch(order)
    transaction.on_commit(partial(signals.order_paid.send, sender=Order, order=order))
    return order


def _cod_collected(order, *, amount, paid_at, actor) -> Order:
    """The carrier collected a cash-on-delivery order's money: stamp paid_at (the status stays)."""
    order.paid_at = paid_at
    order.save(update_fields=["paid_at"])
    _event(order, "collected", actor=actor, data={"amount": str(amount)},
           message=_("Cash on delivery collected: %(amount)s") % {"amount": amount})
    _audit(actor, "orders.cod_collected", order, before={"paid_at": None},
           after={"paid_at": paid_at, "amount": amount})
    transaction.on_commit(partial(signals.order_paid.send, sender=Order, order=order))
    return order


def _dispatch(order):
    """Apply the first matching dispatch rule and set the order's place in the work queues."""
    boost, notes = 0, []
    rule = next((r for r in DispatchRule.objects.filter(is_active=True).select_related("carrier")
                 if _rule_matches(r, order)), None)
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
    order.save(update_fields=["preferred_carrier", "priority_boost", "priority_at", "dispatch_note",
                              "is_abnormal", "abnormal_reason", "abnormal_note"])
    if rule is not None:
        _event(order, "dispatch", actor=None, message=order.dispatch_note,
               data={"rule": rule.pk, "boost": boost, "carrier": rule.carrier.code if rule.carrier_id else ""})


def _rule_matches(rule, order) -> bool:
    if rule.provinces and province_key(order.ship_province) not in province_list(rule.provinces):
        return False
    if rule.channel and rule.channel != order.channel:
        return False
    if rule.payment_method and rule.payment_method != order.payment_method:
        return False
    return rule.min_total is None or order.total >= rule.min_total


def _refuse_abnormal(order):
    if order.is_abnormal:
        raise Conflict(_("Order %(n)s is on hold (%(why)s); resolve it first.") % {
            "n": order.number, "why": order.get_abnormal_reason_display()}, code="on_hold")


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
        raise DomainError(_("Enter the tracking number."), code="tracking_required",
                          fields={"tracking_number": _("This field is required.")})
    if not carrier.is_active:
        raise DomainError(_("Carrier %(c)s is not active.") % {"c": carrier.name}, code="carrier_inactive")
    if len(number) > 40 or not carrier.tracking_number_valid(number):
        raise DomainError(_("%(number)s is not a valid %(carrier)s tracking number.") % {
            "number": number[:40], "carrier": carrier.name}, code="invalid_tracking_number",
            fields={"tracking_number": _("Does not match the carrier's format.")})
    return number


@transaction.atomic(durable=True)
def order_ship(*, order, carrier, tracking_number, actor) -> Shipment:
    """Ship the order (and the orders merged into it) with one tracking number; stock leaves the shelf."""
    number = clean_tracking(carrier, tracking_number)
    order = _locked(order)
    if order.merged_into_id:
        raise Conflict(_("Order %(n)s ships with %(m)s.") % {"n": order.number, "m": order.merged_into.number},
                       code="merged")
    if Shipment.objects.filter(carrier=carrier, tracking_number=number).exists():
        raise Conflict(_("Tracking number %(t)s is already used.") % {"t": number}, code="duplicate_tracking",
                       fields={"tracking_number": _("Already used.")})
    group = [order] + list(Order.objects.select_for_update().filter(merged_into=order).order_by("pk"))
    for each in group:
        _refuse_abnormal(each)
        _move(each, "ship", actor=actor, data={"carrier": carrier.code, "tracking_number": number},
              message=f"{carrier.name} {number}")
        stock_commit(reference=each.number, reference_type="order", actor=actor)
    try:
        with transaction.atomic():  # a savepoint: another clerk may have used the number a moment ago
            shipment = Shipment.objects.create(order=order, carrier=carrier, tracking_number=number,
                                               created_by=Actor.of(actor).user)
    except IntegrityError:
        raise Conflict(_("Tracking number %(t)s is already used.") % {"t": number}, code="duplicate_tracking",
                       fields={"tracking_number": _("Already used.")}) from None
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


def _cancel(order, *, actor, reason, action="cancel", now=None) -> Order:
    was_paid = order.status in PAID_STATES and order.paid_at is not None  # not an uncollected COD order
    _move(order, action, actor=actor, message=reason, data={"reason": reason}, now=now)
    order.cancel_reason = reason[:200]
    order.save(update_fields=["cancel_reason"])
    stock_release(reference=order.number, reference_type="order", actor=actor, reason=reason[:200])
    Order.objects.filter(merged_into=order).update(merged_into=None)
    if order.merged_into_id:
        order.merged_into = None
        order.save(update_fields=["merged_into"])
    if was_paid:
        transaction.on_commit(partial(signals.refund_requested.send, sender=Order, order=order,
                                      amount=order.total, reason=reason))
    return order


@transaction.atomic(durable=True)
def order_cancel(*, order, actor, reason, by_customer=False) -> Order:
    """Cancel an unshipped order and release its stock; a paid one gets its refund requested."""
    reason = str(reason or "").strip()
    if not reason:
        raise DomainError(_("Give a reason for cancelling."), code="reason_required",
                          fields={"reason": _("This field is required.")})
    order = _locked(order)
    if by_customer and order.status != S.PENDING_PAYMENT:
        raise IllegalTransition(_("Order %(n)s is %(status)s; only unpaid orders can be cancelled here.") % {
            "n": order.number, "status": order.get_status_display()})
    return _cancel(order, actor=actor, reason=reason)


# -- jobs --------------------------------------------------------------------------------------------
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


# -- staff edits -------------------------------------------------------------------------------------
@transaction.atomic(durable=True)
def order_address_change(*, order, actor, **address) -> Order:
    """Change the shipping address of an order that has not shipped."""
    order = _locked(order)
    if order.status not in UNSHIPPED:
        raise IllegalTransition(_("Order %(n)s has shipped; its address can no longer change.") % {
            "n": order.number})
    clean = {f"ship_{k}": v for k, v in _clean_address(address).items()}
    before = {k: getattr(order, k) for k in clean}
    for key, value in clean.items():
        setattr(order, key, value)
    order.save(update_fields=list(clean))
    _event(order, "address", actor=actor, message=order.address_text, data={"before": before})
    _audit(actor, "orders.address_change", order, before=before, after=clean)
    return order


@transaction.atomic(durable=True)
def order_adjust_price(*, order, actor, adjustment, reason) -> Order:
    """Set a manual price adjustment on an unpaid order (negative lowers it; a total of 0 is paid at once)."""
    reason = str(reason or "").strip()
    if not reason:
        raise DomainError(_("Give a reason for the adjustment."), code="reason_required",
                          fields={"reason": _("This field is required.")})
    adjustment = parse_money(adjustment, field="adjustment")
    order = _locked(order)
    if order.status != S.PENDING_PAYMENT:
        raise IllegalTransition(_("Only orders awaiting payment can change price."), code="illegal_transition")
    total = order.subtotal - order.discount + order.shipping_fee + adjustment
    if total < 0:
        raise DomainError(_("The total cannot fall below zero."), code="negative_total",
                          fields={"adjustment": _("Too low.")})
    before = {"adjustment": order.adjustment, "total": order.total}
    order.adjustment, order.total = adjustment, total
    order.save(update_fields=["adjustment", "total"])
    _event(order, "price", actor=actor, message=reason[:500],
           data={"before": str(before["total"]), "after": str(total)})
    _audit(actor, "orders.adjust_price", order, before=before,
           after={"adjustment": adjustment, "total": total, "reason": reason})
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
    covered = ({"reason": order.abnormal_reason, "note": order.abnormal_note}
               if order.is_abnormal and order.abnormal_reason != code else None)
    order.is_abnormal, order.abnormal_reason, order.abnormal_note = True, code, note
    order.save(update_fields=["is_abnormal", "abnormal_reason", "abnormal_note"])
    _event(order, "flagged", actor=actor, message=f"{order.get_abnormal_reason_display()} {note}".strip(),
           data={"covers": covered} if covered else None)
    _audit(actor, "orders.flag_abnormal", order, before=before, after={"abnormal_reason": code, "note": note})
    if code == Order.Abnormal.RISK:  # the risk review queue is the one record of risk holds
        signals.order_risk_held.send(sender=Order, order=order, actor=actor, note=note)
    return order


@transaction.atomic
def order_clear_abnormal(*, order, actor, note="", risk_review=False) -> Order:
    """Resolve an abnormal order so that it continues through the queues.

    A risk hold is released only by its risk review (approve or reject), which passes `risk_review`;
    when the risk hold was put over another hold (a dispatch rule's, say), that hold comes back.
    """
    order = _locked(order)
    if not order.is_abnormal:
        raise Conflict(_("Order %(n)s is not on hold.") % {"n": order.number}, code="not_abnormal")
    if order.abnormal_reason == Order.Abnormal.RISK and not risk_review:
        raise Conflict(
            _("Order %(n)s is held for risk review; approve or reject it in the risk review queue.")
            % {"n": order.number}, code="risk_review_required")
    before = {"abnormal_reason": order.abnormal_reason, "note": order.abnormal_note}
    covered = None
    if order.abnormal_reason == Order.Abnormal.RISK:  # a risk hold put over another hold gives it back
        flagged = order.events.filter(kind="flagged").order_by("-created_at", "-id").first()
        covered = (flagged.data or {}).get("covers") if flagged else None
    if covered:
        order.abnormal_reason, order.abnormal_note = covered["reason"], covered["note"]
    else:
        order.is_abnormal, order.abnormal_reason, order.abnormal_note = False, "", ""
    order.save(update_fields=["is_abnormal", "abnormal_reason", "abnormal_note"])
    _event(order, "resolved", actor=actor, message=str(note or "")[:500])
    if covered:
        _event(order, "flagged", actor=actor,
               message=f"{order.get_abnormal_reason_display()} {order.abnormal_note}".strip())
    _audit(actor, "orders.clear_abnormal", order, before=before, after={"note": note})
    return order


# -- merging -----------------------------------------------------------------------------------------
def merge_problems(orders) -> list[str]:
    """Why these orders cannot ship together (empty when they can)."""
    problems = []
    if len(orders) < 2:
        problems.append(_("Choose at least two orders."))
        return problems
    first = orders[0]
    address = lambda o: (o.ship_name, o.ship_phone, o.ship_province, o.ship_city, o.ship_district,  # noqa: E731
                         o.ship_detail)
    for o in orders:
        if o.customer_id != first.customer_id:
            problems.append(_("%(n)s belongs to another customer.") % {"n": o.number})
        elif address(o) != address(first):
            problems.append(_("%(n)s goes to another address.") % {"n": o.number})
        if o.status not in PAID_STATES:
            problems.append(_("%(n)s is %(s)s; only paid, unshipped orders merge.") % {
                "n": o.number, "s": o.get_status_display()})
        if o.merged_into_id:
            problems.append(_("%(n)s is already merged.") % {"n": o.number})
    return problems


@transaction.atomic(durable=True)
def orders_merge(*, orders, actor) -> Order:
    """Ship these orders of one customer to one address together; the oldest leads. Money stays per order."""
    ids = sorted(o.pk for o in orders)
    locked = list(Order.objects.select_for_update().filter(pk__in=ids).order_by("placed_at", "pk"))
    problems = merge_problems(locked)
    if problems:
        raise Conflict(" ".join(problems), code="cannot_merge")
    lead, others = locked[0], locked[1:]
    Order.objects.filter(merged_into__in=[o.pk for o in others]).update(merged_into=lead)
    for o in others:
        o.merged_into = lead
        o.save(update_fields=["merged_into"])
        _event(o, "merged", actor=actor, message=_("Ships with %(n)s") % {"n": lead.number})
    _event(lead, "merged", actor=actor, message=_("Ships together with %(list)s") % {
        "list": ", ".join(o.number for o in others)})
    _audit(actor, "orders.merge", lead, after={"orders": [o.number for o in others]})
    return lead


@transaction.atomic(durable=True)
def order_unmerge(*, order, actor) -> Order:
    """Let a merged order ship on its own again."""
    order = _locked(order)
    if not order.merged_into_id:
        raise Conflict(_("Order %(n)s is not merged.") % {"n": order.number}, code="not_merged")
    lead = order.merged_into
    order.merged_into = None
    order.save(update_fields=["merged_into"])
    _event(order, "unmerged", actor=actor, message=lead.number)
    _audit(actor, "orders.unmerge", order, before={"merged_into": lead.number})
    return order


# -- bulk shipping from a CSV ------------------------------------------------------------------------
def orders_ship_csv(*, rows, actor, run_id=None) -> list[dict]:
    """Ship each row (order number, carrier code, tracking number) on its own; report every row.

    With `run_id` (a background run) it reports progress and leaves the report as the run's CSV output.
    Safe to run twice: a row already shipped is reported as such.
    """
    carriers = {c.code: c for c in Carrier.objects.all()}
    report = []
    if run_id:
        progress.step(run_id, done=0, total=len(rows))
    for i, row in enumerate(rows, start=1):
        if run_id and i % 20 == 0:
            progress.step(run_id, done=i)
        cells = [str(c).strip() for c in row] + ["", "", ""]
        number, code, tracking = cells[:3]
        if i == 1 and not number.isdigit() and not Order.objects.filter(number=number).exists():
            continue  # a header row
        result = {"row": i, "order": number, "carrier": code, "tracking_number": tracking}
        order = Order.objects.filter(number=number).first()
        carrier = carriers.get(code)
        if order is None:
            result.update(ok=False, message=_("Unknown order."))
        elif carrier is None:
            result.update(ok=False, message=_("Unknown carrier code."))
        else:
            try:
                order_ship(order=order, carrier=carrier, tracking_number=tracking, actor=actor)
                result.update(ok=True, message=_("Shipped"))
            except DomainError as e:
                result.update(ok=False, message=e.message)
        report.append(result)
    if run_id:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([_("Row"), _("Order number"), _("Carrier"), _("Tracking number"), _("Result")])
        writer.writerows([r["row"], r["order"], r["carrier"], r["tracking_number"], r["message"]] for r in report)
        shipped = sum(1 for r in report if r["ok"])
        progress.finish(run_id, result={_("Shipped"): shipped, _("Not shipped"): len(report) - shipped},
                        output=ContentFile(("\ufeff" + out.getvalue()).encode("utf-8"), name="ship-report.csv"))
    return report


# -- logistics set-up --------------------------------------------------------------------------------
@transaction.atomic(durable=True)
def carrier_save(*, actor, carrier=None, **fields) -> Carrier:
    """Create or change a carrier; its tracking pattern must be a valid regular expression."""
    try:
        re.compile(fields.get("tracking_pattern") or "")
    except re.error as e:
        raise DomainError(_("The pattern is not a valid regular expression: %(e)s") % {"e": e},
                          code="invalid_pattern", fields={"tracking_pattern": _("Invalid pattern.")}) from None
    return audited_save(carrier or Carrier(), actor=actor, action="orders.carrier_save", fields=fields)


@transaction.atomic(durable=True)
def freight_template_save(*, actor, template=None, regions=None, **fields) -> FreightTemplate:
    """Create or change a freight template; the default one prices every order."""
    template = audited_save(template or FreightTemplate(), actor=actor, action="orders.freight_template_save",
                     fields=fields)
    if template.is_default:
        FreightTemplate.objects.exclude(pk=template.pk).filter(is_default=True).update(is_default=False)
    if regions is not None:
        template.regions.all().delete()
        FreightRegion.objects.bulk_create([FreightRegion(template=template, **r) for r in regions])
    return template


@transaction.atomic(durable=True)
def dispatch_rule_save(*, actor, rule=None, **fields) -> DispatchRule:
    """Create or change a dispatch rule."""
    return audited_save(rule or DispatchRule(), actor=actor, action="orders.dispatch_rule_save", fields=fields)


@transaction.atomic(durable=True)
def dispatch_rule_delete(*, actor, rule) -> None:
    """Delete a dispatch rule."""
    record(actor, "orders.dispatch_rule_delete", rule, before=snapshot(rule))
    rule.delete()


@transaction.atomic(durable=True)
def tracking_event_add(*, shipment, actor, description, location="", occurred_at=None) -> TrackingEvent:
    """Add a carrier's tracking update to a shipment."""
    description = str(description or "").strip()
    if not description:
        raise DomainError(_("Describe the update."), code="empty", fields={"description": _("This field is required.")})
    event = TrackingEvent.objects.create(shipment=shipment, description=description[:300], location=location[:100],
                                         occurred_at=occurred_at or timezone.now())
    _audit(actor, "orders.tracking_event", shipment.order, after={"description": description[:300]})
    return event


# -- housekeeping --------------------------------------------------------------------------------------
def intake_keys_purge(*, now=None, batch=1000) -> dict:
    """Delete the Idempotency-Keys older than the store's retention (in short transactions)."""
    cutoff = (now or timezone.now()) - timedelta(days=store_settings().intake_key_retention_days)
    deleted = 0
    while True:
        with transaction.atomic(durable=True):
            pks = list(IntakeKey.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True)[:batch])
            if not pks:
                return {"deleted": deleted}
            deleted += IntakeKey.objects.filter(pk__in=pks).delete()[0]
