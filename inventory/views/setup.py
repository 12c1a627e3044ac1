"""Setup pages: low-stock thresholds, replenishment rules, warehouses."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from inventory import forms, lists, selectors, services
from inventory.views.common import delete, edit, service_form
from shop.lists import render_list
from shop.permissions import staff_view


@staff_view("inventory.view_lowstockrule")
def rule_list(request):
    return render_list(request, "inventory/rule_list.html", lists.LowStockRuleList(request))


@staff_view("inventory.add_lowstockrule")
def rule_set(request):
    return service_form(
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
    rule = get_object_or_404(selectors.low_stock_rules(), pk=pk)
    return delete(request, rule, services.low_stock_rule_delete, "inventory:rule_list")


@staff_view("inventory.view_replenishmentrule")
def replenishment_list(request):
    return render_list(request, "inventory/replenishment_list.html", lists.ReplenishmentRuleList(request))


@staff_view("inventory.add_replenishmentrule")
def replenishment_set(request):
    return service_form(
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
    rule = get_object_or_404(selectors.replenishment_rules(), pk=pk)
    return delete(request, rule, services.replenishment_rule_delete, "inventory:replenishment_list")


@staff_view("inventory.view_warehouse")
def warehouse_list(request):
    return render_list(request, "inventory/warehouse_list.html", lists.WarehouseList(request))


@staff_view("inventory.add_warehouse")
def warehouse_create(request):
    return edit(
        request, None, forms.WarehouseForm, services.warehouse_save, _("New warehouse"), "inventory:warehouse_list"
    )


@staff_view("inventory.change_warehouse")
def warehouse_edit(request, pk):
    warehouse = get_object_or_404(selectors.warehouses(), pk=pk)
    return edit(
        request, warehouse, forms.WarehouseForm, services.warehouse_save, str(warehouse), "inventory:warehouse_list"
    )
