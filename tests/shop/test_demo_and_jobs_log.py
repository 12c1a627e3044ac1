"""The dev defaults stay quiet and speak the store's time: no kombu noise without Redis, local job times."""

import logging
import re
from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from shop.celery import app


def test_without_redis_an_eager_task_logs_no_kombu_hostname_warning(caplog):
    # seed_demo (and every page that queues a task) goes through the producer pool's connection even
    # when tasks run eagerly; a broker URL without a host made kombu warn "No hostname was supplied".
    with caplog.at_level(logging.WARNING, logger="kombu"), app.connection_for_write() as conn:
        conn.info()
    assert [r.getMessage() for r in caplog.records if r.name.startswith("kombu")] == []


def test_the_job_log_shows_times_in_the_store_time_zone(db):
    out = StringIO()
    before = timezone.now()
    call_command("run_jobs", stdout=out, stderr=out)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    assert any(" backup: " in line for line in lines), lines
    shanghai = {timezone.localtime(before + timedelta(seconds=s)).strftime("%Y-%m-%d %H:%M") for s in range(0, 180, 30)}
    assert timezone.get_current_timezone_name() == "Asia/Shanghai"
    for line in lines:
        stamp = re.match(r"(\d{4}-\d{2}-\d{2} \d{2}:\d{2}):\d{2} ", line)
        assert stamp and stamp.group(1) in shanghai, line
