"""Customer jobs (DESIGN §5): each only calls a service; each is safe to run twice."""

from shop.jobs import crontab, job


@job("follow_up_reminders", crontab(minute="*/15"))
def follow_up_reminders():
    from customers import services

    return services.follow_up_reminders()


@job("complaint_sla", crontab(minute="*/15"))
def complaint_sla():
    from customers import services

    return services.messages_sla_check()
