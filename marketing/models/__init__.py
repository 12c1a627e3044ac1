"""Marketing's models, one module per area, every model re-exported here.

promotions  StackingRule, MemberPrice, TimedDiscount, Activity, CouponTemplate, Coupon, OrderPromotion
"""

from marketing.models.promotions import (
    Activity,
    Coupon,
    CouponTemplate,
    Kind,
    MemberPrice,
    OrderPromotion,
    StackingRule,
    TimedDiscount,
)

__all__ = [
    "Activity",
    "Coupon",
    "CouponTemplate",
    "Kind",
    "MemberPrice",
    "OrderPromotion",
    "StackingRule",
    "TimedDiscount",
]
