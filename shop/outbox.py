"""Tasks that cannot be lost: the outbox.

`enqueue(task, *args, **kwargs)` writes an OutboxTask row in the caller's transaction and sends it to the broker
once that transaction commits; if the broker is down then (Redis stopped), the page still answers and the row
waits; the `outbox_dispatch` job sends every row still waiting once the broker is back. A row is sent at least
once, so every queued task must be idempotent (DESIGN §3: they are). Without REDIS_URL the task runs in-process
after the commit, as `.delay()` would.
"""

import logging
from datetime import timedelta
from functools import partial

from celery import current_app
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from shop.models import OutboxTask

log = logging.getLogger(__name__)
KEEP_SENT_DAYS = 7


def enqueue(task, *args, robust=False, **kwargs) -> OutboxTask:
    """Queue `task(*args, **kwargs)` durably: sent after the caller's transaction commits, resent if that fails.
    `robust`: an error of the in-process run (no REDIS_URL) is logged instead of reaching the caller."""
    row = OutboxTask.objects.create(task=task.name, args=list(args), kwargs=kwargs)
    transaction.on_commit(partial(outbox_send, row.pk), robust=robust)
    return row


def outbox_send(row_id) -> bool:
    """Send one waiting row (claimed with a guarded UPDATE, so two dispatchers never both send it)."""
    now = timezone.now()
    if not OutboxTask.objects.filter(pk=row_id, sent_at__isnull=True).update(sent_at=now, attempts=F("attempts") + 1):
        return False
    row = OutboxTask.objects.get(pk=row_id)
    try:
        current_app.tasks[row.task].apply_async(args=row.args, kwargs=row.kwargs, retry=False)
    except Exception as e:  # the broker (BrokerError, OSError) or celery's own state (RuntimeError): never lose it
        log.warning("outbox: %s not sent (%s); the outbox_dispatch job will resend it", row.task, e)
        OutboxTask.objects.filter(pk=row_id).update(sent_at=None, last_error=str(e)[:300])
        return False
    return True


def outbox_dispatch(*, now=None, older_than_seconds=30, batch=500) -> dict:
    """Send the rows that waited past their commit (the broker was down, or the process died after the commit),
    oldest first; forget sent rows after KEEP_SENT_DAYS. The `outbox_dispatch` job."""
    now = now or timezone.now()
    waiting = OutboxTask.objects.filter(
        sent_at__isnull=True, created_at__lte=now - timedelta(seconds=older_than_seconds)
    )
    sent = failed = 0
    for row_id in waiting.order_by("pk").values_list("pk", flat=True)[:batch]:
        if outbox_send(row_id):
            sent += 1
        else:
            failed += 1
            break  # the broker is still down: try again at the next tick
    purged, _ = OutboxTask.objects.filter(sent_at__lt=now - timedelta(days=KEEP_SENT_DAYS)).delete()
    return {"sent": sent, "waiting": failed, "purged": purged}
