"""Customers and the member system, one module per area, every model re-exported here.

profile   Customer (with its member figures), CustomerTag, CustomerAddress, RfmSegment
members   MemberTier, TierChange
privacy   CustomerErasure (and the privacy permissions)
"""

from customers.models.members import MemberTier, TierChange
from customers.models.privacy import CustomerErasure
from customers.models.profile import Customer, CustomerAddress, CustomerTag, RfmSegment

__all__ = [
    "Customer",
    "CustomerAddress",
    "CustomerErasure",
    "CustomerTag",
    "MemberTier",
    "RfmSegment",
    "TierChange",
]
