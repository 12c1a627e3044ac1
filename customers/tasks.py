"""Customer jobs (DESIGN §5): each only calls a service; each is safe to run twice."""

from shop.jobs import crontab, job


@job("recompute_rfm_and_tiers", crontab(hour=4, minute=0))
def recompute_rfm_and_tiers():
    from customers import services

    return services.rfm_and_tiers_recompute()


@job("recompute_recommendations", crontab(hour=4, minute=30))
def recompute_recommendations():
    from customers import services

    return services.recommendations_recompute()


@job("expire_coupons_and_points", crontab(hour=3, minute=0))
def expire_coupons_and_points():
    """Expire the points lots past their date (marketing adds its coupons here later)."""
    from customers import services

    return {"points": services.points_expire_due()}


@job("birthday_points", crontab(hour=0, minute=20))
def birthday_points():
    from customers import services

    return services.points_birthday_grant()
