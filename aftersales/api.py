"""The storefront's after-sales API (DESIGN §4): requests, reviews, surveys, the FAQ."""

import ninja

from aftersales.api_complaints import router as complaints_router

router = ninja.Router(tags=["aftersales"])
router.add_router("", complaints_router)  # complaints and the FAQ
