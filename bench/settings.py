"""The benchmarks' settings: the test settings (fast password hashing, tasks in-process) with production's caches
on, as a store serves its pages: store settings, payment methods and filter choices (ROW_CACHE_SECONDS) and the
running promotions (PRICING_CACHE_SECONDS). The dashboard's one-minute cache stays off: its workload measures the
page with and without it."""

import os

from tests.settings import *  # noqa: F403

for _code in ("ALIPAY", "WECHAT", "UNIONPAY", "CARD", "COD"):  # the sandbox providers' callbacks are signed
    os.environ.setdefault(f"PAYMENT_SECRET_{_code}", f"bench-{_code.lower()}-callback-secret-0123456789")

ROW_CACHE_SECONDS = 60
PRICING_CACHE_SECONDS = 5
