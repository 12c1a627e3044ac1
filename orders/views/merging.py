"""Merging orders to ship together, and the printed pages (packing slips, pick list)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from orders import selectors, services
from orders.lists import MAX_IDS
from shop.errors import DomainError
from shop.lists import parse_ids
from shop.permissions import staff_view


def _ids(values):
    return parse_ids(values, limit=MAX_IDS)


def _printed(request):
    ids = _ids(request.GET.getlist("ids"))
    return list(selectors.orders_by_ids(ids)) if ids else []


@staff_view("orders.view_order")
def packing_slips(request):
    return render(request, "orders/packing_slips.html", {"orders": _printed(request), "now": timezone.now()})


@staff_view("orders.view_order")
def packing_slip(request, pk):
    orders = list(selectors.orders_by_ids([pk]))
    if not orders:
        raise Http404
    return render(request, "orders/packing_slips.html", {"orders": orders, "now": timezone.now()})


@staff_view("orders.view_order")
def pick_list(request):
    orders = _printed(request)
    return render(
        request,
        "orders/pick_list.html",
        {"orders": orders, "rows": selectors.pick_list_rows(orders), "now": timezone.now()},
    )


@staff_view("orders.change_order")
def merge(request):
    if request.method == "POST":
        orders = list(selectors.orders().filter(pk__in=_ids(request.POST.getlist("ids"))))
        try:
            lead = services.orders_merge(orders=orders, actor=request.user)
        except DomainError as e:
            messages.error(request, e.message)
            return redirect("orders:merge")
        messages.success(request, _("Orders merged: they ship together with %(n)s.") % {"n": lead.number})
        return redirect(lead)
    ids = _ids(request.GET.getlist("ids"))
    chosen = list(selectors.orders_by_ids(ids)) if ids else []
    return render(
        request,
        "orders/merge.html",
        {
            "chosen": chosen,
            "problems": services.merge_problems(chosen) if chosen else [],
            "candidates": [] if chosen else selectors.merge_candidates(),
        },
    )
