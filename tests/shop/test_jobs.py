"""Jobs run from the command line without Redis, and on a real Celery worker when REDIS_URL is set."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from shop import backup
from shop.jobs import beat_schedule


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
    db = connection.settings_dict
    # The worker is another process: it opens the test database itself (SQLite's is a file too).
    url = (
        f"sqlite:///{db['NAME']}"
        if connection.vendor == "sqlite"
        else f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    )
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="tests.settings", DATABASE_URL=url)
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "shop",
            "worker",
            "-Q",
            queue,
            "--pool",
            "solo",
            "--concurrency",
            "1",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "WARNING",
        ],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    app.conf.task_always_eager = False
    try:
        result = backup_job.apply_async(queue=queue)
        path = Path(result.get(timeout=90))
    finally:
        app.conf.task_always_eager = True
        worker.terminate()
        output = worker.communicate(timeout=30)[0].decode(errors="replace")
    assert path.exists(), output
    backup.verify(path)
    path.unlink()
