"""Stocktake pages: the list, a new count sheet, counting (on screen or on the printed sheet), approval."""

from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from inventory import forms, lists, selectors, services, state
from inventory.views.common import form_page
from shop.lists import render_list
from shop.permissions import staff_view
from shop.selectors import audit_for_object
from shop.web import form_done, message_submit


@staff_view("inventory.view_stocktake")
def stocktake_list(request):
    return render_list(request, "inventory/stocktake_list.html", lists.StocktakeList(request))


@staff_view("inventory.add_stocktake")
def stocktake_create(request):
    form = forms.StocktakeForm(request.POST or None)
    created = []
    if form_done(
        request,
        form,
        lambda **data: created.append(services.stocktake_start(actor=request.user, **data)),
        _("Count sheet ready: print it, count, then enter the counts."),
    ):
        return redirect(created[0])
    return form_page(request, form, _("New stocktake"))


def _count_form(stocktake, data=None):
    return forms.StocktakeCountForm(data, lines=stocktake.lines.select_related("sku__product").order_by("sku__code"))


def _stocktake_page(request, stocktake, form, template="inventory/stocktake_detail.html"):
    context = {
        "stocktake": stocktake,
        "form": form,
        "lines": form.lines,
        "actions": state.stocktake_actions(stocktake),
        "history": audit_for_object(stocktake)[:20],
    }
    return render(request, template, context)


@staff_view("inventory.view_stocktake")
def stocktake_detail(request, pk):
    stocktake = get_object_or_404(selectors.stocktakes(), pk=pk)
    return _stocktake_page(request, stocktake, _count_form(stocktake))


@staff_view("inventory.view_stocktake")
def stocktake_sheet(request, pk):
    stocktake = get_object_or_404(selectors.stocktakes(), pk=pk)
    return _stocktake_page(request, stocktake, _count_form(stocktake), template="inventory/stocktake_sheet.html")


@staff_view("inventory.change_stocktake")
@require_POST
def stocktake_count(request, pk):
    stocktake = get_object_or_404(selectors.stocktakes(), pk=pk)
    form = _count_form(stocktake, request.POST)
    if form_done(
        request,
        form,
        lambda **data: services.stocktake_count(stocktake=stocktake, counts=form.quantities(), actor=request.user),
        _("Counts saved."),
    ):
        return redirect(stocktake)
    return _stocktake_page(request, stocktake, form)


@staff_view("inventory.approve_stocktake")
@require_POST
def stocktake_approve(request, pk):
    stocktake = get_object_or_404(selectors.stocktakes(), pk=pk)
    message_submit(
        request,
        lambda: services.stocktake_approve(stocktake=stocktake, actor=request.user),
        _("Stocktake approved: variances posted to the ledger."),
    )
    return redirect(stocktake)
