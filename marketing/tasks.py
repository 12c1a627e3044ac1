"""Marketing jobs (DESIGN §5): each only calls a service; each is safe to run twice."""

from shop.jobs import crontab, job, schedule


@job("group_buy_deadlines", schedule(60))
def group_buy_deadlines():
    from marketing import groupbuy

    return groupbuy.group_buys_fail_due()


@job("flash_sale_ends", schedule(60))
def flash_sale_ends():
    from marketing import flash

    return flash.flash_sessions_settle()


@job("expire_coupons_and_points", crontab(hour=3, minute=0))
def expire_coupons_and_points():
    """Expire the coupons and the points lots past their date (marketing may call customers, DESIGN §1)."""
    from customers.services import points_expire_due
    from marketing.services import coupons_expire

    return {**coupons_expire(), "points": points_expire_due()}
