"""Purchasing pages: suppliers, the SKUs they supply, purchase orders."""

from functools import partial

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from inventory import forms, lists, selectors, services, state
from inventory.views.common import edit, form_page
from shop.lists import render_list
from shop.permissions import staff_view
from shop.related import related
from shop.selectors import audit_for_object
from shop.web import form_done, message_submit


@staff_view("inventory.view_supplier")
def supplier_list(request):
    return render_list(request, "inventory/supplier_list.html", lists.SupplierList(request))


@staff_view("inventory.add_supplier")
def supplier_create(request):
    return edit(request, None, forms.SupplierForm, services.supplier_save, _("New supplier"), "inventory:supplier_list")


@staff_view("inventory.change_supplier")
def supplier_edit(request, pk):
    supplier = get_object_or_404(selectors.suppliers(), pk=pk)
    items = selectors.supplier_items().select_related("sku__product").filter(supplier=supplier).order_by("sku__code")
    return edit(
        request,
        supplier,
        forms.SupplierForm,
        services.supplier_save,
        str(supplier),
        "inventory:supplier_list",
        sku_form=forms.SupplierSkuForm(),
        items=related(
            items,
            key="supplier-skus",
            title=_("SKUs supplied"),
            url=f"{reverse('inventory:supplied_sku_list')}?supplier={supplier.pk}",
            template="",
        ),
    )


@staff_view("inventory.view_supplier")
def supplied_sku_list(request):
    return render_list(request, "inventory/supplied_sku_list.html", lists.SuppliedSkuList(request))


@staff_view("inventory.change_supplier")
@require_POST
def supplier_sku_add(request, pk):
    supplier = get_object_or_404(selectors.suppliers(), pk=pk)
    form = forms.SupplierSkuForm(request.POST)
    save = partial(services.supplier_sku_set, supplier=supplier, actor=request.user)
    if not form_done(request, form, save, _("Saved.")):
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(supplier)


@staff_view("inventory.change_supplier")
@require_POST
def supplier_sku_remove(request, pk):
    item = get_object_or_404(selectors.supplier_items(), pk=pk)
    services.supplier_sku_remove(item=item, actor=request.user)
    messages.success(request, _("Removed."))
    return redirect(item.supplier)


@staff_view("inventory.view_purchaseorder")
def po_list(request):
    return render_list(request, "inventory/po_list.html", lists.PurchaseOrderList(request))


@staff_view("inventory.add_purchaseorder")
def po_create(request):
    form = forms.PurchaseOrderForm(request.POST or None)
    created = []

    def create(**data):
        created.append(services.purchase_order_create(actor=request.user, **data))

    if form_done(request, form, create, _("Purchase order drafted.")):
        return redirect(created[0])
    return form_page(request, form, _("New purchase order"))


def _po_page(request, order, form):
    context = {
        "order": order,
        "form": form,
        "lines": form.lines,
        "actions": state.purchase_order_actions(order),
        "history": audit_for_object(order)[:20],
    }
    return render(request, "inventory/po_detail.html", context)


def _receive_form(order, data=None):
    return forms.PurchaseOrderReceiveForm(data, lines=order.lines.select_related("sku"))


@staff_view("inventory.view_purchaseorder")
def po_detail(request, pk):
    order = get_object_or_404(selectors.purchase_orders(), pk=pk)
    return _po_page(request, order, _receive_form(order))


@staff_view("inventory.receive_purchaseorder")
@require_POST
def po_receive(request, pk):
    order = get_object_or_404(selectors.purchase_orders(), pk=pk)
    form = _receive_form(order, request.POST)
    if form_done(
        request,
        form,
        lambda **data: services.purchase_order_receive(
            order=order,
            quantities=form.quantities(),
            expiries=form.expiries(),
            confirm_over=data["confirm_over"],
            actor=request.user,
        ),
        _("Goods received into stock."),
    ):
        return redirect(order)
    return _po_page(request, order, form)


def _po_action(request, pk, service, done):
    order = get_object_or_404(selectors.purchase_orders(), pk=pk)
    message_submit(request, lambda: service(order=order, actor=request.user), done)
    return redirect("inventory:po_detail", pk=pk)


@staff_view("inventory.change_purchaseorder")
@require_POST
def po_place(request, pk):
    return _po_action(request, pk, services.purchase_order_place, _("Purchase order placed."))


@staff_view("inventory.change_purchaseorder")
@require_POST
def po_cancel(request, pk):
    return _po_action(request, pk, services.purchase_order_cancel, _("Purchase order cancelled."))
