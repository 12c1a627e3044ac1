"""After-sales, one module per area, every model re-exported here.

requests     the return / exchange / refund-only requests, their lines, evidence, reasons and policy
complaints   complaints (投诉) with SLA, and the knowledge base (FAQ)
reviews      reviews of order lines, moderation keywords, satisfaction surveys
"""

from aftersales.models.reviews import ModerationKeyword, Review, ReviewImage, Survey

__all__ = ["ModerationKeyword", "Review", "ReviewImage", "Survey"]
