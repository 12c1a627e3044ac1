"""Order intake: clean the address and lines, price the cart, reserve stock, create the order; the
Idempotency-Keys that make a retried intake answer like the first one, and their purge."""

import hashlib
import json
import secrets
from datetime import timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Product, Sku
from customers.services import customer_upsert, points_redeem
from inventory.services import stock_reservation_move, stock_reserve
from marketing import flash, gate, groupbuy
from marketing.pricing import price_cart
from marketing.services import quote_commit
from orders import signals
from orders.freight import freight_quote
from orders.models import IntakeKey, Order, OrderLine
from orders.services.common import _audit, _event
from orders.services.payment import _dispatch, order_mark_paid
from orders.state import UNSHIPPED
from shop.china import address_contact_check
from shop.errors import Conflict, DomainError, RuleRefused
from shop.selectors import store_settings

MAX_LINES = 100
MAX_QUANTITY = 9999
ADDRESS_FIELDS = ("name", "phone", "province", "city", "district", "detail")
ADDRESS_LIMITS = {"name": 50, "phone": 20, "province": 30, "city": 30, "district": 30, "detail": 200, "postcode": 10}
DUPLICATE_WINDOW = timedelta(minutes=10)


def _new_number(now) -> str:
    """Date + 10 random digits: readable, sortable by day, not guessable from the previous one."""
    day = timezone.localtime(now).strftime("%Y%m%d")
    while True:
        number = f"{day}{secrets.randbelow(10**10):010d}"
        if not Order.objects.filter(number=number).exists():
            return number


def request_hash(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False).encode()).hexdigest()


def _clean_address(address) -> dict:
    address = {k: str(address.get(k) or "").strip() for k in (*ADDRESS_FIELDS, "postcode")}
    errors = {}
    for key in ADDRESS_FIELDS:
        if not address[key]:
            errors[f"shipping_address.{key}"] = _("This field is required.")
    for key, limit in ADDRESS_LIMITS.items():
        if len(address[key]) > limit:
            errors[f"shipping_address.{key}"] = _("At most %(n)s characters.") % {"n": limit}
    address["phone"], problems = address_contact_check(address["phone"], address["postcode"])
    errors.update({f"shipping_address.{key}": message for key, message in problems.items()})
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
        raise RuleRefused(
            _("Some products cannot be ordered: %(why)s") % {"why": " ".join(errors.values())},
            code="sku_unavailable",
            fields=errors,
        )
    return [(skus[code], quantity) for code, quantity in wanted.items()]


def order_place(**kwargs) -> tuple[Order, bool]:
    """Place an order from the storefront; return (order, created). See `_order_place` for the arguments.

    A flash-sale order first passes marketing's gate (`flash_gate_enter`, outside the transaction: sold-out and
    over-limit buyers are turned away before the database); what the gate took is given back when the intake
    fails or answers with an earlier order.

    Two requests racing with the same Idempotency-Key or external id: the loser's insert fails on the
    unique constraint, its transaction rolls back, and it answers like a replay.
    """
    flash_sale_id = kwargs.get("flash_sale_id")
    if not flash_sale_id:
        return _place_retrying(kwargs)
    replay = _replay(kwargs)
    if replay is not None:
        return replay, False
    with gate.scope() as taken:
        flash.flash_gate_enter(
            flash_sale_id=flash_sale_id,
            lines=kwargs.get("lines") or [],
            phone=(kwargs.get("customer") or {}).get("phone"),
        )
        order, created = _place_retrying(kwargs)
        if not created:
            gate.undo(taken)
        return order, created


def _place_retrying(kwargs) -> tuple[Order, bool]:
    for attempt in range(2):
        try:
            return _order_place(**kwargs)
        except IntegrityError:
            replay = _replay(kwargs)
            if replay is not None:
                return replay, False
            external_id = str(kwargs.get("external_id") or "").strip()
            if (
                external_id
                and Order.objects.filter(
                    channel=kwargs.get("channel", Order.Channel.WEB), external_id=external_id
                ).exists()
            ):
                replay = _replay(kwargs)  # the racing retry committed between our two reads
                if replay is not None:
                    return replay, False
                raise Conflict(
                    _("An order with external id %(id)s already exists.") % {"id": external_id[:64]},
                    code="duplicate_order",
                    fields={"external_id": _("Already used.")},
                ) from None
            if attempt:  # e.g. two first orders of one new customer at once: the retry finds the customer
                raise
    raise AssertionError("unreachable")


def _replay(kwargs):
    key = kwargs.get("idempotency_key")
    if not key:
        return None
    found = IntakeKey.objects.select_related("order").filter(scope=kwargs.get("idempotency_scope", ""), key=key).first()
    if found is None:
        return None
    if found.request_hash != request_hash(kwargs.get("payload") or {}):
        raise RuleRefused(_("This Idempotency-Key was used with a different request."), code="idempotency_mismatch")
    return found.order


@transaction.atomic(durable=True)
def _order_place(
    *,
    customer,
    shipping_address,
    lines,
    payment_method="",
    external_id="",
    channel=Order.Channel.WEB,
    coupon_code="",
    points=0,
    note="",
    flash_sale_id=None,
    group_buy_id=None,
    idempotency_key="",
    idempotency_scope="",
    payload=None,
    actor=None,
    now=None,
    client_ip=None,
) -> tuple[Order, bool]:
    """Price the cart, add freight, reserve the stock and create the order awaiting payment."""
    now = now or timezone.now()
    replay = _replay({"idempotency_key": idempotency_key, "idempotency_scope": idempotency_scope, "payload": payload})
    if replay is not None:
        return replay, False
    external_id = str(external_id or "").strip()[:64]
    if channel not in Order.Channel.values:
        raise DomainError(_("Unknown channel."), code="invalid_channel", fields={"channel": _("Unknown channel.")})
    if external_id and Order.objects.filter(channel=channel, external_id=external_id).exists():
        # A retry with the same key may have committed (its key with its order) since the check above.
        replay = _replay(
            {"idempotency_key": idempotency_key, "idempotency_scope": idempotency_scope, "payload": payload}
        )
        if replay is not None:
            return replay, False
        raise Conflict(
            _("An order with external id %(id)s already exists.") % {"id": external_id},
            code="duplicate_order",
            fields={"external_id": _("Already used.")},
        )
    payment_method = payment_method or _default_payment_method()
    if payment_method not in Order.PaymentMethod.values:
        raise DomainError(
            _("Unknown payment method %(m)s.") % {"m": str(payment_method)[:20]},
            code="invalid_payment_method",
            fields={"payment_method": _("Unknown payment method.")},
        )
    if isinstance(points, bool) or not isinstance(points, int) or points < 0:
        raise DomainError(_("Points must be zero or more."), code="invalid_points", fields={"points": _("Invalid.")})
    if group_buy_id and payment_method == Order.PaymentMethod.COD:
        message = _("A group-buy order is paid online, not on delivery.")
        raise RuleRefused(message, code="group_buy_cod", fields={"payment_method": message})
    address = _clean_address(shipping_address or {})
    items = _resolve_lines(lines)
    buyer = customer_upsert(
        phone=customer.get("phone", ""), name=customer.get("name", ""), email=customer.get("email") or ""
    )
    quote = price_cart(
        lines=items,
        customer=buyer,
        coupon_code=coupon_code or "",
        points=points,
        flash_sale_id=flash_sale_id,
        group_buy_id=group_buy_id,
    )
    weight = sum((sku.weight_g or sku.product.weight_g or 0) * quantity for sku, quantity in items)
    pieces = sum(quantity for _sku, quantity in items)
    shipping_fee = freight_quote(province=address["province"], weight_g=weight, pieces=pieces, goods_total=quote.total)
    if quote.free_shipping:  # a free-shipping coupon, or the customer's member tier
        shipping_fee = Decimal("0.00")
    settings = store_settings()
    minutes = settings.flash_sale_unpaid_minutes if flash_sale_id else settings.unpaid_order_minutes
    cod = payment_method == Order.PaymentMethod.COD
    order = Order(
        number=_new_number(now),
        customer=buyer,
        channel=channel,
        external_id=external_id,
        subtotal=quote.subtotal,
        discount=quote.discount,
        shipping_fee=shipping_fee,
        total=quote.total + shipping_fee,
        payment_method=payment_method,
        coupon_code=quote.coupon_code,
        points_used=points,
        flash_sale_id=flash_sale_id,
        group_buy_id=group_buy_id,
        weight_g=weight,
        placed_at=now,
        pay_by=None if cod else now + timedelta(minutes=minutes),
        note=str(note or "")[:500],
        client_ip=client_ip,
        **{f"ship_{k}": v for k, v in address.items()},
    )
    if len(address["detail"]) < 4:
        order.is_abnormal, order.abnormal_reason = True, Order.Abnormal.ADDRESS
    order.save()
    OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=order,
                sku=line.sku,
                sku_code=line.sku.code,
                name=line.sku.product.name[:200],
                options=line.sku.options,
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount=line.discount,
                line_total=line.line_total,
                weight_g=(line.sku.weight_g or line.sku.product.weight_g or 0) * line.quantity,
            )
            for line in quote.lines
        ]
    )
    if quote.points:  # under the customer's row lock: two orders racing for one balance never overdraw it
        points_redeem(
            customer=buyer,
            order_number=order.number,
            points=quote.points,
            value=quote.points_value,
            actor=actor,
            now=now,
        )
    # The coupon is redeemed (422 when another order took it meanwhile) and the promotions recorded.
    quote_commit(quote=quote, order_id=order.pk, order_number=order.number, customer=buyer, now=now)
    # A later module (payments) may refuse the order here; the error rolls the whole intake back.
    signals.order_placing.send(sender=Order, order=order, quote=quote)
    if not flash_sale_id:  # a flash-sale order's units come from its session, below
        stock_reserve(
            items=items, reference=order.number, reference_type="order", province=address["province"], actor=actor
        )
    if group_buy_id:  # open a group of the activity or take a seat in the group; the order names its group
        order.group_buy_id = groupbuy.group_buy_join(
            group_buy_id=group_buy_id, customer=buyer, order_number=order.number, now=now
        ).pk
        order.save(update_fields=["group_buy_id"])
    if not order.is_abnormal and _looks_duplicate(order):
        order.is_abnormal, order.abnormal_reason = True, Order.Abnormal.DUPLICATE
        order.save(update_fields=["is_abnormal", "abnormal_reason"])
    _event(
        order,
        "placed",
        actor=actor,
        to_status=order.status,
        message=_("Order placed: %(total)s") % {"total": order.total},
    )
    signals.order_recorded.send(sender=Order, order=order, kind="placed")
    if order.is_abnormal:
        _event(order, "flagged", actor=actor, message=order.get_abnormal_reason_display())
    _audit(actor, "orders.place", order, after={"number": order.number, "total": order.total})
    if flash_sale_id:  # last, so that the session's hot rows stay locked for the shortest time
        _flash_take(order, buyer, items, flash_sale_id, actor=actor, now=now)
    if order.total == 0:  # nothing to pay (or to collect): paid at once
        order = order_mark_paid(order=order, amount=order.total, paid_at=now, actor=actor)
    elif cod:  # no payment comes first: straight to the shipping queues
        _dispatch(order)
    if idempotency_key:
        IntakeKey.objects.create(
            scope=idempotency_scope, key=idempotency_key[:100], request_hash=request_hash(payload or {}), order=order
        )
    return order, True


def _flash_take(order, buyer, items, flash_sale_id, *, actor, now):
    """Take the order's units from the flash-sale session (the guarded UPDATEs decide) and move their
    reservation from the session to the order."""
    moves = flash.flash_claim(
        flash_sale_id=flash_sale_id, customer=buyer, lines=items, order_number=order.number, now=now
    )
    for sku_id, quantity, reference in moves:
        stock_reservation_move(
            sku_quantities=[(sku_id, quantity)],
            from_reference=reference,
            from_type=flash.REFERENCE_TYPE,
            to_reference=order.number,
            to_type="order",
            actor=actor,
        )


def _default_payment_method() -> str:
    """The store's default payment method, as payments answers it (orders never imports payments)."""
    for _receiver, code in signals.payment_method_default.send(sender=Order):
        if code:
            return code
    message = _("No payment method is available.")
    raise RuleRefused(message, code="payment_method_unavailable", fields={"payment_method": message})


def _looks_duplicate(order) -> bool:
    """Another open order by the same customer, to the same address, for the same total, just now."""
    return (
        Order.objects.filter(
            customer_id=order.customer_id,
            total=order.total,
            ship_detail=order.ship_detail,
            placed_at__gte=order.placed_at - DUPLICATE_WINDOW,
            status__in=UNSHIPPED,
        )
        .exclude(pk=order.pk)
        .exists()
    )


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
