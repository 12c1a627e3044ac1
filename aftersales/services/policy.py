"""The after-sales policy: what a customer may ask for, and what is approved without staff.

Rules, each refusing with its own code (a RuleRefused, 422 in the API) and a message naming the rule:
- `order_not_eligible`   the order was never paid, or was cancelled/closed; a return or an exchange needs the
                         goods shipped (a refund-only request may come before shipping).
- `reason_not_for_kind`  the reason is inactive or not offered for this kind of request.
- `window_passed`        a no-reason reason (7天无理由) counts `aftersales_window_days` from delivery; any other
                         reason (a fault) `aftersales_quality_days`. An order shipped but not yet delivered is
                         inside both windows.
- `product_excluded`     a no-reason return or exchange of a product whose `no_reason_returns` is off;
- `category_excluded`    ... or of a product in an excluded category (or under one);
- `exchange_only`        a product sold exchange-only (`exchange_only`) is never returned for money, and never
                         refunded once shipped: an exchange is allowed.
- `quantity_exceeded`    more units than were bought less those already in open or done requests;
- `refund_above_charged` an amount asked above what the line was charged for those units
                         (orders.selectors.line_charges: after the order-level discounts and adjustment).
Who pays the return freight comes from the reason. An auto-approval rule approves a matching request at once.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.models import AftersalesExcludedCategory, AftersalesLine, AftersalesRequest, AutoApprovalRule
from orders import selectors as order_selectors
from orders.models import Order, OrderLine
from orders.state import order_is_void, order_never_shipped
from shop.errors import RuleRefused
from shop.money import to_cents
from shop.selectors import store_settings

K = AftersalesRequest.Kind
S = AftersalesRequest.Status
COUNTED = [s for s in S.values if s not in (S.REJECTED, S.CANCELLED)]  # requests that hold their units


@dataclass
class LineAsk:
    order_line: OrderLine
    quantity: int
    amount: Decimal  # what the customer asks back for these units (at most their charged share)


def _refuse(code, message, field=None):
    raise RuleRefused(message, code=code, rule=code, fields={field: message} if field else {})


def units_requested(order) -> dict[int, int]:
    """{order line id: units already in this order's open or done requests} (rejected and cancelled free theirs)."""
    rows = (
        AftersalesLine.objects.filter(request__order=order, request__status__in=COUNTED)
        .values("order_line_id")
        .annotate(n=Sum("quantity"))
    )
    return {row["order_line_id"]: row["n"] for row in rows}


def units_left(order) -> dict[int, int]:
    """{order line id: units a new request may still ask for}."""
    taken = units_requested(order)
    return {line.pk: line.quantity - taken.get(line.pk, 0) for line in order.lines.all()}


def excluded_category_paths() -> list[str]:
    return list(AftersalesExcludedCategory.objects.values_list("category__path", flat=True))


def _window_check(order, reason, now):
    settings = store_settings()
    days = settings.aftersales_window_days if reason.no_reason else settings.aftersales_quality_days
    start = order.delivered_at or order.completed_at
    if start is not None and now > start + timedelta(days=days):
        if reason.no_reason:
            message = _("The %(days)s-day no-reason window of order %(n)s ended on %(date)s.")
        else:
            message = _("The %(days)s-day window for faulty goods of order %(n)s ended on %(date)s.")
        _refuse(
            "window_passed",
            message
            % {
                "days": days,
                "n": order.number,
                "date": timezone.localtime(start + timedelta(days=days)).strftime("%Y-%m-%d"),
            },
        )


def policy_check(*, order, kind, reason, asks: list[LineAsk], now=None) -> None:
    """Refuse (RuleRefused naming the rule) a request the policy does not allow."""
    now = now or timezone.now()
    if kind not in K.values:
        _refuse("invalid_kind", _("Unknown kind of request."), "kind")
    if order.paid_at is None or order_is_void(order) or order.status == Order.Status.PENDING_PAYMENT:
        _refuse("order_not_eligible", _("Order %(n)s was not paid, or was cancelled.") % {"n": order.number})
    shipped = not order_never_shipped(order)
    if kind in (K.RETURN, K.EXCHANGE) and not shipped:
        _refuse(
            "order_not_eligible",
            _("Order %(n)s has not shipped: ask for a refund only, or cancel the order.") % {"n": order.number},
        )
    if not reason.is_active or not reason.applies_to(kind):
        _refuse(
            "reason_not_for_kind", _("The reason %(r)s is not offered for this request.") % {"r": reason.name}, "reason"
        )
    if not asks:
        _refuse("no_lines", _("Choose at least one line."), "lines")
    if shipped:
        _window_check(order, reason, now)
    paths = excluded_category_paths() if reason.no_reason and kind != K.REFUND_ONLY else []
    left = units_left(order)
    charged = order_selectors.line_charges(order)
    for ask in asks:
        line = ask.order_line
        product = line.sku.product
        field = f"line_{line.pk}"
        if product.exchange_only and (kind == K.RETURN or (kind == K.REFUND_ONLY and shipped)):
            _refuse(
                "exchange_only",
                _("%(p)s is sold exchange-only (no refunds): ask for an exchange.") % {"p": product.name},
                field,
            )
        if reason.no_reason and kind != K.REFUND_ONLY:
            if not product.no_reason_returns:
                _refuse(
                    "product_excluded",
                    _("%(p)s is excluded from no-reason returns.") % {"p": product.name},
                    field,
                )
            category = product.category
            if category is not None and any(category.path.startswith(p) for p in paths):
                _refuse(
                    "category_excluded",
                    _("%(p)s is in %(c)s, a category excluded from no-reason returns.")
                    % {"p": product.name, "c": category.name},
                    field,
                )
        if ask.quantity <= 0:
            _refuse("invalid_quantity", _("Enter a whole number above zero."), field)
        if ask.quantity > left.get(line.pk, 0):
            _refuse(
                "quantity_exceeded",
                _("Only %(n)s of %(sku)s can still be asked for (bought %(b)s).")
                % {"n": max(left.get(line.pk, 0), 0), "sku": line.sku_code, "b": line.quantity},
                field,
            )
        share = line_share(line, ask.quantity, charged)
        if ask.amount > share:
            _refuse(
                "refund_above_charged",
                _("At most ¥%(a)s can be refunded for %(q)s of %(sku)s: what the line was charged.")
                % {"a": share, "q": ask.quantity, "sku": line.sku_code},
                field,
            )


def line_share(line, quantity, charged=None) -> Decimal:
    """What `quantity` units of an order line were charged (its share of line_charges, half-up to the cent)."""
    charged = charged if charged is not None else order_selectors.line_charges(line.order)
    if quantity >= line.quantity:
        return charged[line.pk]
    return to_cents(charged[line.pk] * quantity / line.quantity)


def freight_payer(reason) -> str:
    """Who pays the return freight for this reason."""
    return reason.freight_payer


def auto_approval_rule(request) -> AutoApprovalRule | None:
    """The first active rule that approves this request without staff, or None."""
    unshipped = order_never_shipped(request.order)
    for rule in AutoApprovalRule.objects.filter(is_active=True, kind=request.kind):
        if rule.only_unshipped and not unshipped:
            continue
        if rule.max_amount is not None and request.amount_asked > rule.max_amount:
            continue
        return rule
    return None
