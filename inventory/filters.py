from datetime import timedelta

import django_filters
from django import forms
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inventory.models import (
    PurchaseOrder,
    StockBatch,
    StockLevel,
    StockMovement,
    Stocktake,
    Supplier,
    SupplierSku,
    Warehouse,
)
from shop.lists import FilterSet, IdFilter

DATE = {"widget": forms.DateInput(attrs={"type": "date"})}


class StockLevelFilter(FilterSet):
    warehouse = django_filters.ModelChoiceFilter(label=_("Warehouse"), queryset=Warehouse.objects.all())
    state = django_filters.ChoiceFilter(
        label=_("Stock"),
        method="filter_state",
        empty_label=_("All"),
        choices=[("in", _("Available")), ("out", _("None available")), ("reserved", _("Has reservations"))],
    )

    class Meta:
        model = StockLevel
        fields = ["warehouse", "state"]

    def filter_state(self, queryset, name, value):
        if value == "in":
            return queryset.filter(on_hand__gt=F("reserved"))
        if value == "out":
            return queryset.filter(on_hand__lte=F("reserved"))
        return queryset.filter(reserved__gt=0)


class MovementFilter(FilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=StockMovement.Kind.choices)
    warehouse = django_filters.ModelChoiceFilter(label=_("Warehouse"), queryset=Warehouse.objects.all())
    since = django_filters.DateFilter(label=_("From"), field_name="created_at", lookup_expr="date__gte", **DATE)
    until = django_filters.DateFilter(label=_("To"), field_name="created_at", lookup_expr="date__lte", **DATE)
    # Set by the product page's "view all" link: the movements of every SKU of one product.
    product = IdFilter(label=_("Product"), field_name="sku__product_id")

    class Meta:
        model = StockMovement
        fields = ["kind", "warehouse", "since", "until", "product"]


class WarehouseFilter(FilterSet):
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Warehouse
        fields = ["is_active"]


class SupplierFilter(WarehouseFilter):
    class Meta:
        model = Supplier
        fields = ["is_active"]


class PurchaseOrderFilter(FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=PurchaseOrder.Status.choices)
    supplier = django_filters.ModelChoiceFilter(label=_("Supplier"), queryset=Supplier.objects.all())
    warehouse = django_filters.ModelChoiceFilter(label=_("Warehouse"), queryset=Warehouse.objects.all())

    class Meta:
        model = PurchaseOrder
        fields = ["status", "supplier", "warehouse"]


class StocktakeFilter(FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Stocktake.Status.choices)
    warehouse = django_filters.ModelChoiceFilter(label=_("Warehouse"), queryset=Warehouse.objects.all())

    class Meta:
        model = Stocktake
        fields = ["status", "warehouse"]


EXPIRY_DEFAULT_DAYS = 30


class ExpiringBatchFilter(FilterSet):
    days = django_filters.NumberFilter(
        label=_("Expiring within (days)"), method="filter_days", min_value=0, max_value=3650
    )
    warehouse = django_filters.ModelChoiceFilter(label=_("Warehouse"), queryset=Warehouse.objects.all())

    class Meta:
        model = StockBatch
        fields = ["days", "warehouse"]

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and not data.get("days"):
            data = data.copy()
            data["days"] = str(EXPIRY_DEFAULT_DAYS)
        super().__init__(data, *args, **kwargs)

    def filter_days(self, queryset, name, value):
        return queryset.filter(expires_on__lte=timezone.localdate() + timedelta(days=int(value)))


class SupplierSkuFilter(FilterSet):
    supplier = django_filters.ModelChoiceFilter(label=_("Supplier"), queryset=Supplier.objects.all())

    class Meta:
        model = SupplierSku
        fields = ["supplier"]
