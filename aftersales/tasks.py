"""After-sales jobs (DESIGN §5): each only calls a service; each is safe to run twice."""

from shop.jobs import crontab, job


# -- reviews ---------------------------------------------------------------------------------------------
@job("default_reviews", crontab(minute=40))
def default_reviews():
    """The default positive reviews of auto-completed orders whose review window has just ended."""
    from aftersales import services

    return services.reviews_default_sweep()
