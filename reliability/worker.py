"""The Celery worker of the reliability command, with one fault hook: while `<REL_PAUSE_DIR>/armed` exists, a pool
process that reaches the dangerous point of a money or stock job writes a marker `<pid>` naming the job and waits
there, so the command can SIGKILL it at exactly that point:

- refund_send (money): after the provider accepted the refund, before our row records it as sent;
- close_unpaid_orders (stock): after an overdue order was cancelled and its stock released, inside the transaction,
  before the commit.

`python -m reliability.worker worker -Q ... ` takes celery's own arguments.
"""

import os
import time
from pathlib import Path

from celery.signals import worker_process_init

PAUSE_SECONDS = float(os.environ.get("REL_PAUSE_SECONDS", "3"))


def _hold(job, obj):
    folder = os.environ.get("REL_PAUSE_DIR")
    if not folder or not (Path(folder) / "armed").exists():
        return
    spared = Path(folder) / "spared"
    if spared.exists() and f"{job} {obj}" in spared.read_text().splitlines():
        return  # killed here once already: this is the retry
    marker = Path(folder) / f"{os.getpid()}"
    marker.write_text(f"{job} {obj}")
    try:
        time.sleep(PAUSE_SECONDS)
    finally:
        marker.unlink(missing_ok=True)


@worker_process_init.connect
def _install_hooks(**kwargs):
    from orders.services import sweeps
    from payments.services import refund_delivery

    mark_sent = refund_delivery._refund_mark_sent
    cancel = sweeps._cancel

    def held_mark_sent(*, refund_id, **kw):
        _hold("refund_send", refund_id)
        return mark_sent(refund_id=refund_id, **kw)

    def held_cancel(order, **kw):
        result = cancel(order, **kw)
        if kw.get("action") == "close":
            _hold("close_unpaid_orders", order.pk)
        return result

    refund_delivery._refund_mark_sent = held_mark_sent
    sweeps._cancel = held_cancel


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")
    import sys

    from shop.celery import app

    app.start(argv=sys.argv[1:])
