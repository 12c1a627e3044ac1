"""Local days, one home: the store's day boundaries in its time zone (TIME_ZONE, Asia/Shanghai by default)."""

from datetime import date, datetime, time

from django.utils import timezone


def day_start(day: date) -> datetime:
    """The aware datetime at which the local day `day` begins (a date filter's `from`, and `to` with day + 1)."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())
