"""Marketing jobs (DESIGN §5): each only calls a service; each is safe to run twice."""

from shop.jobs import job, schedule


@job("group_buy_deadlines", schedule(60))
def group_buy_deadlines():
    from marketing import groupbuy

    return groupbuy.group_buys_fail_due()


@job("flash_sale_ends", schedule(60))
def flash_sale_ends():
    from marketing import flash

    return flash.flash_sessions_settle()
