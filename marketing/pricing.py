"""The pricing engine: what a cart costs. Every price the store charges comes from here, never from
the caller.

Rounding: each line's total is unit price × quantity, rounded half-up to the cent; discounts are
computed per line and rounded the same way; the cart's totals are sums of rounded lines, so the
lines always add up to the total. Until promotions land (coupons, 满减, member prices, flash sales)
a line costs its SKU's list price; a coupon code is refused with the reason.

Points: the customers module values them (`customers.services.points_redemption_value`: the store's
points per yuan, at most its share of the goods total, never over the balance) and the value is
allocated over the lines in proportion to what they cost (`shop.money.allocate`, to the cent). The
redemption itself is written by order intake, in its transaction, under the customer's row lock.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from customers.services import points_redemption_value
from shop.errors import DomainError, RuleRefused
from shop.money import allocate, to_cents


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
    points: int = 0  # points redeemed on this cart
    points_value: Decimal = Decimal("0.00")  # what they take off (allocated over the lines)

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
    # No flash sale or group buy exists yet, so every id is unknown: refused rather than ignored.
    if flash_sale_id is not None:
        message = _("Unknown flash sale %(id)s.") % {"id": flash_sale_id}
        raise RuleRefused(message, code="flash_sale_unknown", fields={"flash_sale_id": message})
    if group_buy_id is not None:
        message = _("Unknown group buy %(id)s.") % {"id": group_buy_id}
        raise RuleRefused(message, code="group_buy_unknown", fields={"group_buy_id": message})
    if coupon_code:
        raise RuleRefused(
            _("The coupon %(c)s is not valid.") % {"c": coupon_code[:40]},
            code="coupon_invalid",
            fields={"coupon_code": _("Unknown coupon.")},
        )
    quote_lines = []
    for sku, quantity in lines:
        if quantity <= 0:
            raise DomainError(_("Quantity must be positive."), code="invalid_quantity")
        quote_lines.append(QuoteLine(sku=sku, quantity=quantity, unit_price=to_cents(sku.price)))
    quote = Quote(lines=quote_lines)
    if points:
        _redeem_points(quote, customer, points)
    return quote


def _redeem_points(quote, customer, points) -> None:
    """Take the points' value off the lines, in proportion to what each line still costs."""
    value = points_redemption_value(customer=customer, points=points, goods_total=quote.total)
    shares = allocate(value, [line.line_total for line in quote.lines])
    for line, share in zip(quote.lines, shares, strict=True):
        line.discount += share
        if share:
            line.promotions.append({"kind": "points", "amount": share})
    quote.points, quote.points_value = points, value
