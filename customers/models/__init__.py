"""Customers and the member system, one module per area, every model re-exported here.

profile           Customer (with its member figures), CustomerTag, CustomerAddress, RfmSegment
members           MemberTier, TierChange
points            PointsEntry (the points ledger)
segments          Segment, SegmentMember (the members as of the last count)
crm               InteractionNote, CustomerMessage, MessageReply, OutboundMessage
recommendations   ProductPair, BestSeller (rebuilt nightly from co-purchases)
privacy           CustomerErasure (and the privacy permissions)
"""

from customers.models.crm import (
    CustomerMessage,
    InteractionNote,
    MessageReply,
    OutboundMessage,
)
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
from customers.models.segments import (
    Segment,
    SegmentMember,
)

__all__ = [
    "BestSeller",
    "Customer",
    "CustomerAddress",
    "CustomerErasure",
    "CustomerMessage",
    "CustomerTag",
    "InteractionNote",
    "MemberTier",
    "MessageReply",
    "OutboundMessage",
    "PointsEntry",
    "ProductPair",
    "RfmSegment",
    "Segment",
    "SegmentMember",
    "TierChange",
]
