"""Inventory pages: thin — parse the request, call a service or a selector, render."""

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from inventory import forms, selectors, services, state
from inventory.filters import (
    ExpiringBatchFilter,
    MovementFilter,
    PurchaseOrderFilter,
    StockLevelFilter,
    StocktakeFilter,
    SupplierFilter,
    SupplierSkuFilter,
    WarehouseFilter,
)
from shop import labels
from shop.lists import Column, ListPage, render_list
from shop.money import to_cents
from shop.permissions import staff_view
from shop.related import related
from shop.selectors import audit_for_object
from shop.web import form_submit, message_submit


def _submit(request, form, call):
    """Run a service with a valid posted form; a DomainError lands on its fields or the form."""
    return request.method == "POST" and form_submit(form, lambda: call(**form.cleaned_data))


def _form_page(request, form, title, template="inventory/form.html", **extra):
    return render(request, template, {"form": form, "title": title, **extra})


# -- stock ------------------------------------------------------------------------------------------
@staff_view("inventory.view_stocklevel")
def stock_list(request):
    page = ListPage(
        request,
        selectors.stock_levels(),
        columns=[
            Column("sku__code", gettext_lazy("SKU code")),
            Column("sku__product__name", gettext_lazy("Product")),
            Column(
                "warehouse__name", gettext_lazy("Warehouse"), order_by=("warehouse__priority", "warehouse_id")
            ),
            Column("on_hand", gettext_lazy("On hand")),
            Column("reserved", gettext_lazy("Reserved")),
            Column("available_units", gettext_lazy("Available")),
            Column("updated_at", gettext_lazy("Updated")),
        ],
        filterset_class=StockLevelFilter,
        search_fields=("sku__code__istartswith", "sku__product__name__icontains"),
        default_ordering="sku__code",
        export_name="stock",
    )
    return render_list(request, "inventory/stock_list.html", page)


@staff_view("inventory.view_stockmovement")
def movement_list(request):
    page = ListPage(
        request,
        selectors.movements(),
        columns=[
            Column("created_at", gettext_lazy("When")),
            Column("sku__code", gettext_lazy("SKU code")),
            Column("warehouse__name", gettext_lazy("Warehouse")),
            Column("kind", gettext_lazy("Kind"), value=lambda m: m.get_kind_display()),
            Column("on_hand_delta", gettext_lazy("On-hand change")),
            Column("reserved_delta", gettext_lazy("Reserved change")),
            Column(
                "reference",
                gettext_lazy("Reference"),
                value=lambda m: labels.reference_label(m.reference_type, m.reference),
            ),
            Column("reason", gettext_lazy("Reason"), sortable=False),
            Column("actor_label", gettext_lazy("By"), value=lambda m: labels.actor_label(m.actor_label)),
        ],
        filterset_class=MovementFilter,
        search_fields=("sku__code__istartswith", "reference__istartswith"),
        default_ordering="-created_at",
        export_name="stock-ledger",
    )
    return render_list(request, "inventory/movement_list.html", page)


def _service_form(request, form_class, service, title, done, success_url="inventory:stock_list"):
    """A form page whose valid post calls `service(actor=..., **cleaned_data)`; GET parameters prefill it."""
    form = form_class(request.POST or None, initial=request.GET.dict())
    if _submit(request, form, lambda **data: service(actor=request.user, **data)):
        messages.success(request, done)
        return redirect(success_url)
    return _form_page(request, form, title)


@staff_view("inventory.receive_stock")
def stock_receive(request):
    return _service_form(
        request, forms.StockReceiveForm, services.stock_receive, _("Receive stock"), _("Stock received.")
    )


@staff_view("inventory.adjust_stock")
def stock_adjust(request):
    return _service_form(
        request, forms.StockAdjustForm, services.stock_adjust, _("Adjust stock"), _("Stock adjusted.")
    )


@staff_view("inventory.transfer_stock")
def stock_transfer(request):
    return _service_form(
        request,
        forms.StockTransferForm,
        services.stock_transfer,
        _("Transfer stock"),
        _("Stock transferred."),
    )


# -- low stock --------------------------------------------------------------------------------------
@staff_view("inventory.view_stocklevel")
def low_stock(request):
    page = ListPage(
        request,
        selectors.low_stock(),
        columns=[
            Column("sku__code", gettext_lazy("SKU code")),
            Column("sku__product__name", gettext_lazy("Product")),
            Column("on_hand", gettext_lazy("On hand")),
            Column("reserved", gettext_lazy("Reserved")),
            Column("available", gettext_lazy("Available")),
            Column("limit", gettext_lazy("Threshold")),
        ],
        search_fields=("sku__code__istartswith", "sku__product__name__icontains"),
        default_ordering="available",
        export_name="low-stock",
    )
    return render_list(request, "inventory/low_stock.html", page)


@staff_view("inventory.view_stockbatch")
def expiring_batches(request):
    page = ListPage(
        request,
        selectors.expiring_batches(),
        columns=[
            Column("expires_on", gettext_lazy("Expires")),
            Column(
                "days_left",
                gettext_lazy("Days left"),
                sortable=False,
                value=lambda b: (b.expires_on - timezone.localdate()).days,
            ),
            Column("sku__code", gettext_lazy("SKU code")),
            Column("sku__product__name", gettext_lazy("Product")),
            Column(
                "warehouse__name", gettext_lazy("Warehouse"), order_by=("warehouse__priority", "warehouse_id")
            ),
            Column("remaining", gettext_lazy("Units left")),
            Column("received_on", gettext_lazy("Received")),
            Column("reference", gettext_lazy("Reference"), sortable=False),
        ],
        filterset_class=ExpiringBatchFilter,
        search_fields=("sku__code__istartswith", "sku__product__name__icontains"),
        default_ordering="expires_on",
        export_name="expiring-batches",
    )
    return render_list(request, "inventory/expiring_batches.html", page, {"today": timezone.localdate()})


@staff_view("inventory.view_lowstockrule")
def rule_list(request):
    page = ListPage(
        request,
        selectors.low_stock_rules(),
        columns=[
            Column("sku__code", gettext_lazy("SKU code")),
            Column("sku__product__name", gettext_lazy("Product")),
            Column("kind", gettext_lazy("Kind"), value=lambda r: r.get_kind_display()),
            Column("value", gettext_lazy("Threshold")),
        ],
        search_fields=("sku__code__istartswith",),
        default_ordering="sku__code",
        export_name="low-stock-rules",
    )
    return render_list(request, "inventory/rule_list.html", page)


@staff_view("inventory.view_replenishmentrule")
def replenishment_list(request):
    page = ListPage(
        request,
        selectors.replenishment_rules(),
        columns=[
            Column("sku__code", gettext_lazy("SKU code")),
            Column("sku__product__name", gettext_lazy("Product")),
            Column("supplier__name", gettext_lazy("Supplier")),
            Column("kind", gettext_lazy("Kind"), value=lambda r: r.get_kind_display()),
            Column("reorder_point", gettext_lazy("Reorder point")),
            Column("order_up_to", gettext_lazy("Order up to")),
            Column("window_days", gettext_lazy("Sales window (days)")),
            Column("safety_stock", gettext_lazy("Safety stock")),
            Column("supplier__lead_time_days", gettext_lazy("Lead time (days)")),
            Column("pack_size", gettext_lazy("Pack size")),
        ],
        search_fields=("sku__code__istartswith", "supplier__name__icontains"),
        default_ordering="sku__code",
        export_name="replenishment-rules",
    )
    return render_list(request, "inventory/replenishment_list.html", page)


def _rule_delete(request, rule, service, list_url):
    service(rule=rule, actor=request.user)
    messages.success(request, _("Removed."))
    return redirect(list_url)


@staff_view("inventory.add_lowstockrule")
def rule_set(request):
    return _service_form(
        request,
        forms.LowStockRuleForm,
        services.low_stock_rule_set,
        _("Low-stock threshold"),
        _("Low-stock threshold saved."),
        "inventory:rule_list",
    )


@staff_view("inventory.delete_lowstockrule")
@require_POST
def rule_delete(request, pk):
    return _rule_delete(
        request,
        get_object_or_404(selectors.low_stock_rules(), pk=pk),
        services.low_stock_rule_delete,
        "inventory:rule_list",
    )


@staff_view("inventory.add_replenishmentrule")
def replenishment_set(request):
    return _service_form(
        request,
        forms.ReplenishmentRuleForm,
        services.replenishment_rule_set,
        _("Replenishment rule"),
        _("Saved."),
        "inventory:replenishment_list",
    )


@staff_view("inventory.delete_replenishmentrule")
@require_POST
def replenishment_delete(request, pk):
    return _rule_delete(
        request,
        get_object_or_404(selectors.replenishment_rules(), pk=pk),
        services.replenishment_rule_delete,
        "inventory:replenishment_list",
    )


# -- warehouses and suppliers ---------------------------------------------------------------------------
@staff_view("inventory.view_warehouse")
def warehouse_list(request):
    page = ListPage(
        request,
        selectors.warehouses(),
        columns=[
            Column("code", gettext_lazy("Code")),
            Column("name", gettext_lazy("Name")),
            Column("province", gettext_lazy("Province")),
            Column("city", gettext_lazy("City")),
            Column("priority", gettext_lazy("Priority")),
            Column("is_active", gettext_lazy("Active")),
        ],
        filterset_class=WarehouseFilter,
        search_fields=("name__icontains", "code__istartswith"),
        default_ordering="priority",
        export_name="warehouses",
    )
    return render_list(request, "inventory/warehouse_list.html", page)


def _edit(request, instance, form_class, save, title, list_url, **extra):
    form = form_class(request.POST or None, instance=instance)
    name = form_class._meta.model._meta.model_name  # the service's keyword: warehouse=, supplier=
    if _submit(request, form, lambda **data: save(actor=request.user, **{name: instance}, **data)):
        messages.success(request, _("Saved."))
        return redirect(list_url)
    return _form_page(
        request,
        form,
        title,
        template="inventory/edit.html",
        object=instance,
        history=audit_for_object(instance)[:20] if instance else None,
        **extra,
    )


@staff_view("inventory.add_warehouse")
def warehouse_create(request):
    return _edit(
        request,
        None,
        forms.WarehouseForm,
        services.warehouse_save,
        _("New warehouse"),
        "inventory:warehouse_list",
    )


@staff_view("inventory.change_warehouse")
def warehouse_edit(request, pk):
    warehouse = get_object_or_404(selectors.warehouses(), pk=pk)
    return _edit(
        request,
        warehouse,
        forms.WarehouseForm,
        services.warehouse_save,
        str(warehouse),
        "inventory:warehouse_list",
    )


@staff_view("inventory.view_supplier")
def supplier_list(request):
    page = ListPage(
        request,
        selectors.suppliers(),
        columns=[
            Column("name", gettext_lazy("Name")),
            Column("contact_name", gettext_lazy("Contact")),
            Column("phone", gettext_lazy("Phone")),
            Column("lead_time_days", gettext_lazy("Lead time (days)")),
            Column("is_active", gettext_lazy("Active")),
        ],
        filterset_class=SupplierFilter,
        search_fields=("name__icontains", "contact_name__icontains"),
        default_ordering="name",
        export_name="suppliers",
    )
    return render_list(request, "inventory/supplier_list.html", page)


@staff_view("inventory.add_supplier")
def supplier_create(request):
    return _edit(
        request,
        None,
        forms.SupplierForm,
        services.supplier_save,
        _("New supplier"),
        "inventory:supplier_list",
    )


@staff_view("inventory.change_supplier")
def supplier_edit(request, pk):
    supplier = get_object_or_404(selectors.suppliers(), pk=pk)
    return _edit(
        request,
        supplier,
        forms.SupplierForm,
        services.supplier_save,
        str(supplier),
        "inventory:supplier_list",
        sku_form=forms.SupplierSkuForm(),
        items=related(
            selectors.supplier_items().select_related("sku__product").filter(supplier=supplier).order_by("sku__code"),
            key="supplier-skus",
            title=_("SKUs supplied"),
            url=f"{reverse('inventory:supplied_sku_list')}?supplier={supplier.pk}",
            template="",
        ),
    )


@staff_view("inventory.view_supplier")
def supplied_sku_list(request):
    page = ListPage(
        request,
        selectors.supplier_items().select_related("sku__product"),
        columns=[
            Column("supplier__name", gettext_lazy("Supplier")),
            Column("sku__code", gettext_lazy("SKU code")),
            Column("sku__product__name", gettext_lazy("Product")),
            Column("cost", gettext_lazy("Cost")),
        ],
        filterset_class=SupplierSkuFilter,
        search_fields=("sku__code__istartswith", "sku__product__name__icontains"),
        default_ordering="sku__code",
        export_name="supplied-skus",
    )
    return render_list(request, "inventory/supplied_sku_list.html", page)


@staff_view("inventory.change_supplier")
@require_POST
def supplier_sku_add(request, pk):
    supplier = get_object_or_404(selectors.suppliers(), pk=pk)
    form = forms.SupplierSkuForm(request.POST)
    if _submit(
        request, form, lambda **data: services.supplier_sku_set(supplier=supplier, actor=request.user, **data)
    ):
        messages.success(request, _("Saved."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(supplier)


@staff_view("inventory.change_supplier")
@require_POST
def supplier_sku_remove(request, pk):
    item = get_object_or_404(selectors.supplier_items(), pk=pk)
    services.supplier_sku_remove(item=item, actor=request.user)
    messages.success(request, _("Removed."))
    return redirect(item.supplier)


# -- purchase orders --------------------------------------------------------------------------------
@staff_view("inventory.view_purchaseorder")
def po_list(request):
    page = ListPage(
        request,
        selectors.purchase_orders(),
        columns=[
            Column("id", gettext_lazy("Number"), value=lambda po: po.number),
            Column("supplier__name", gettext_lazy("Supplier")),
            Column("warehouse__name", gettext_lazy("Deliver to")),
            Column("status", gettext_lazy("Status"), value=lambda po: po.get_status_display()),
            Column("created_at", gettext_lazy("Created")),
            Column("ordered_at", gettext_lazy("Ordered")),
        ],
        filterset_class=PurchaseOrderFilter,
        search_fields=("supplier__name__icontains", "note__icontains"),
        default_ordering="-created_at",
        export_name="purchase-orders",
    )
    return render_list(request, "inventory/po_list.html", page)


@staff_view("inventory.add_purchaseorder")
def po_create(request):
    form = forms.PurchaseOrderForm(request.POST or None)
    created = []
    if _submit(
        request,
        form,
        lambda **data: created.append(services.purchase_order_create(actor=request.user, **data)),
    ):
        messages.success(request, _("Purchase order drafted."))
        return redirect(created[0])
    return _form_page(request, form, _("New purchase order"))


def _po_page(request, order, form):
    return render(
        request,
        "inventory/po_detail.html",
        {"order": order, "form": form, "lines": form.lines, "actions": state.purchase_order_actions(order),
         "history": audit_for_object(order)[:20]},
    )


@staff_view("inventory.view_purchaseorder")
def po_detail(request, pk):
    order = get_object_or_404(selectors.purchase_orders(), pk=pk)
    return _po_page(request, order, forms.PurchaseOrderReceiveForm(lines=order.lines.select_related("sku")))


@staff_view("inventory.receive_purchaseorder")
@require_POST
def po_receive(request, pk):
    order = get_object_or_404(selectors.purchase_orders(), pk=pk)
    form = forms.PurchaseOrderReceiveForm(request.POST, lines=order.lines.select_related("sku"))
    if _submit(
        request,
        form,
        lambda **data: services.purchase_order_receive(
            order=order,
            quantities=form.quantities(),
            expiries=form.expiries(),
            confirm_over=data["confirm_over"],
            actor=request.user,
        ),
    ):
        messages.success(request, _("Goods received into stock."))
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


# -- stocktakes -------------------------------------------------------------------------------------
@staff_view("inventory.view_stocktake")
def stocktake_list(request):
    page = ListPage(
        request,
        selectors.stocktakes(),
        columns=[
            Column("id", gettext_lazy("Number"), value=lambda st: st.number),
            Column("warehouse__name", gettext_lazy("Warehouse")),
            Column("status", gettext_lazy("Status"), value=lambda st: st.get_status_display()),
            Column("created_at", gettext_lazy("Created")),
            Column("approved_at", gettext_lazy("Approved")),
            Column("note", gettext_lazy("Note"), sortable=False),
        ],
        filterset_class=StocktakeFilter,
        search_fields=("note__icontains",),
        default_ordering="-created_at",
        export_name="stocktakes",
    )
    return render_list(request, "inventory/stocktake_list.html", page)


@staff_view("inventory.add_stocktake")
def stocktake_create(request):
    form = forms.StocktakeForm(request.POST or None)
    created = []
    if _submit(
        request, form, lambda **data: created.append(services.stocktake_start(actor=request.user, **data))
    ):
        messages.success(request, _("Count sheet ready: print it, count, then enter the counts."))
        return redirect(created[0])
    return _form_page(request, form, _("New stocktake"))


def _stocktake_page(request, stocktake, form, template="inventory/stocktake_detail.html"):
    return render(
        request,
        template,
        {
            "stocktake": stocktake,
            "form": form,
            "lines": form.lines,
            "actions": state.stocktake_actions(stocktake),
            "history": audit_for_object(stocktake)[:20],
        },
    )


def _stocktake_lines(stocktake):
    return stocktake.lines.select_related("sku__product").order_by("sku__code")


@staff_view("inventory.view_stocktake")
def stocktake_detail(request, pk):
    stocktake = get_object_or_404(selectors.stocktakes(), pk=pk)
    return _stocktake_page(request, stocktake, forms.StocktakeCountForm(lines=_stocktake_lines(stocktake)))


@staff_view("inventory.view_stocktake")
def stocktake_sheet(request, pk):
    stocktake = get_object_or_404(selectors.stocktakes(), pk=pk)
    return _stocktake_page(
        request,
        stocktake,
        forms.StocktakeCountForm(lines=_stocktake_lines(stocktake)),
        template="inventory/stocktake_sheet.html",
    )


@staff_view("inventory.change_stocktake")
@require_POST
def stocktake_count(request, pk):
    stocktake = get_object_or_404(selectors.stocktakes(), pk=pk)
    form = forms.StocktakeCountForm(request.POST, lines=_stocktake_lines(stocktake))
    if _submit(
        request,
        form,
        lambda **data: services.stocktake_count(
            stocktake=stocktake, counts=form.quantities(), actor=request.user
        ),
    ):
        messages.success(request, _("Counts saved."))
        return redirect(stocktake)
    return _stocktake_page(request, stocktake, form)


@staff_view("inventory.approve_stocktake")
@require_POST
def stocktake_approve(request, pk):
    stocktake = get_object_or_404(selectors.stocktakes(), pk=pk)
    message_submit(request, lambda: services.stocktake_approve(stocktake=stocktake, actor=request.user),
                   _("Stocktake approved: variances posted to the ledger."))
    return redirect(stocktake)


# -- turnover report --------------------------------------------------------------------------------
class _TurnoverPage(ListPage):
    """Aggregated rows: the report form takes the FilterSet's place (the period shapes the aggregate itself,
    so there is nothing left to filter) and ties are broken by the group's key, never by a row id."""

    form = None

    def filter(self, queryset):
        return queryset

    def filter_form(self):
        return self.form


def _cent(value):
    return to_cents(value)  # SQLite hands sums back with more places


def _figure(name, days):
    return lambda row: selectors.turnover_figures(row, days=days)[name]


def _key(key):
    return lambda row: row[key]


_TURNOVER_LABELS = {
    "sku": [("sku__code", gettext_lazy("SKU code")), ("sku__product__name", gettext_lazy("Product"))],
    "category": [("sku__product__category__name", gettext_lazy("Category"))],
    "warehouse": [("warehouse__name", gettext_lazy("Warehouse"))],
}
_TURNOVER_SEARCH = {
    "sku": ("sku__code__istartswith", "sku__product__name__icontains"),
    "category": ("sku__product__category__name__icontains",),
    "warehouse": ("warehouse__name__icontains", "warehouse__code__istartswith"),
}


def _turnover_columns(group, days):
    none = gettext_lazy("(none)")
    labels = _TURNOVER_LABELS[group]
    return [Column(key, label, value=lambda r, key=key: r[key] or none) for key, label in labels] + [
        Column("opening_value", gettext_lazy("Opening value"), value=lambda r: _cent(r["opening_value"])),
        Column(
            "closing_value", gettext_lazy("Stock value at cost"), value=lambda r: _cent(r["closing_value"])
        ),
        Column(
            "average_value",
            gettext_lazy("Average stock value"),
            sortable=False,
            value=_figure("average_value", days),
        ),
        Column("sold_units", gettext_lazy("Units sold"), value=_key("sold_units")),
        Column("cogs", gettext_lazy("Cost of goods sold"), value=lambda r: _cent(r["cogs"])),
        Column("turnover", gettext_lazy("Turnover"), sortable=False, value=_figure("turnover", days)),
        Column(
            "days_of_inventory",
            gettext_lazy("Days of inventory"),
            sortable=False,
            value=_figure("days_of_inventory", days),
        ),
        Column("closing_units", gettext_lazy("Units at end"), value=_key("closing_units")),
        Column("last_sale", gettext_lazy("Last sale"), value=_key("last_sale")),
    ]


@staff_view("inventory.view_stockmovement")
def turnover(request):
    bound = any(name in request.GET for name in forms.TurnoverForm.base_fields)
    form = forms.TurnoverForm(request.GET if bound else None)
    start, end, group, status, dead_days, slow_days = form.options(timezone.localdate())
    days = (end - start).days + 1
    rows = selectors.turnover(
        start=timezone.make_aware(datetime.combine(start, time.min)),
        end=timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min)),
        group=group,
        dead_days=dead_days,
        slow_days=slow_days,
        status=status,
    )
    page = _TurnoverPage(
        request,
        rows,
        columns=_turnover_columns(group, days),
        form=form,
        search_fields=_TURNOVER_SEARCH[group],
        default_ordering="-cogs",
        export_name=f"turnover-{group}-{start}-{end}",
        tiebreak=selectors.TURNOVER_GROUPS[group][0],
    )
    return render_list(request, "inventory/turnover.html", page, {"start": start, "end": end, "group": group})
