"""Marketing's models, one module per area, every model re-exported here.

promotions  StackingRule, MemberPrice, TimedDiscount, Activity, CouponTemplate, Coupon, OrderPromotion
bundles     Bundle, BundleItem
experiments Experiment, ExperimentVariant, ExperimentAssignment
flash       FlashSession, FlashSaleItem, FlashClaim, FlashPurchase; GroupBuy, GroupBuyGroup, GroupBuyMember, GroupBuyKey
"""

from marketing.models.bundles import (
    Bundle,
    BundleItem,
)
from marketing.models.experiments import (
    Experiment,
    ExperimentAssignment,
    ExperimentVariant,
)
from marketing.models.flash import (
    FlashClaim,
    FlashPurchase,
    FlashSaleItem,
    FlashSession,
    GroupBuy,
    GroupBuyGroup,
    GroupBuyKey,
    GroupBuyMember,
    Schedule,
    schedule_q,
    schedule_status,
)
from marketing.models.promotions import (
    Activity,
    Coupon,
    CouponTemplate,
    Kind,
    MemberPrice,
    OrderPromotion,
    Scheduled,
    Scope,
    Scoped,
    StackingRule,
    Status,
    TimedDiscount,
    window_status,
)

__all__ = [
    "Activity",
    "Bundle",
    "BundleItem",
    "Coupon",
    "CouponTemplate",
    "Experiment",
    "ExperimentAssignment",
    "ExperimentVariant",
    "FlashClaim",
    "FlashPurchase",
    "FlashSaleItem",
    "FlashSession",
    "GroupBuy",
    "GroupBuyGroup",
    "GroupBuyKey",
    "GroupBuyMember",
    "Kind",
    "MemberPrice",
    "OrderPromotion",
    "Schedule",
    "Scheduled",
    "Scope",
    "Scoped",
    "StackingRule",
    "Status",
    "TimedDiscount",
    "schedule_q",
    "schedule_status",
    "window_status",
]
