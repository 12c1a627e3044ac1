"""The pricing engine: what a cart costs. Every price the store charges comes from here, never from
the caller: order intake, the staff cart preview, the order page's explanation and refunds (through
the per-line discounts stored at intake).

    list price -> bundle (套餐) -> member price -> timed discount -> 满减 / 满件折 -> coupon -> points
    -> freight (orders computes it; `Quote.free_shipping` tells it a coupon or the tier waives it)

The promotion steps, the stacking rules and the best-combination choice live in marketing.engine. A flash-sale
or group-buy order (marketing.flash, marketing.groupbuy) is priced at its sale price and stands alone: no
other promotion or coupon applies to it; points may still be redeemed.

Rounding: each line's list total is unit price × quantity, rounded half-up to the cent; a line-level
discount (member price, timed discount) is rounded on its line; a bundle's discount and an order-level discount
(满减 / 满件折, coupon) is split over the lines it covers with shop.money.allocate (each share half-up, the cents left
over on the largest line), so the lines always add up to the total and each line's discount is exactly
what it was charged less. A quote's `promotions` lists every promotion considered: applied with its
amount, or refused with the reason.

Points: the customers module values them (`customers.services.points_redemption_value`: the store's
points per yuan, at most its share of the goods total after the promotions, never over the balance) and
the value is allocated over the lines in proportion to what they still cost (`shop.money.allocate`, to
the cent). The redemption itself is written by order intake, in its transaction, under the customer's
row lock.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from customers.services import points_redemption_value
from marketing import flash, groupbuy
from shop.errors import DomainError, RuleRefused
from shop.money import allocate, to_cents


@dataclass
class QuoteLine:
    sku: object
    quantity: int
    unit_price: Decimal
    discount: Decimal = Decimal("0.00")
    promotions: list = field(default_factory=list)  # [(promotion name, amount off this line)]

    @property
    def line_total(self) -> Decimal:
        return to_cents(self.unit_price * self.quantity) - self.discount


@dataclass
class Quote:
    lines: list
    promotions: list = field(default_factory=list)  # [marketing.engine.Application]: applied or refused, why
    coupon: object = None  # (CouponTemplate, Coupon or None) the applied coupon, redeemed at intake
    coupon_code: str = ""  # the applied coupon's code ("" when none applied)
    free_shipping: bool = False
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

    @property
    def applied(self) -> list:
        return [p for p in self.promotions if p.applied]

    @property
    def refused(self) -> list:
        return [p for p in self.promotions if not p.applied]


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
    if special:
        quote = _special_quote(lines, special, coupon_code)
    else:
        # list price -> bundle -> member price -> timed discount -> 满减 / 满件折 -> coupon
        quote = quote_promotions(lines=lines, customer=customer, coupon_code=coupon_code, strict=True)
    # points: the step after the coupon
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
            line.promotions.append((_("Points"), share))
    quote.points, quote.points_value = points, value


def quote_promotions(*, lines, customer=None, coupon_code="", strict=True, now=None, promotions=None) -> Quote:
    """The promotion steps of price_cart. `strict`: a coupon that cannot be used raises RuleRefused (intake
    answers 422); otherwise (the staff preview) it is listed as refused with the reason."""
    from marketing import engine
    from marketing.selectors import coupon_for_code

    lines = list(lines)
    for _sku, quantity in lines:
        if quantity <= 0:
            raise DomainError(_("Quantity must be positive."), code="invalid_quantity")
    coupon, coupon_refusal = None, None
    code = str(coupon_code or "").strip()
    if code:
        try:
            coupon = coupon_for_code(code, customer=customer, now=now)
        except RuleRefused as e:
            if strict:
                raise
            coupon_refusal = engine.Application("coupon", code[:40], False, e.message)
    ctx = engine.Context(lines, customer, coupon, now, promotions=promotions)
    best, found, _kinds, runs = engine.choose(ctx)
    applications = engine.explain(ctx, best, found, runs)
    if coupon_refusal is not None:
        applications.append(coupon_refusal)
    coupon_applied = any(a.kind == "coupon" and a.applied for a in applications)
    if coupon is not None and strict and not coupon_applied:
        # Refused outright only when no combination could use it (scope, minimum spend); a coupon that
        # merely loses to a better combination is left unused and listed with the reason.
        if not any(c.kind == "coupon" for state, _k in runs for c, _a, _s in state.applied):
            refusal = next(a for a in applications if a.kind == "coupon")
            raise RuleRefused(
                _("The coupon %(c)s cannot be used: %(why)s") % {"c": code[:40], "why": refusal.reason},
                code="coupon_not_applicable",
                fields={"coupon_code": refusal.reason},
            )
    names: dict[int, list] = {}
    for cand, _amount, shares in best.applied:
        for i, share in shares.items():
            names.setdefault(i, []).append((cand.name, share))
    quote_lines = []
    for i, ln in enumerate(ctx.lines):
        discount = ln.base - best.amounts[i]
        quote_lines.append(
            QuoteLine(
                sku=ln.sku,
                quantity=ln.quantity,
                unit_price=to_cents(ln.sku.price),
                discount=discount,
                promotions=names.get(i, []),
            )
        )
    tier = getattr(customer, "tier", None) if customer is not None else None
    return Quote(
        lines=quote_lines,
        promotions=applications,
        coupon=coupon if coupon_applied else None,
        coupon_code=code.upper()[:40] if coupon_applied else "",
        free_shipping=best.free_shipping or bool(getattr(tier, "free_shipping", False)),
    )


def _special_quote(lines, special, coupon_code) -> Quote:
    """A flash-sale or group-buy order: its SKUs at the sale price, standing alone — no other promotion and no
    coupon applies to it (points may still be redeemed)."""
    if str(coupon_code or "").strip():
        message = _("A coupon cannot be used on a flash-sale or group-buy order.")
        raise RuleRefused(message, code="coupon_not_applicable", fields={"coupon_code": message})
    quote_lines = []
    for sku, quantity in lines:
        if quantity <= 0:
            raise DomainError(_("Quantity must be positive."), code="invalid_quantity")
        quote_lines.append(QuoteLine(sku=sku, quantity=quantity, unit_price=to_cents(special.get(sku.pk, sku.price))))
    return Quote(lines=quote_lines)
