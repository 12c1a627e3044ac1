"""The storefront's order API (DESIGN §4): place an order (idempotent), read it, cancel it unpaid."""

import json
from datetime import datetime
from decimal import Decimal

import ninja
from django.utils.translation import gettext as _
from ninja import Status
from pydantic import Field, IPvAnyAddress

from orders import selectors, services
from orders.models import Order
from shop.apiauth import api_actor, require_scope

router = ninja.Router(tags=["orders"])


class CustomerIn(ninja.Schema):
    phone: str = Field(max_length=30)
    name: str = Field(min_length=1, max_length=100)
    email: str = Field("", max_length=254)


class AddressIn(ninja.Schema):
    name: str = Field(max_length=50)
    phone: str = Field(max_length=30)
    province: str = Field(max_length=30)
    city: str = Field(max_length=30)
    district: str = Field(max_length=30)
    detail: str = Field(max_length=200)
    postcode: str = Field("", max_length=10)


class LineIn(ninja.Schema):
    sku: str = Field(min_length=1, max_length=64)
    quantity: int = Field(ge=1, le=services.MAX_QUANTITY)


class OrderIn(ninja.Schema):
    external_id: str = Field(min_length=1, max_length=64)
    customer: CustomerIn
    shipping_address: AddressIn
    lines: list[LineIn] = Field(min_length=1, max_length=services.MAX_LINES)
    payment_method: str | None = Field(None, max_length=20)  # absent, null or "": the store's default
    channel: str = Field(Order.Channel.WEB, max_length=20)
    coupon_code: str = Field("", max_length=40)
    points: int = Field(0, ge=0, le=100_000_000)
    note: str = Field("", max_length=500)
    flash_sale_id: int | None = Field(
        None,
        ge=1,
        le=2**62,
        description=(
            "A running flash-sale session (秒杀): every line must be one of its SKUs, priced at its sale price, within"
            " its per-customer limit; the order must be paid within the store's flash-sale minutes. Refusals: 409"
            " `flash_sale_sold_out`; 422 `flash_sale_unknown`, `flash_sale_not_running`, `flash_sale_limit`,"
            " `flash_sale_sku`."
        ),
    )
    group_buy_id: int | None = Field(
        None,
        ge=1,
        le=2**62,
        description=(
            "A group buy (拼团): the id of a group-buy activity opens a new group of it; the id of an open group"
            " (the `group_buy_id` of an earlier order of that group) joins it. Activity and group ids never"
            " collide. The order holds only the activity's SKU at the group price and is paid online; once paid"
            " it waits until every seat of the group is paid, then ships; an unfilled group fails at its deadline"
            " and its paid orders are refunded. The response's order carries the group's id to share. Refusals:"
            " 409 `group_full`; 422 `group_buy_unknown`, `group_buy_not_running`, `group_closed`, `group_buy_sku`,"
            " `group_buy_cod`, `group_member_already`."
        ),
    )
    client_ip: IPvAnyAddress | None = None  # the buyer's address, as the storefront saw it (risk rules)


def _reason(raw) -> str:
    try:
        data = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError):
        return ""
    reason = data.get("reason") if isinstance(data, dict) else None
    return reason.strip()[:200] if isinstance(reason, str) else ""


class LineOut(ninja.Schema):
    sku: str
    name: str
    quantity: int
    unit_price: Decimal
    discount: Decimal
    line_total: Decimal


class ShipmentOut(ninja.Schema):
    carrier: str
    tracking_number: str
    tracking_url: str
    shipped_at: datetime


class PaymentOut(ninja.Schema):
    method: str
    transaction_id: str
    amount: Decimal
    refunded: Decimal
    status: str
    flagged: bool
    flag: str
    paid_at: datetime


class OrderOut(ninja.Schema):
    number: str
    external_id: str
    status: str
    payment_method: str
    subtotal: Decimal
    discount: Decimal
    shipping_fee: Decimal
    adjustment: Decimal
    total: Decimal
    placed_at: datetime
    pay_by: datetime | None
    paid_at: datetime | None
    shipped_at: datetime | None
    paid_amount: Decimal
    refunded_amount: Decimal
    flash_sale_id: int | None = None
    group_buy_id: int | None = Field(None, description="The group this order is in (share it: others join with it).")
    lines: list[LineOut]
    shipments: list[ShipmentOut]
    payments: list[PaymentOut]


def _out(order):
    return {
        "number": order.number,
        "external_id": order.external_id,
        "status": order.status,
        "payment_method": order.payment_method,
        "subtotal": order.subtotal,
        "discount": order.discount,
        "shipping_fee": order.shipping_fee,
        "adjustment": order.adjustment,
        "total": order.total,
        "placed_at": order.placed_at,
        "pay_by": order.pay_by,
        "flash_sale_id": order.flash_sale_id,
        "group_buy_id": order.group_buy_id,
        "paid_at": order.paid_at,
        "shipped_at": order.shipped_at,
        "lines": [
            {
                "sku": ln.sku_code,
                "name": ln.name,
                "quantity": ln.quantity,
                "unit_price": ln.unit_price,
                "discount": ln.discount,
                "line_total": ln.line_total,
            }
            for ln in order.lines.all()
        ],
        "shipments": [
            {
                "carrier": s.carrier.code,
                "tracking_number": s.tracking_number,
                "tracking_url": s.tracking_link,
                "shipped_at": s.shipped_at,
            }
            for s in order.shipments.all()
        ],
        **selectors.order_payments(order),
    }


@router.post("/orders", response={200: OrderOut, 201: OrderOut})
def place_order(request, payload: OrderIn):
    """Place an order. Prices come from the pricing engine and freight from the templates, never from the
    caller. Send `Idempotency-Key` to make retries safe: the same key and body return the same order."""
    require_scope(request, "orders:write")
    body = payload.model_dump(mode="json")
    key = (request.headers.get("Idempotency-Key") or "").strip()[:100]
    order, created = services.order_place(
        external_id=payload.external_id,
        customer=payload.customer.model_dump(),
        shipping_address=payload.shipping_address.model_dump(),
        lines=[(line.sku, line.quantity) for line in payload.lines],
        payment_method=payload.payment_method or "",
        channel=payload.channel,
        coupon_code=payload.coupon_code,
        points=payload.points,
        note=payload.note,
        flash_sale_id=payload.flash_sale_id,
        group_buy_id=payload.group_buy_id,
        idempotency_key=key,
        client_ip=str(payload.client_ip) if payload.client_ip else None,
        idempotency_scope=str(request.api_key.pk),
        payload=body,
        actor=api_actor(request),
    )
    return Status(201 if created else 200, _out(selectors.order_for_api(order.number)))


@router.get("/orders/{number}", response=OrderOut)
def get_order(request, number: str):
    """One order with its lines, shipments and payments: what was paid and what was refunded."""
    require_scope(request, "orders:read")
    return _out(selectors.order_for_api(number))


@router.post("/orders/{number}/cancel", response=OrderOut)
def cancel_order(request, number: str):
    """Cancel an unpaid order on the customer's behalf; its stock is released. Body (optional):
    `{"reason": "..."}`."""
    require_scope(request, "orders:write")
    order = selectors.order_for_api(number)
    reason = _reason(request.body) or _("Cancelled by the customer")
    services.order_cancel(order=order, actor=api_actor(request), reason=reason, by_customer=True)
    return _out(selectors.order_for_api(number))
