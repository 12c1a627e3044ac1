"""The pricing engine: what a cart costs. Every price the store charges comes from here, never from
the caller.

Rounding: each line's total is unit price × quantity, rounded half-up to the cent; discounts are
computed per line and rounded the same way; the cart's totals are sums of rounded lines, so the
lines always add up to the total. Until promotions land (coupons, 满减, member prices, flash sales,
points) a line costs its SKU's list price; a coupon code or points are refused with the reason.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from marketing import flash, groupbuy
from shop.errors import DomainError, RuleRefused
from shop.money import to_cents


@dataclass
class QuoteLine:
    sku: object
    quantity: int
    unit_price: Decimal
    discount: Decimal = Decimal("0.00")
    promotions: list = field(default_factory=list)

    @property
    def line_total(self) -> Decimal:
        return to_cents(self.unit_price * self.quantity) - self.discount


@dataclass
class Quote:
    lines: list

    @property
    def subtotal(self) -> Decimal:
        return sum((to_cents(line.unit_price * line.quantity) for line in self.lines), Decimal("0.00"))

    @property
    def discount(self) -> Decimal:
        return sum((line.discount for line in self.lines), Decimal("0.00"))

    @property
    def total(self) -> Decimal:
        return self.subtotal - self.discount


def price_cart(*, lines, customer=None, coupon_code="", points=0, flash_sale_id=None, group_buy_id=None) -> Quote:
    """Price (sku, quantity) pairs for a customer; raise RuleRefused for what cannot apply."""
    special = {}  # sku id -> its flash-sale or group price (marketing/flash.py, marketing/groupbuy.py)
    if flash_sale_id is not None and group_buy_id is not None:
        message = _("A flash sale and a group buy cannot be combined in one order.")
        raise RuleRefused(message, code="flash_group_combined", fields={"group_buy_id": message})
    if flash_sale_id is not None:
        special = flash.flash_quote(flash_sale_id=flash_sale_id, lines=lines)
    if group_buy_id is not None:
        special = groupbuy.group_buy_quote(group_buy_id=group_buy_id, lines=lines)
    if coupon_code:
        raise RuleRefused(
            _("The coupon %(c)s is not valid.") % {"c": coupon_code[:40]},
            code="coupon_invalid",
            fields={"coupon_code": _("Unknown coupon.")},
        )
    if points:
        raise RuleRefused(
            _("Points cannot be redeemed yet."), code="points_unavailable", fields={"points": _("Not available.")}
        )
    quote_lines = []
    for sku, quantity in lines:
        if quantity <= 0:
            raise DomainError(_("Quantity must be positive."), code="invalid_quantity")
        quote_lines.append(
            QuoteLine(
                sku=sku,
                quantity=quantity,
                unit_price=to_cents(special.get(sku.pk, sku.price) if special else sku.price),
            )
        )
    return Quote(lines=quote_lines)
