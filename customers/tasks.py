"""Customer jobs (DESIGN §5): each only calls a service; each is safe to run twice."""

from shop.jobs import crontab, job


@job("expire_coupons_and_points", crontab(hour=3, minute=0))
def expire_coupons_and_points():
    """Expire the points lots past their date (marketing adds its coupons here later)."""
    from customers import services

    return {"points": services.points_expire_due()}


@job("birthday_points", crontab(hour=0, minute=20))
def birthday_points():
    from customers import services

    return services.points_birthday_grant()
