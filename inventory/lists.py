"""The inventory list pages, declared on the one list class (shop.lists.ListPage); views/ answers them."""

from django.template.defaultfilters import urlencode
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from inventory import filters, selectors
from shop import labels
from shop.lists import Column, ListPage, show, td, when

SKU_SEARCH = ("sku__code__istartswith", "sku__product__name__icontains")
SKU = Column("sku__code", _("SKU code"))
PRODUCT = Column("sku__product__name", _("Product"))
WAREHOUSE_BY_PRIORITY = Column("warehouse__name", _("Warehouse"), order_by=("warehouse__priority", "warehouse_id"))


class StockList(ListPage):
    columns = [
        SKU,
        PRODUCT,
        WAREHOUSE_BY_PRIORITY,
        Column("on_hand", _("On hand")),
        Column("reserved", _("Reserved")),
        Column("available_units", _("Available")),
        Column("updated_at", _("Updated")),
    ]
    filterset_class = filters.StockLevelFilter
    search_fields = SKU_SEARCH
    default_ordering = "sku__code"
    export_name = "stock"

    def scope(self):
        return selectors.stock_levels()

    def row_cells(self):
        """The stock row (shop.lists fast row path), with the adjust and ledger links the user may follow."""
        user = self.request.user
        adjust = escape(reverse("inventory:stock_adjust")) if user.has_perm("inventory.adjust_stock") else None
        ledger = escape(reverse("inventory:movement_list")) if user.has_perm("inventory.view_stockmovement") else None
        adjust_word, ledger_word = escape(gettext("Adjust")), escape(gettext("Ledger"))

        def links(s):
            code = show(urlencode(s.sku.code))
            first = f'<a href="{adjust}?sku={code}&amp;warehouse={s.warehouse_id}">{adjust_word}</a>' if adjust else ""
            then = f'<a href="{ledger}?q={code}&amp;warehouse={s.warehouse_id}">{ledger_word}</a>' if ledger else ""
            html = f"{first}\n{then}"
            return td(html)

        return [
            lambda s: td(show(s.sku.code)),
            lambda s: td(show(s.sku.product.name)),
            lambda s: td(show(s.warehouse.name)),
            lambda s: td(show(s.on_hand), "num"),
            lambda s: td(show(s.reserved), "num"),
            lambda s: td(show(s.available_units), "num"),
            lambda s: td(when(s.updated_at)),
            links,
        ]


class MovementList(ListPage):
    columns = [
        Column("created_at", _("When")),
        SKU,
        Column("warehouse__name", _("Warehouse")),
        Column("kind", _("Kind"), value=lambda m: m.get_kind_display()),
        Column("on_hand_delta", _("On-hand change")),
        Column("reserved_delta", _("Reserved change")),
        Column("reference", _("Reference"), value=lambda m: labels.reference_label(m.reference_type, m.reference)),
        Column("reason", _("Reason"), sortable=False),
        Column("actor_label", _("By"), value=lambda m: labels.actor_label(m.actor_label)),
    ]
    filterset_class = filters.MovementFilter
    search_fields = ("sku__code__istartswith", "reference__istartswith")
    default_ordering = "-created_at"
    export_name = "stock-ledger"

    def scope(self):
        return selectors.movements()


class LowStockList(ListPage):
    columns = [
        SKU,
        PRODUCT,
        Column("on_hand", _("On hand")),
        Column("reserved", _("Reserved")),
        Column("available", _("Available")),
        Column("limit", _("Threshold")),
    ]
    search_fields = SKU_SEARCH
    default_ordering = "available"
    export_name = "low-stock"

    def scope(self):
        return selectors.low_stock()


class ExpiringBatchList(ListPage):
    columns = [
        Column("expires_on", _("Expires")),
        Column("days_left", _("Days left"), sortable=False, value=lambda b: (b.expires_on - timezone.localdate()).days),
        SKU,
        PRODUCT,
        WAREHOUSE_BY_PRIORITY,
        Column("remaining", _("Units left")),
        Column("received_on", _("Received")),
        Column("reference", _("Reference"), sortable=False),
    ]
    filterset_class = filters.ExpiringBatchFilter
    search_fields = SKU_SEARCH
    default_ordering = "expires_on"
    export_name = "expiring-batches"

    def scope(self):
        return selectors.expiring_batches()


class LowStockRuleList(ListPage):
    columns = [
        SKU,
        PRODUCT,
        Column("kind", _("Kind"), value=lambda r: r.get_kind_display()),
        Column("value", _("Threshold")),
    ]
    search_fields = ("sku__code__istartswith",)
    default_ordering = "sku__code"
    export_name = "low-stock-rules"

    def scope(self):
        return selectors.low_stock_rules()


class ReplenishmentRuleList(ListPage):
    columns = [
        SKU,
        PRODUCT,
        Column("supplier__name", _("Supplier")),
        Column("kind", _("Kind"), value=lambda r: r.get_kind_display()),
        Column("reorder_point", _("Reorder point")),
        Column("order_up_to", _("Order up to")),
        Column("window_days", _("Sales window (days)")),
        Column("safety_stock", _("Safety stock")),
        Column("supplier__lead_time_days", _("Lead time (days)")),
        Column("pack_size", _("Pack size")),
    ]
    search_fields = ("sku__code__istartswith", "supplier__name__icontains")
    default_ordering = "sku__code"
    export_name = "replenishment-rules"

    def scope(self):
        return selectors.replenishment_rules()


class WarehouseList(ListPage):
    columns = [
        Column("code", _("Code")),
        Column("name", _("Name")),
        Column("province", _("Province")),
        Column("city", _("City")),
        Column("priority", _("Priority")),
        Column("is_active", _("Active")),
    ]
    filterset_class = filters.WarehouseFilter
    search_fields = ("name__icontains", "code__istartswith")
    default_ordering = "priority"
    export_name = "warehouses"

    def scope(self):
        return selectors.warehouses()


class SupplierList(ListPage):
    columns = [
        Column("name", _("Name")),
        Column("contact_name", _("Contact")),
        Column("phone", _("Phone")),
        Column("lead_time_days", _("Lead time (days)")),
        Column("is_active", _("Active")),
    ]
    filterset_class = filters.SupplierFilter
    search_fields = ("name__icontains", "contact_name__icontains")
    default_ordering = "name"
    export_name = "suppliers"

    def scope(self):
        return selectors.suppliers()


class SuppliedSkuList(ListPage):
    columns = [Column("supplier__name", _("Supplier")), SKU, PRODUCT, Column("cost", _("Cost"))]
    filterset_class = filters.SupplierSkuFilter
    search_fields = SKU_SEARCH
    default_ordering = "sku__code"
    export_name = "supplied-skus"

    def scope(self):
        return selectors.supplier_items().select_related("sku__product")


class PurchaseOrderList(ListPage):
    columns = [
        Column("id", _("Number"), value=lambda po: po.number),
        Column("supplier__name", _("Supplier")),
        Column("warehouse__name", _("Deliver to")),
        Column("status", _("Status"), value=lambda po: po.get_status_display()),
        Column("created_at", _("Created")),
        Column("ordered_at", _("Ordered")),
    ]
    filterset_class = filters.PurchaseOrderFilter
    search_fields = ("supplier__name__icontains", "note__icontains")
    default_ordering = "-created_at"
    export_name = "purchase-orders"

    def scope(self):
        return selectors.purchase_orders()


class StocktakeList(ListPage):
    columns = [
        Column("id", _("Number"), value=lambda st: st.number),
        Column("warehouse__name", _("Warehouse")),
        Column("status", _("Status"), value=lambda st: st.get_status_display()),
        Column("created_at", _("Created")),
        Column("approved_at", _("Approved")),
        Column("note", _("Note"), sortable=False),
    ]
    filterset_class = filters.StocktakeFilter
    search_fields = ("note__icontains",)
    default_ordering = "-created_at"
    export_name = "stocktakes"

    def scope(self):
        return selectors.stocktakes()
