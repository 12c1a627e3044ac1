from shop import backup
from shop.jobs import crontab, job


@job("backup", crontab(hour=1, minute=0))
def backup_job():
    return str(backup.backup_create())
