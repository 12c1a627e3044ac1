"""The five payment methods and the risk rules with working defaults.

Created by migration 0002 and again after every migrate (a flush, as in transactional tests,
empties them), like the staff roles."""

from decimal import Decimal


METHODS = [
    # code, name, position, min, max, daily limit, fee %, fixed fee, T+N
    ("alipay", "支付宝", 10, "0.01", "50000.00", "100000.00", "0.60", "0.00", 1),
    ("wechat", "微信支付", 20, "0.01", "50000.00", "100000.00", "0.60", "0.00", 1),
    ("unionpay", "银联", 30, "1.00", "200000.00", None, "0.50", "0.00", 2),
    ("card", "银行卡", 40, "1.00", "100000.00", None, "0.55", "0.10", 2),
    ("cod", "货到付款", 50, "0.00", "5000.00", "10000.00", "1.00", "2.00", 7),
]
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


def ensure_defaults(apps):
    """Create the default payment methods, risk rules and risk settings that are missing."""
    PaymentMethod = apps.get_model("payments", "PaymentMethod")
    RiskRule = apps.get_model("payments", "RiskRule")
    RiskSettings = apps.get_model("payments", "RiskSettings")
    for code, name, position, low, high, daily, percent, fixed, days in METHODS:
        PaymentMethod.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "position": position,
                "min_amount": Decimal(low),
                "max_amount": Decimal(high) if high else None,
                "daily_limit": Decimal(daily) if daily else None,
                "fee_percent": Decimal(percent),
                "fee_fixed": Decimal(fixed),
                "settlement_days": days,
            },
        )
    for kind, weight, threshold, window in RULES:
        RiskRule.objects.get_or_create(
            kind=kind,
            defaults={"weight": weight, "threshold": Decimal(threshold), "window_minutes": window or 60},
        )
    RiskSettings.objects.get_or_create(pk=1, defaults={"hold_score": 50})
