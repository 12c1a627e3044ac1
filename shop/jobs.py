"""The job table of DESIGN §5. A module's tasks.py registers each job with `@job(name, schedule)`;
beat reads `beat_schedule()`, and `manage.py run_job NAME` / `run_jobs --loop` run them without Redis.
"""

from celery import shared_task
from celery.schedules import crontab, schedule  # noqa: F401  (re-exported for the modules' tasks)
from django.db import OperationalError

REGISTRY: dict = {}


def job(name, run_every):
    """Declare a Celery task as the scheduled job `name`; it must only call a service."""

    def decorate(func):
        task = shared_task(
            name=f"houtai.{name}", acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5
        )(func)
        REGISTRY[name] = (task, run_every)
        return task

    return decorate


def load_jobs():
    """Import every app's tasks module so the registry is complete."""
    from shop.celery import app

    app.loader.import_default_modules()
    return REGISTRY


def beat_schedule():
    return {name: {"task": task.name, "schedule": run_every} for name, (task, run_every) in load_jobs().items()}
