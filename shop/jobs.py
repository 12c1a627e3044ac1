"""The job table of DESIGN §5. A module's tasks.py registers each job with `@job(name, schedule)`;
beat reads `beat_schedule()`, and `manage.py run_job NAME` / `run_jobs --loop` run them without Redis.

Every run of a job is recorded as a `JobRun` (kind "job:<name>"): started, finished, state, what the job
returned, the items it processed, and on failure the error (shown to staff) with its traceback (admin
only); a failed run notifies the owners. Operators run a job again with `job_run_now` (audited).

One run per tick, however many beats and workers: beat (and `run_jobs --loop`) send a job with `_tick=True`,
and its run claims the row (job, tick) in the database — the tick is the start of the job's period (a minute
for crontab jobs), and a unique constraint lets one process have it. Another beat's message for the same tick
is recorded as a `skipped` run pointing at the one that ran. A retry of the same Celery message (autoretry,
or a redelivery after its worker died) takes over its own tick. The database decides, not the cache: it works
on SQLite and while Redis is down. A run by hand (`job_run_now`, `run_job`) has no tick and always runs.
"""

import json
import logging
import traceback
from datetime import UTC, datetime
from functools import wraps

from celery import shared_task
from celery.schedules import crontab, schedule  # noqa: F401  (re-exported for the modules' tasks)
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, OperationalError, transaction

log = logging.getLogger(__name__)
REGISTRY: dict = {}
KIND_PREFIX = "job:"


def kind_of(name) -> str:
    return f"{KIND_PREFIX}{name}"


def name_of(kind) -> str | None:
    """The job name of a JobRun kind, or None for a run that is not a scheduled job (an import, an export)."""
    return kind[len(KIND_PREFIX) :] if kind and kind.startswith(KIND_PREFIX) else None


def job(name, run_every):
    """Declare a Celery task as the scheduled job `name`; it must only call a service. Each run is recorded."""

    def decorate(func):
        @wraps(func)
        def recorded(*args, _run_by=None, _tick=False, **kwargs):
            tick = tick_of(run_every) if _tick and _run_by is None else None
            return _run_recorded(name, func, args, kwargs, run_by=_run_by, tick=tick)

        task = shared_task(
            name=f"houtai.{name}",
            acks_late=True,
            autoretry_for=(OperationalError,),
            retry_backoff=True,
            max_retries=5,
            ignore_result=False,  # beat and the operators' run-now queue jobs, never a page: their result is kept
        )(recorded)
        REGISTRY[name] = (task, run_every)
        return task

    return decorate


def _jsonable(value):
    try:
        return json.loads(json.dumps(value, cls=DjangoJSONEncoder))
    except (TypeError, ValueError):
        return str(value)


def items_processed(result) -> int:
    """What a job's return value says it processed: a number, a list's length, or a dict's numbers summed."""
    if isinstance(result, bool) or result is None:
        return 0
    if isinstance(result, int):
        return max(result, 0)
    if isinstance(result, (list, tuple, set)):
        return len(result)
    if isinstance(result, dict):
        return sum(items_processed(v) for v in result.values() if not isinstance(v, str))
    return 0


def tick_of(run_every, now=None) -> datetime:
    """The start of the period `now` falls in: every `run_every` seconds from the epoch for an interval
    schedule, the minute for a crontab (it fires at most once a minute)."""
    seconds = getattr(run_every, "run_every", None)
    period = max(int(seconds.total_seconds()), 1) if seconds is not None else 60
    stamp = (now or datetime.now(UTC)).timestamp()
    return datetime.fromtimestamp(stamp - stamp % period, UTC)


def _current_task_id() -> str:
    from celery import current_task

    return str(getattr(getattr(current_task, "request", None), "id", None) or "")[:64]


def _claim_tick(name, tick):
    """The run that holds (job, tick) for this process, or None when another message already has it (then a
    skipped run is recorded)."""
    from django.utils import timezone

    from shop.models import JobRun

    task_id = _current_task_id()
    try:
        with transaction.atomic():
            return JobRun.objects.create(
                kind=kind_of(name), label=name, state=JobRun.State.RUNNING, tick=tick, task_id=task_id
            )
    except IntegrityError:
        pass
    holder = JobRun.objects.filter(kind=kind_of(name), tick=tick).first()
    if holder is not None and task_id and holder.task_id == task_id and holder.state != JobRun.State.DONE:
        # A retry of the message that holds the tick (it failed on the database, or its worker died mid-way).
        JobRun.objects.filter(pk=holder.pk).update(state=JobRun.State.RUNNING, error="", traceback="")
        return holder
    now = timezone.now()
    JobRun.objects.create(
        kind=kind_of(name),
        label=name,
        state=JobRun.State.SKIPPED,
        result={"tick": tick.isoformat(), "run": getattr(holder, "pk", None)},
        task_id=task_id,
        created_at=now,
        finished_at=now,
    )
    log.info("job %s skipped: tick %s already run by run %s", name, tick.isoformat(), getattr(holder, "pk", None))
    return None


def _run_recorded(name, func, args, kwargs, *, run_by=None, tick=None):
    from django.utils import timezone

    from shop.models import JobRun

    if tick is None:
        run = JobRun.objects.create(kind=kind_of(name), label=name, state=JobRun.State.RUNNING, created_by_id=run_by)
    elif (run := _claim_tick(name, tick)) is None:
        return None
    try:
        result = func(*args, **kwargs)
    except Exception as e:
        JobRun.objects.filter(pk=run.pk).update(
            state=JobRun.State.FAILED,
            error=(str(e) or e.__class__.__name__)[:5000],
            traceback=traceback.format_exc()[-20000:],
            finished_at=timezone.now(),
        )
        _notify_failure(name, run.pk, e)
        raise
    value = _jsonable(result)
    JobRun.objects.filter(pk=run.pk).update(
        state=JobRun.State.DONE,
        result=value if isinstance(value, dict) else {"value": value},
        done=items_processed(result),
        finished_at=timezone.now(),
    )
    return result


def _notify_failure(name, run_id, error):
    """Tell the owners (in the app and by email) that a job failed, with a link to the run in the admin."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from shop.roles import OWNER
    from shop.services import notify

    try:
        with transaction.atomic():
            notify(
                title=_("Job %(job)s failed") % {"job": name},
                body=(str(error) or error.__class__.__name__)[:500],
                url=reverse("admin:shop_jobrun_change", args=[run_id]),
                kind="job_failed",
                role=OWNER,
                email=True,
            )
    except Exception:
        return


def job_run_now(*, name, actor, reason):
    """Run the scheduled job `name` once now (an operator's repair): audited with the reason; returns the run.

    Without Redis the job runs here and now; with a worker it is queued and the run appears when it starts.
    """
    from django.utils.translation import gettext as _

    from shop.audit import record
    from shop.errors import DomainError
    from shop.models import JobRun

    registry = load_jobs()
    if name not in registry:
        raise DomainError(_("Unknown job %(job)s.") % {"job": name}, code="unknown_job")
    reason = str(reason or "").strip()
    if not reason:
        raise DomainError(_("Say why (it goes to the audit log)."), code="reason_required")
    with transaction.atomic(durable=True):
        record(actor, "settings.job_run_now", None, after={"job": name, "reason": reason[:200]})
    task, _schedule = registry[name]
    latest = JobRun.objects.filter(kind=kind_of(name)).order_by("-pk").values_list("pk", flat=True).first() or 0
    try:
        task.delay(_run_by=getattr(actor, "pk", None))
    except Exception:
        pass
    mine = JobRun.objects.filter(kind=kind_of(name), pk__gt=latest, tick=None).exclude(state=JobRun.State.SKIPPED)
    return mine.order_by("-pk").first()  # not a beat's run of the same moment


KEEP_RUNS_DAYS = 30  # scheduled runs kept (about 6,000 a day: four jobs run every minute); failed ones 3x longer


def job_runs_prune(*, now=None, keep_days=KEEP_RUNS_DAYS, batch=5000) -> int:
    """Delete the records of scheduled runs older than `keep_days` (failed ones: three times as long), in
    batches; staff-started runs (imports, exports) are kept. Returns how many were deleted."""
    from datetime import timedelta

    from django.utils import timezone

    from shop.models import JobRun

    now = now or timezone.now()
    old = JobRun.objects.filter(kind__startswith=KIND_PREFIX).exclude(state=JobRun.State.RUNNING)
    due = old.filter(created_at__lt=now - timedelta(days=keep_days)).exclude(state=JobRun.State.FAILED)
    due_failed = old.filter(state=JobRun.State.FAILED, created_at__lt=now - timedelta(days=3 * keep_days))
    deleted = 0
    for rows in (due, due_failed):
        while ids := list(rows.order_by("pk").values_list("pk", flat=True)[:batch]):
            deleted += JobRun.objects.filter(pk__in=ids).delete()[0]
    return deleted


def load_jobs():
    """Import every app's tasks module so the registry is complete."""
    from shop.celery import app

    app.loader.import_default_modules()
    return REGISTRY


def beat_schedule():
    """Beat's entries; each sends `_tick=True`, so a second beat (another host) adds no second run per tick."""
    return {
        name: {"task": task.name, "schedule": run_every, "kwargs": {"_tick": True}}
        for name, (task, run_every) in load_jobs().items()
    }
