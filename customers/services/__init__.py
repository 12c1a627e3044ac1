"""Customer write use cases, one module per area; every name callers use is re-exported here.

profile   normalise_phone, customer_upsert (at order intake), profile edits, tags, addresses
members   member tiers, purchase figures, RFM scores and segments, tier changes
recommendations   recommendations_recompute (the nightly bought-together pairs and best sellers)
"""

from customers.services.members import (
    member_order_completed,
    member_tier_delete,
    member_tier_save,
    rfm_and_tiers_recompute,
    rfm_segment,
)
from customers.services.profile import (
    customer_address_delete,
    customer_address_save,
    customer_address_set_default,
    customer_tag_set,
    customer_update,
    customer_upsert,
    normalise_phone,
)
from customers.services.recommendations import recommendations_recompute

__all__ = [
    "member_order_completed",
    "member_tier_delete",
    "member_tier_save",
    "rfm_and_tiers_recompute",
    "rfm_segment",
    "customer_address_delete",
    "customer_address_save",
    "customer_address_set_default",
    "customer_tag_set",
    "customer_update",
    "customer_upsert",
    "normalise_phone",
    "recommendations_recompute",
]
