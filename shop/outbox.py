"""Tasks that cannot be lost: the outbox.

`enqueue(task, *args, **kwargs)` writes an OutboxTask row in the caller's transaction and sends it to the broker
once that transaction commits; if the broker is down then (Redis stopped), the page still answers and the row
waits; the `outbox_dispatch` job sends every row still waiting once the broker is back. A row is sent at least
once, so every queued task must be idempotent (DESIGN §3: they are). Without REDIS_URL the task runs in-process
after the commit, as `.delay()` would.

A message the broker accepted can still be lost (a Redis without persistence restarted before a worker took it):
each row is marked done when its task succeeds (the worker's `task_success` signal, by the task id
`outbox-<row>-<attempt>`), and `outbox_dispatch` sends again a row that was sent OUTBOX_REDELIVER_SECONDS ago
(default 10 minutes) and is still not done, up to MAX_ATTEMPTS sends; a row that used them all stays in the
admin's queue with its last error.
"""

import logging
from datetime import timedelta
from functools import partial

from celery import current_app
from celery.signals import task_success
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from shop.models import OutboxTask

log = logging.getLogger(__name__)
KEEP_SENT_DAYS = 7
MAX_ATTEMPTS = 5
TASK_ID_PREFIX = "outbox-"


def redeliver_after() -> timedelta:
    return timedelta(seconds=getattr(settings, "OUTBOX_REDELIVER_SECONDS", 600))


def enqueue(task, *args, robust=False, **kwargs) -> OutboxTask:
    """Queue `task(*args, **kwargs)` durably: sent after the caller's transaction commits, resent if that fails.
    `robust`: an error of the in-process run (no REDIS_URL) is logged instead of reaching the caller."""
    row = OutboxTask.objects.create(task=task.name, args=list(args), kwargs=kwargs)
    transaction.on_commit(partial(outbox_send, row.pk), robust=robust)
    return row


def outbox_send(row_id, *, claim=None) -> bool:
    """Send one row (claimed with a guarded UPDATE, so two dispatchers never both send it): a waiting one, or
    one matching `claim` (the dispatcher's "sent long ago and not done")."""
    now = timezone.now()
    claimed = OutboxTask.objects.filter(Q(pk=row_id) & (claim if claim is not None else Q(sent_at__isnull=True)))
    if not claimed.update(sent_at=now, attempts=F("attempts") + 1):
        return False
    row = OutboxTask.objects.get(pk=row_id)
    try:
        result = current_app.tasks[row.task].apply_async(
            args=row.args, kwargs=row.kwargs, retry=False, task_id=f"{TASK_ID_PREFIX}{row.pk}-{row.attempts}"
        )
    except Exception as e:  # the broker (BrokerError, OSError) or celery's own state (RuntimeError): never lose it
        log.warning("outbox: %s not sent (%s); the outbox_dispatch job will resend it", row.task, e)
        OutboxTask.objects.filter(pk=row_id).update(sent_at=None, last_error=str(e)[:300])
        return False
    if current_app.conf.task_always_eager and result.successful():  # ran here and now: no worker signal comes
        outbox_done(row.pk)
    return True


def outbox_done(row_id) -> None:
    OutboxTask.objects.filter(pk=row_id, done_at__isnull=True).update(done_at=timezone.now())


@task_success.connect(dispatch_uid="shop.outbox.done")
def _task_succeeded(sender=None, **kwargs):
    """On the worker: a task sent from the outbox succeeded, so its row is done."""
    task_id = getattr(getattr(sender, "request", None), "id", None) or ""
    if task_id.startswith(TASK_ID_PREFIX):
        row_id = task_id[len(TASK_ID_PREFIX) :].split("-", 1)[0]
        if row_id.isdigit():
            outbox_done(int(row_id))


def outbox_dispatch(*, now=None, older_than_seconds=30, batch=500) -> dict:
    """Send the rows that waited past their commit (the broker was down, or the process died after the commit),
    oldest first; send again the rows sent long ago whose task never ran (the broker lost the message); forget
    done rows, and rows that used every attempt, after KEEP_SENT_DAYS. The `outbox_dispatch` job."""
    now = now or timezone.now()
    waiting = OutboxTask.objects.filter(
        sent_at__isnull=True, created_at__lte=now - timedelta(seconds=older_than_seconds)
    )
    lost = Q(done_at__isnull=True, sent_at__lte=now - redeliver_after(), attempts__lt=MAX_ATTEMPTS)
    sent = resent = failed = 0
    for queue, claim in ((waiting, None), (OutboxTask.objects.filter(lost), lost)):
        for row_id in queue.order_by("pk").values_list("pk", flat=True)[:batch]:
            if not outbox_send(row_id, claim=claim):
                failed += 1
                break  # the broker is still down (or another dispatcher took it): try again at the next tick
            if claim is None:
                sent += 1
            else:
                resent += 1
        if failed:
            break
    old = now - timedelta(days=KEEP_SENT_DAYS)
    purged, _ = OutboxTask.objects.filter(
        Q(done_at__lt=old) | Q(done_at__isnull=True, sent_at__lt=old, attempts__gte=MAX_ATTEMPTS)
    ).delete()
    return {"sent": sent, "resent": resent, "waiting": failed, "purged": purged}
