from shop import backup
from shop.jobs import crontab, job, schedule


@job("backup", crontab(hour=1, minute=0))
def backup_job():
    return str(backup.backup_create())


@job("prune_job_runs", crontab(hour=3, minute=50))
def prune_job_runs():
    """The job runs' own records (shop.jobs): a month of scheduled runs, three of failed ones."""
    from shop.jobs import job_runs_prune

    return job_runs_prune()


@job("outbox_dispatch", schedule(60))
def outbox_dispatch():
    """Send the queued tasks a broker outage held back (shop.outbox)."""
    from shop.outbox import outbox_dispatch as dispatch

    return dispatch()
