"""Customers and the member system, one module per area, every model re-exported here.

profile   Customer (with its member figures), CustomerTag, CustomerAddress, RfmSegment
members   MemberTier, TierChange
segments  Segment (客户分群: saved rules over the customers), SegmentMember (its members when last counted)
"""

from customers.models.members import MemberTier, TierChange
from customers.models.profile import Customer, CustomerAddress, CustomerTag, RfmSegment
from customers.models.segments import Segment, SegmentMember

__all__ = [
    "Customer",
    "CustomerAddress",
    "CustomerTag",
    "MemberTier",
    "RfmSegment",
    "Segment",
    "SegmentMember",
    "TierChange",
]
