"""After-sales write use cases, one module per area; every name callers use is re-exported here."""

from aftersales.services.reviews import (
    keyword_add,
    keyword_delete,
    review_approve,
    review_flag,
    review_hide,
    review_moderate,
    review_post,
    review_reply,
    reviews_default_post,
    reviews_default_sweep,
    reviews_moderate,
)
from aftersales.services.surveys import survey_answer, survey_invite, survey_text

__all__ = [
    "keyword_add",
    "keyword_delete",
    "review_approve",
    "review_flag",
    "review_hide",
    "review_moderate",
    "review_post",
    "review_reply",
    "reviews_default_post",
    "reviews_default_sweep",
    "reviews_moderate",
    "survey_answer",
    "survey_invite",
    "survey_text",
]
