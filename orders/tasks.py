"""Order jobs (DESIGN §5): each only calls a service; each is safe to run twice."""

from celery import shared_task

from shop.jobs import crontab, job, schedule


@job("close_unpaid_orders", schedule(60))
def close_unpaid_orders():
    from orders import services

    return services.orders_close_unpaid()


@job("auto_confirm_receipt", crontab(minute=5))
def auto_confirm_receipt():
    from orders import services

    return services.orders_auto_confirm()


@job("auto_complete_orders", crontab(minute=10))
def auto_complete_orders():
    from orders import services

    return services.orders_auto_complete()


@job("purge_intake_keys", crontab(hour=3, minute=30))
def purge_intake_keys():
    from orders import services

    return services.intake_keys_purge()


@shared_task(name="houtai.orders_ship_csv")
def ship_csv(run_id, path, actor_id):
    """Ship the rows of an uploaded CSV, stored at `path`, in the background (a run with a progress bar)."""
    from orders import services

    services.orders_ship_csv_stored(run_id=run_id, path=path, actor_id=actor_id)
