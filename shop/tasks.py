from celery import shared_task
from django.db import OperationalError

from shop import backup, exports
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


@job("purge_exports", crontab(minute=35))
def purge_exports():
    """Delete the files of background exports past their expiry (settings.EXPORT_EXPIRE_HOURS)."""
    return exports.exports_purge()


@shared_task(name="houtai.export_list", acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True)
def export_list(run_id, user_id, path, query, language):
    """Write a big list export in the background (shop.exports); safe to run twice."""
    run = exports.export_run(run_id=run_id, user_id=user_id, path=path, query=query, language=language)
    return run.state if run else None
