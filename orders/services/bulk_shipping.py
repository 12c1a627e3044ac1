"""Shipping many orders from an uploaded CSV (order number, carrier code, tracking number), row by row.

A short file ships while the clerk waits; a longer one is stored (default storage, imports/) and a background
run with a progress bar reads it by its path, so the rows never travel as task arguments. A file over MAX_ROWS
is refused with its row count, never cut.
"""

import csv
import io
from dataclasses import dataclass
from uuid import uuid4

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from orders import tasks
from orders.models import Carrier, Order
from orders.services.fulfilment import order_ship
from shop import progress
from shop.actors import Actor
from shop.errors import DomainError
from shop.models import JobRun
from shop.outbox import enqueue

MAX_ROWS = 20_000  # rows of one file; split a longer one
SYNC_ROWS = 100  # more rows than this ship in a background run


@dataclass(frozen=True)
class ShipCsvStarted:
    """What an upload led to: the per-row report (shipped at once) or the background run to follow."""

    report: list[dict] | None = None
    run: JobRun | None = None


def ship_csv_rows(text) -> list[list[str]]:
    """The rows of a shipping CSV, or a DomainError saying why the file cannot be used."""
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as e:
        message = _("The file is not a CSV we can read: %(e)s") % {"e": e}
        raise DomainError(message, code="invalid_csv", fields={"file": _("Not a readable CSV file.")}) from None
    if len(rows) > MAX_ROWS:
        message = _(
            "The file has %(n)s rows; at most %(max)s rows can ship from one file. Split it and upload "
            "the parts one by one."
        ) % {"n": len(rows), "max": MAX_ROWS}
        raise DomainError(message, code="too_many_rows", fields={"file": _("Too many rows.")})
    return rows


def orders_ship_csv_upload(*, text, actor) -> ShipCsvStarted:
    """Ship an uploaded CSV now when it is short, or store it and start a background run that ships it."""
    rows = ship_csv_rows(text)
    if len(rows) <= SYNC_ROWS:
        return ShipCsvStarted(report=orders_ship_csv(rows=rows, actor=actor))
    user = Actor.of(actor).user
    path = default_storage.save(f"imports/ship-{uuid4().hex}.csv", ContentFile(text.encode("utf-8")))
    with transaction.atomic(durable=True):
        run = progress.start(
            kind="orders.ship_csv",
            label=_("Ship from CSV"),
            user=user,
            total=len(rows),
            return_url=reverse("orders:order_list"),
        )
        enqueue(tasks.ship_csv, run.pk, path, user.pk if user else None)
    return ShipCsvStarted(run=run)


def orders_ship_csv_stored(*, run_id, path, actor_id) -> None:
    """Ship the stored upload of a background run, then delete it; a run already finished is left alone."""
    if JobRun.objects.filter(pk=run_id, state__in=[JobRun.State.DONE, JobRun.State.FAILED]).exists():
        return
    try:
        with default_storage.open(path, "rb") as f:
            rows = ship_csv_rows(f.read().decode("utf-8"))
        actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
        orders_ship_csv(rows=rows, actor=actor, run_id=run_id)
    except Exception as e:  # the run shows what went wrong
        progress.fail(run_id, error=e)
        raise
    finally:
        default_storage.delete(path)


def orders_ship_csv(*, rows, actor, run_id=None) -> list[dict]:
    """Ship each row (order number, carrier code, tracking number) on its own; report every row.

    With `run_id` (a background run) it reports progress and leaves the report as the run's CSV output.
    Safe to run twice: a row already shipped is reported as such.
    """
    carriers = {c.code: c for c in Carrier.objects.all()}
    report = []
    if run_id:
        progress.step(run_id, done=0, total=len(rows))
    for i, row in enumerate(rows, start=1):
        if run_id and i % 20 == 0:
            progress.step(run_id, done=i)
        cells = [str(c).strip() for c in row] + ["", "", ""]
        number, code, tracking = cells[:3]
        if i == 1 and not number.isdigit() and not Order.objects.filter(number=number).exists():
            continue  # a header row
        result = {"row": i, "order": number, "carrier": code, "tracking_number": tracking}
        order = Order.objects.filter(number=number).first()
        carrier = carriers.get(code)
        if order is None:
            result.update(ok=False, message=_("Unknown order."))
        elif carrier is None:
            result.update(ok=False, message=_("Unknown carrier code."))
        else:
            try:
                order_ship(order=order, carrier=carrier, tracking_number=tracking, actor=actor)
                result.update(ok=True, message=_("Shipped"))
            except DomainError as e:
                result.update(ok=False, message=e.message)
        report.append(result)
    if run_id:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([_("Row"), _("Order number"), _("Carrier"), _("Tracking number"), _("Result")])
        writer.writerows([r["row"], r["order"], r["carrier"], r["tracking_number"], r["message"]] for r in report)
        shipped = sum(1 for r in report if r["ok"])
        progress.finish(
            run_id,
            result={_("Shipped"): shipped, _("Not shipped"): len(report) - shipped},
            output=ContentFile(("\ufeff" + out.getvalue()).encode("utf-8"), name="ship-report.csv"),
        )
    return report
