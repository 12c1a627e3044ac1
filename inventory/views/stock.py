"""Stock pages: stock and its ledger, receive / adjust / transfer, low stock, expiring batches (turnover: reports)."""

from urllib.parse import urlencode

from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory import forms, lists, services
from inventory.views.common import service_form
from shop.lists import render_list
from shop.permissions import staff_view


@staff_view("inventory.view_stocklevel")
def stock_list(request):
    return render_list(request, "inventory/stock_list.html", lists.StockList(request))


@staff_view("inventory.view_stockmovement")
def movement_list(request):
    return render_list(request, "inventory/movement_list.html", lists.MovementList(request))


@staff_view("inventory.receive_stock")
def stock_receive(request):
    return service_form(
        request, forms.StockReceiveForm, services.stock_receive, _("Receive stock"), _("Stock received.")
    )


@staff_view("inventory.adjust_stock")
def stock_adjust(request):
    return service_form(request, forms.StockAdjustForm, services.stock_adjust, _("Adjust stock"), _("Stock adjusted."))


@staff_view("inventory.transfer_stock")
def stock_transfer(request):
    return service_form(
        request, forms.StockTransferForm, services.stock_transfer, _("Transfer stock"), _("Stock transferred.")
    )


@staff_view("inventory.view_stocklevel")
def low_stock(request):
    return render_list(request, "inventory/low_stock.html", lists.LowStockList(request))


@staff_view("inventory.view_stockbatch")
def expiring_batches(request):
    page = lists.ExpiringBatchList(request)
    return render_list(request, "inventory/expiring_batches.html", page, {"today": timezone.localdate()})


@staff_view("inventory.view_stockmovement")
def turnover(request):
    """The turnover report moved to reports (issue 15): the old address and its options lead there. A link, not an
    import: inventory never imports reports (DESIGN §1)."""
    params = request.GET
    status = params.get("status", "")
    if status in ("dead", "slow"):
        query = {"days": params.get("dead_days" if status == "dead" else "slow_days", "")}
        target = "/reports/inventory-dead-stock/" if status == "dead" else "/reports/inventory-slow-movers/"
    else:
        query = {"per": params.get("group", "")}
        target = "/reports/inventory-turnover/"
    if params.get("start") and params.get("end"):
        query.update(preset="custom", start=params["start"], end=params["end"])
    query = {k: v for k, v in query.items() if v}
    return redirect(f"{target}?{urlencode(query)}" if query else target)
