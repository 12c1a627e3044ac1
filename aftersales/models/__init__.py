"""After-sales, one module per area, every model re-exported here.

requests     the return / exchange / refund-only requests, their lines, evidence, reasons and policy
complaints   complaints (投诉) with SLA, and the knowledge base (FAQ)
reviews      reviews of order lines, moderation keywords, satisfaction surveys
"""

from aftersales.models.complaints import (
    SLA_DEFAULTS,
    Complaint,
    ComplaintNote,
    ComplaintSla,
    FaqArticle,
    FaqCategory,
)
from aftersales.models.requests import (
    AftersalesEvidence,
    AftersalesExcludedCategory,
    AftersalesLine,
    AftersalesReason,
    AftersalesRequest,
    AutoApprovalRule,
    Kind,
    evidence_path,
)
from aftersales.models.reviews import (
    RATINGS,
    ModerationKeyword,
    Review,
    ReviewImage,
    Survey,
    survey_token,
)

__all__ = [
    "AftersalesEvidence",
    "AftersalesExcludedCategory",
    "AftersalesLine",
    "AftersalesReason",
    "AftersalesRequest",
    "AutoApprovalRule",
    "Complaint",
    "ComplaintNote",
    "ComplaintSla",
    "FaqArticle",
    "FaqCategory",
    "Kind",
    "ModerationKeyword",
    "RATINGS",
    "Review",
    "ReviewImage",
    "SLA_DEFAULTS",
    "Survey",
    "evidence_path",
    "survey_token",
]
