"""Customers and the member system, one module per area, every model re-exported here.

profile           Customer (with its member figures), CustomerTag, CustomerAddress, RfmSegment
members           MemberTier, TierChange
points            PointsEntry (the points ledger)
privacy           CustomerErasure (who erased whom, when, on which request)
recommendations   ProductPair, BestSeller (rebuilt nightly from co-purchases)
"""

from customers.models.members import (
    MemberTier,
    TierChange,
)
from customers.models.points import (
    PointsEntry,
)
from customers.models.privacy import (
    CustomerErasure,
)
from customers.models.profile import (
    Customer,
    CustomerAddress,
    CustomerTag,
    RfmSegment,
)
from customers.models.recommendations import (
    BestSeller,
    ProductPair,
)

__all__ = [
    "BestSeller",
    "Customer",
    "CustomerAddress",
    "CustomerErasure",
    "CustomerTag",
    "MemberTier",
    "PointsEntry",
    "ProductPair",
    "RfmSegment",
    "TierChange",
]
