"""What the payment services share: the finance role they notify, the payment statuses that count as
money received, and a local day's bounds."""

from datetime import datetime, time, timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone

from payments.models import (
    Payment,
)
from shop.services import notify

FINANCE = "finance"
SETTLED_STATUSES = (Payment.Status.CAPTURED, Payment.Status.FLAGGED)


def local_day_bounds(day):
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(day, time.min), tz)
    return start, start + timedelta(days=1)


def notify_finance(title, body="", url=""):
    transaction.on_commit(partial(notify, title=title, body=body, url=url, kind="payments", role=FINANCE))
