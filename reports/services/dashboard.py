"""Keeping the dashboard's customer figures (reports.models.CustomerDay) up to date, and rebuilding them."""

from collections import defaultdict
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from orders.selectors import orders
from reports.models import CustomerDay
from reports.periods import day_start


def _local_day(moment):
    return timezone.localtime(moment).date()


@transaction.atomic
def customer_day_record(*, order) -> str | None:
    """Count the paying customer of `order` on its payment day: "new" (their first paid order), "returning" (their
    first paid order that day, having paid on an earlier day), or nothing (they already paid that day)."""
    if order.paid_at is None:
        return None
    day = _local_day(order.paid_at)
    earlier = orders().filter(customer_id=order.customer_id, paid_at__isnull=False, paid_at__lte=order.paid_at)
    earlier = earlier.exclude(pk=order.pk)
    if not earlier.exists():
        kind, field = "new", "new_customers"
    elif not earlier.filter(paid_at__gte=day_start(day)).exists():
        kind, field = "returning", "returning_customers"
    else:
        return None
    CustomerDay.objects.get_or_create(day=day)
    CustomerDay.objects.filter(day=day).update(**{field: F(field) + 1})
    return kind


@transaction.atomic
def customer_days_rebuild(*, start, end) -> int:
    """Recount the local days start..end (inclusive) from the paid orders; answers the days written."""
    since, until = day_start(start), day_start(end + timedelta(days=1))
    paid = (
        orders()
        .filter(paid_at__isnull=False, paid_at__lt=until)
        .order_by("customer_id", "paid_at", "pk")
        .values_list("customer_id", "paid_at")
    )
    new: dict = defaultdict(int)
    returning: dict = defaultdict(int)
    last_customer, last_day = None, None
    for customer_id, paid_at in paid.iterator(chunk_size=5000):
        day = _local_day(paid_at)
        if customer_id != last_customer:
            if paid_at >= since:
                new[day] += 1
        elif day != last_day and paid_at >= since:
            returning[day] += 1
        last_customer, last_day = customer_id, day
    CustomerDay.objects.filter(day__gte=start, day__lte=end).delete()
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    CustomerDay.objects.bulk_create(
        [
            CustomerDay(day=d, new_customers=new[d], returning_customers=returning[d])
            for d in days
            if new[d] or returning[d]
        ]
    )
    return len(days)
