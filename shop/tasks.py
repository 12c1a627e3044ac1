from shop import backup
from shop.jobs import crontab, job, schedule


@job("backup", crontab(hour=1, minute=0))
def backup_job():
    return str(backup.backup_create())


@job("outbox_dispatch", schedule(60))
def outbox_dispatch():
    """Send the queued tasks a broker outage held back (shop.outbox)."""
    from shop.outbox import outbox_dispatch as dispatch

    return dispatch()
