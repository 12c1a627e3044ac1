"""Shipping many orders from an uploaded CSV (order number, carrier code, tracking number), row by row."""
import csv
import io

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from orders.models import Carrier, Order
from orders.services.fulfilment import order_ship
from shop import progress
from shop.errors import DomainError


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
        progress.finish(run_id, result={_("Shipped"): shipped, _("Not shipped"): len(report) - shipped},
                        output=ContentFile(("\ufeff" + out.getvalue()).encode("utf-8"), name="ship-report.csv"))
    return report
