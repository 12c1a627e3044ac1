"""The Celery app. Beat's schedule is the job table of DESIGN §5 (shop.jobs)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")

app = Celery("houtai")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _schedule_jobs(sender, **kwargs):
    from shop.jobs import beat_schedule

    sender.conf.beat_schedule = beat_schedule()
