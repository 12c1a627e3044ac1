"""Jobs run from the command line without Redis, and on a real Celery worker when REDIS_URL is set."""

import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from shop import backup
from shop.jobs import beat_schedule
from tests.workers import real_worker


def test_beat_schedule_holds_every_registered_job():
    schedule = beat_schedule()
    assert schedule["backup"]["task"] == "houtai.backup"


def test_run_job_refuses_an_unknown_job_with_the_list(db):
    with pytest.raises(CommandError, match="backup"):
        call_command("run_job", "no_such_job")


@pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL for a real worker")
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_on_redis_runs_the_backup_job(tmp_path, make_staff):
    from shop.celery import app
    from shop.tasks import backup_job

    make_staff("owner", username="in_the_dump")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    app.conf.task_always_eager = False
    try:
        with real_worker(queue) as worker:
            result = backup_job.apply_async(queue=queue)
            path = Path(result.get(timeout=90))
    finally:
        app.conf.task_always_eager = True
    output = worker.output
    assert path.exists(), output
    backup.verify(path)
    path.unlink()
