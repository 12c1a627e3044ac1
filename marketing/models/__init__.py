"""Marketing models, one module per area, re-exported here."""

from marketing.models.flash import (
    FlashClaim,
    FlashPurchase,
    FlashSaleItem,
    FlashSession,
    GroupBuy,
    GroupBuyGroup,
    GroupBuyKey,
    GroupBuyMember,
)

__all__ = [
    "FlashClaim",
    "FlashPurchase",
    "FlashSaleItem",
    "FlashSession",
    "GroupBuy",
    "GroupBuyGroup",
    "GroupBuyKey",
    "GroupBuyMember",
]
