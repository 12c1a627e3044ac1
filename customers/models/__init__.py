"""Customers and the member system, one module per area, every model re-exported here.

profile   Customer (with its member figures), CustomerTag, CustomerAddress, RfmSegment
members   MemberTier, TierChange
crm       InteractionNote, CustomerMessage, MessageReply, OutboundMessage
"""

from customers.models.crm import CustomerMessage, InteractionNote, MessageReply, OutboundMessage
from customers.models.members import MemberTier, TierChange
from customers.models.profile import Customer, CustomerAddress, CustomerTag, RfmSegment

__all__ = [
    "Customer",
    "CustomerAddress",
    "CustomerMessage",
    "CustomerTag",
    "InteractionNote",
    "MemberTier",
    "MessageReply",
    "OutboundMessage",
    "RfmSegment",
    "TierChange",
]
