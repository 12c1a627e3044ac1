"""A real Celery worker in another process, for the tests that need one (REDIS_URL set)."""

import os
import subprocess
import sys
from contextlib import contextmanager

from django.conf import settings
from django.db import connection


@contextmanager
def real_worker(queue, *, broker_url=None):
    """`celery -A shop worker -Q queue` (solo pool) on the test database; yields the process, and on exit stops
    it and attaches what it printed as `process.output`. The test's rows must be committed for it to see them
    (django_db(transaction=True))."""
    db = connection.settings_dict
    url = (
        f"sqlite:///{db['NAME']}"
        if connection.vendor == "sqlite"
        else f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    )
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="tests.settings", DATABASE_URL=url)
    if broker_url:
        env["REDIS_URL"] = broker_url
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "shop", "worker", "-Q", queue, "--pool", "solo", "--concurrency", "1",
         "--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "WARNING"],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        yield worker
    finally:
        worker.terminate()
        worker.output = worker.communicate(timeout=30)[0].decode(errors="replace")
