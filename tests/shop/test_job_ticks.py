"""One run of a scheduled job per tick, however many beats, workers or `run_jobs --loop` send it (shop.jobs)."""

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from shop.jobs import beat_schedule, job_run_now, kind_of, tick_of
from shop.models import JobRun
from shop.tasks import outbox_dispatch

KIND = kind_of("outbox_dispatch")


def _clear_of_the_minute_boundary():
    """The runs of one test must fall in one tick: wait out the last seconds of a minute."""
    if datetime.now(UTC).second >= 56:
        time.sleep(61 - datetime.now(UTC).second)


def test_beat_sends_every_job_as_a_tick():
    assert all(entry["kwargs"] == {"_tick": True} for entry in beat_schedule().values())


def test_the_tick_is_the_start_of_the_period():
    from shop.jobs import crontab, schedule

    now = datetime(2026, 12, 2, 3, 7, 42, tzinfo=UTC)
    assert tick_of(schedule(60), now) == datetime(2026, 12, 2, 3, 7, tzinfo=UTC)
    assert tick_of(schedule(15 * 60), now) == datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
    assert tick_of(crontab(minute=5), now) == datetime(2026, 12, 2, 3, 7, tzinfo=UTC)


def test_a_second_message_for_the_same_tick_is_recorded_as_skipped_and_run_now_still_runs(db, owner):
    _clear_of_the_minute_boundary()
    outbox_dispatch.apply(kwargs={"_tick": True}, throw=True)
    outbox_dispatch.apply(kwargs={"_tick": True}, throw=True)  # another beat's message for the same minute
    ran = JobRun.objects.get(kind=KIND, state=JobRun.State.DONE)
    skipped = JobRun.objects.get(kind=KIND, state=JobRun.State.SKIPPED)
    assert ran.tick is not None and skipped.result == {"tick": ran.tick.isoformat(), "run": ran.pk}

    run = job_run_now(name="outbox_dispatch", actor=owner, reason="补发积压任务")
    assert run.state == JobRun.State.DONE and run.tick is None  # the operator's run is not a tick's
    outbox_dispatch.apply(throw=True)  # `run_job NAME` by hand: runs too
    assert JobRun.objects.filter(kind=KIND, state=JobRun.State.DONE).count() == 3


def test_the_retry_of_the_message_that_holds_the_tick_runs_it(db):
    """A worker killed mid-way left its row running; the redelivered message (same task id) runs the tick."""
    _clear_of_the_minute_boundary()
    from shop.jobs import schedule

    tick = tick_of(schedule(60))
    held = JobRun.objects.create(
        kind=KIND, label="outbox_dispatch", state=JobRun.State.RUNNING, tick=tick, task_id="m1"
    )
    outbox_dispatch.apply(kwargs={"_tick": True}, task_id="m1", throw=True)
    held.refresh_from_db()
    assert held.state == JobRun.State.DONE and held.finished_at is not None
    outbox_dispatch.apply(kwargs={"_tick": True}, task_id="m2", throw=True)  # another message: skipped
    assert JobRun.objects.filter(kind=KIND).values_list("state", flat=True).order_by("pk")[1] == "skipped"


@pytest.mark.django_db(transaction=True)
def test_four_processes_racing_the_same_tick_run_the_job_once():
    """Four workers (threads, each with its own database connection) get beat's message of one minute at
    the same instant: one runs it, three are recorded as skipped. On PostgreSQL the unique (job, tick) row
    makes the three wait for the first's INSERT and then refuses them; on SQLite the writes are serialised."""
    _clear_of_the_minute_boundary()
    start, errors = threading.Barrier(4), []

    def worker():
        try:
            start.wait()
            outbox_dispatch.apply(kwargs={"_tick": True}, throw=True)
        except Exception as e:  # pragma: no cover - shown in the assertion
            errors.append(repr(e))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    states = sorted(JobRun.objects.filter(kind=KIND).values_list("state", flat=True))
    assert states == ["done", "skipped", "skipped", "skipped"]
    ticks = {r.tick for r in JobRun.objects.filter(kind=KIND, state="done")}
    assert len(ticks) == 1 and datetime.now(UTC) - ticks.pop() < timedelta(minutes=2)
