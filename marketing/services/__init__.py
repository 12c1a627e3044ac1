"""Marketing's write use cases, one module per area, the public names re-exported here.

coupons     claiming, code batches, redemption at intake, release on cancel/close, expiry
bundles     staff saves of bundles (套餐)
experiments A/B experiments: save, the split, issuing, promoting the winner
promotions  staff saves of timed discounts, activities, coupon templates, member prices, stacking rules
"""

from marketing.services.bundles import bundle_save
from marketing.services.coupons import (
    coupon_claim,
    coupon_codes_generate,
    coupons_expire,
    coupons_release,
    quote_commit,
)
from marketing.services.experiments import (
    experiment_issue,
    experiment_promote,
    experiment_save,
    experiment_variant,
)
from marketing.services.promotions import (
    activity_save,
    coupon_template_save,
    member_price_delete,
    member_price_save,
    stacking_rule_save,
    timed_discount_save,
)

__all__ = [
    "activity_save",
    "bundle_save",
    "coupon_claim",
    "coupon_codes_generate",
    "coupon_template_save",
    "coupons_expire",
    "coupons_release",
    "experiment_issue",
    "experiment_promote",
    "experiment_save",
    "experiment_variant",
    "member_price_delete",
    "member_price_save",
    "quote_commit",
    "stacking_rule_save",
    "timed_discount_save",
]
