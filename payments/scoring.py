"""Risk (fraud) scoring: each enabled rule the order hits adds its weight to the order's score.

Reads only; `payments.services.risk.risk_assess` stores the result and holds the order when the score is too high.
"""

import re
from datetime import timedelta

from django.utils.translation import gettext as _

from orders.models import Order
from orders.state import VOID_STATES
from payments.models import BlacklistEntry, RiskAssessment, RiskRule
from shop.china import mobile_digits

Kind = RiskRule.Kind
NOT_COUNTED = VOID_STATES


def normalise(kind, value) -> str:
    """A mobile is its 11 digits (shop.china: +86 / 0086, spaces and dashes dropped), another phone its digits;
    addresses lose spaces and punctuation."""
    value = str(value or "")
    if kind == BlacklistEntry.Kind.PHONE:
        return mobile_digits(value) or re.sub(r"\D", "", value)
    return re.sub(r"[\s,，.。·#\-—_/()（）]", "", value).lower()[:300]


def _address(order) -> str:
    return normalise(BlacklistEntry.Kind.ADDRESS, order.address_text)


def _count_in_window(order, rule, **match) -> int:
    since = order.placed_at - timedelta(minutes=rule.window_minutes)
    return (
        Order.objects.filter(placed_at__gte=since, placed_at__lte=order.placed_at, **match)
        .exclude(status__in=NOT_COUNTED)
        .exclude(pk=order.pk)
        .count()
        + 1
    )


def _check(rule, order, ip):
    """A short description of why the rule is hit, or None."""
    limit = rule.threshold
    if rule.kind == Kind.VELOCITY_PHONE:
        n = _count_in_window(order, rule, ship_phone=order.ship_phone)
        return (
            _("%(n)s orders from this phone in %(m)s minutes") % {"n": n, "m": rule.window_minutes}
            if n > limit
            else None
        )
    if rule.kind == Kind.VELOCITY_ADDRESS:
        n = _count_in_window(
            order,
            rule,
            ship_province=order.ship_province,
            ship_city=order.ship_city,
            ship_district=order.ship_district,
            ship_detail=order.ship_detail,
        )
        return (
            _("%(n)s orders to this address in %(m)s minutes") % {"n": n, "m": rule.window_minutes}
            if n > limit
            else None
        )
    if rule.kind == Kind.VELOCITY_IP:
        if not ip:
            return None
        since = order.placed_at - timedelta(minutes=rule.window_minutes)
        n = RiskAssessment.objects.filter(ip=ip, order__placed_at__gte=since).exclude(order=order).count() + 1
        return (
            _("%(n)s orders from this IP address in %(m)s minutes") % {"n": n, "m": rule.window_minutes}
            if n > limit
            else None
        )
    if rule.kind == Kind.AMOUNT_OVER:
        return _("Total %(t)s is over %(l)s") % {"t": order.total, "l": limit} if order.total > limit else None
    if rule.kind == Kind.NEW_CUSTOMER_LARGE:
        earlier = (
            Order.objects.filter(customer_id=order.customer_id, placed_at__lt=order.placed_at)
            .exclude(pk=order.pk)
            .exclude(status__in=NOT_COUNTED)
            .exists()
        )
        return (
            _("First order of this customer, total %(t)s") % {"t": order.total}
            if not earlier and order.total >= limit
            else None
        )
    if rule.kind == Kind.BLACKLIST_PHONE:
        phones = {normalise("phone", order.ship_phone), normalise("phone", order.customer.phone)}
        return (
            _("Blacklisted phone")
            if BlacklistEntry.objects.filter(kind=BlacklistEntry.Kind.PHONE, value__in=phones).exists()
            else None
        )
    if rule.kind == Kind.BLACKLIST_ADDRESS:
        address = _address(order)
        values = BlacklistEntry.objects.filter(kind=BlacklistEntry.Kind.ADDRESS).values_list("value", flat=True)
        return _("Blacklisted address") if any(v and v in address for v in values.iterator()) else None
    return None


def score_order(order, *, ip=None) -> tuple[int, list]:
    """(score, hits): the sum of the weights of the enabled rules the order hits, and what each saw.
    `ip` defaults to the buyer's address the storefront sent with the order."""
    ip = ip or order.client_ip
    hits: list[dict] = []
    for rule in RiskRule.objects.filter(is_enabled=True).order_by("pk"):
        why = _check(rule, order, ip)
        if why:
            hits.append({"rule": rule.kind, "weight": rule.weight, "detail": str(why)})
    return sum(h["weight"] for h in hits), hits
