"""Customer jobs (DESIGN §5): each only calls a service; each is safe to run twice."""

from celery import shared_task
from django.db import OperationalError

from shop.jobs import crontab, job


@job("recompute_rfm_and_tiers", crontab(hour=4, minute=0))
def recompute_rfm_and_tiers():
    from customers import services

    return services.rfm_and_tiers_recompute()


@job("recompute_recommendations", crontab(hour=4, minute=30))
def recompute_recommendations():
    from customers import services

    return services.recommendations_recompute()


@job("birthday_points", crontab(hour=0, minute=20))
def birthday_points():
    from customers import services

    return services.points_birthday_grant()


@job("follow_up_reminders", crontab(minute="*/15"))
def follow_up_reminders():
    from customers import services

    return services.follow_up_reminders()


@job("complaint_sla", crontab(minute="*/15"))
def complaint_sla():
    """Customers' messages past the SLA, then every later module's SLA timers (the `sla_sweep` hook: after-sales
    requests and complaints), each module in its own transaction."""
    from django.utils import timezone

    from customers import services
    from shop.hooks import hook_answers

    now = timezone.now()
    flagged = {"messages": services.messages_sla_check(now=now)}
    for answer in hook_answers("sla_sweep", now=now):
        flagged.update(answer)
    return flagged


@shared_task(
    name="houtai.customers.tier_change_notice",
    acks_late=True,
    max_retries=5,
    retry_backoff=True,
    autoretry_for=(OperationalError,),
)
def tier_change_notice(customer_id, from_tier_id, to_tier_id):
    """Text the customer about their tier upgrade (a repeat within the hour sends nothing)."""
    from customers import services

    sent = services.tier_change_notify(customer_id=customer_id, from_tier_id=from_tier_id, to_tier_id=to_tier_id)
    return sent.pk if sent else None


@job("recount_segments", crontab(hour=4, minute=40))
def recount_segments():
    """After `recompute_rfm_and_tiers` (04:00) moves the figures: every segment's members written down again."""
    from customers import services

    return services.segments_recount_all()
