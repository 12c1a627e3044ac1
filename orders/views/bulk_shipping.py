"""Shipping many orders from an uploaded CSV (the rules, the limit and the background run: the service)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from orders import services
from orders.forms import ShipCsvForm
from shop.permissions import staff_view
from shop.web import form_submit


@staff_view("orders.ship_order")
def ship_csv(request):
    form = ShipCsvForm(request.POST or None, request.FILES or None)
    result = {}
    if request.method == "POST" and form_submit(
        form,
        lambda: result.update(
            started=services.orders_ship_csv_upload(text=form.cleaned_data["file"], actor=request.user)
        ),
    ):
        started = result["started"]
        if started.run is not None:  # long work: a background run with a progress bar
            return redirect("jobrun_detail", started.run.pk)
        shipped = sum(1 for r in started.report if r["ok"])
        messages.success(request, _("%(ok)s of %(n)s rows shipped.") % {"ok": shipped, "n": len(started.report)})
    report = result["started"].report if result else None
    return render(request, "orders/ship_csv.html", {"form": form, "report": report})
