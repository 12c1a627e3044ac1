"""Customer jobs (DESIGN §5): each only calls a service; each is safe to run twice."""

from shop.jobs import crontab, job


@job("recount_segments", crontab(hour=4, minute=40))
def recount_segments():
    """After `recompute_rfm_and_tiers` (04:00) moves the figures: every segment's members written down again."""
    from customers import services

    return services.segments_recount_all()
