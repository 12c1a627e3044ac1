"""The storefront's after-sales API (DESIGN §4): requests, reviews, surveys, the FAQ."""

import ninja

router = ninja.Router(tags=["aftersales"])
