"""The payment method rows and the risk rules with working defaults.

The codes come from `orders.models.Order.PaymentMethod` (see the payments package docstring): every code there
gets its row here, named by the code's label in the store language, in the enum's order. Only the limits, fees
and settlement cycle are payments' own, keyed by the enum; a code without them gets the neutral ones.

Created by migration 0002 and again after every migrate (a flush, as in transactional tests, empties them), like
the staff roles. A row that exists is never changed: staff edit it on the methods page.
"""

from decimal import Decimal

from django.conf import settings
from django.utils import translation

from orders.models import Order

M = Order.PaymentMethod
# code: (min, max, daily limit per customer, fee %, fixed fee, settlement T+N)
Defaults = tuple[str, str | None, str | None, str, str, int]
METHOD_DEFAULTS: dict[str, Defaults] = {
    M.ALIPAY: ("0.01", "50000.00", "100000.00", "0.60", "0.00", 1),
    M.WECHAT: ("0.01", "50000.00", "100000.00", "0.60", "0.00", 1),
    M.UNIONPAY: ("1.00", "200000.00", None, "0.50", "0.00", 2),
    M.CARD: ("1.00", "100000.00", None, "0.55", "0.10", 2),
    M.COD: ("0.00", "5000.00", "10000.00", "1.00", "2.00", 7),
}
NEUTRAL: Defaults = ("0.00", None, None, "0.00", "0.00", 1)
RULES = [
    # kind, weight, threshold, window minutes
    ("velocity_phone", 30, "5", 60),
    ("velocity_address", 20, "5", 60),
    ("velocity_ip", 20, "10", 60),
    ("amount_over", 20, "20000.00", 0),
    ("new_customer_large", 25, "5000.00", 0),
    ("blacklist_phone", 60, "0", 0),
    ("blacklist_address", 50, "0", 0),
]


def _money(value):
    return Decimal(value) if value is not None else None


def method_defaults() -> list[dict]:
    """The row every payment method code starts with: its name, position, limits, fees and cycle."""
    rows = []
    with translation.override(settings.LANGUAGE_CODE):
        for position, (code, label) in enumerate(M.choices, start=1):
            low, high, daily, percent, fixed, days = METHOD_DEFAULTS.get(code, NEUTRAL)
            rows.append(
                {
                    "code": code,
                    "name": str(label),
                    "position": position * 10,
                    "min_amount": Decimal(low),
                    "max_amount": _money(high),
                    "daily_limit": _money(daily),
                    "fee_percent": Decimal(percent),
                    "fee_fixed": Decimal(fixed),
                    "settlement_days": days,
                }
            )
    return rows


def ensure_defaults(apps):
    """Create the payment methods, risk rules and risk settings that are missing."""
    PaymentMethod = apps.get_model("payments", "PaymentMethod")
    RiskRule = apps.get_model("payments", "RiskRule")
    RiskSettings = apps.get_model("payments", "RiskSettings")
    for row in method_defaults():
        code = row.pop("code")
        PaymentMethod.objects.get_or_create(code=code, defaults=row)
    for kind, weight, threshold, window in RULES:
        RiskRule.objects.get_or_create(
            kind=kind,
            defaults={"weight": weight, "threshold": Decimal(threshold), "window_minutes": window or 60},
        )
    RiskSettings.objects.get_or_create(pk=1, defaults={"hold_score": 50})
