"""Suppliers, the SKUs they supply, purchase orders and replenishment rules."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inventory.models.stock import Warehouse
from shop.money import MONEY


class Supplier(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    contact_name = models.CharField(_("contact"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    lead_time_days = models.PositiveSmallIntegerField(_("lead time (days)"), default=7)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("inventory:supplier_edit", args=[self.pk])


class SupplierSku(models.Model):
    """A SKU a supplier supplies, at its cost."""

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="items", verbose_name=_("supplier"))
    sku = models.ForeignKey(
        "catalog.Sku", on_delete=models.CASCADE, related_name="supplier_items", verbose_name=_("SKU")
    )
    cost = models.DecimalField(_("cost"), **MONEY)

    class Meta:
        verbose_name = _("supplied SKU")
        verbose_name_plural = _("supplied SKUs")
        constraints = [models.UniqueConstraint(fields=["supplier", "sku"], name="inventory_supplier_sku")]

    def __str__(self):
        return f"{self.supplier} · {self.sku.code}"


class PurchaseOrder(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ORDERED = "ordered", _("Ordered")
        PARTIAL = "partial", _("Partially received")
        RECEIVED = "received", _("Received")
        CANCELLED = "cancelled", _("Cancelled")

    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, related_name="purchase_orders", verbose_name=_("supplier")
    )
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="purchase_orders", verbose_name=_("warehouse")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    ordered_at = models.DateTimeField(_("ordered"), null=True, blank=True)

    class Meta:
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        permissions = [("receive_purchaseorder", "Can receive purchase orders")]
        indexes = [models.Index(fields=["status", "created_at"], name="inventory_po_status_created")]

    def __str__(self):
        return self.number

    @property
    def number(self):
        return f"PO{self.pk:06d}"

    def get_absolute_url(self):
        return reverse("inventory:po_detail", args=[self.pk])


class PurchaseOrderLine(models.Model):
    order = models.ForeignKey(
        PurchaseOrder, on_delete=models.CASCADE, related_name="lines", verbose_name=_("purchase order")
    )
    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+", verbose_name=_("SKU"))
    quantity = models.PositiveIntegerField(_("quantity"))
    received = models.PositiveIntegerField(_("received"), default=0)
    unit_cost = models.DecimalField(_("unit cost"), **MONEY)

    class Meta:
        verbose_name = _("purchase order line")
        verbose_name_plural = _("purchase order lines")
        constraints = [
            models.UniqueConstraint(fields=["order", "sku"], name="inventory_po_line_sku"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="inventory_po_line_qty_gt_0"),
        ]

    def __str__(self):
        return f"{self.order_id} · {self.sku_id} × {self.quantity}"

    @property
    def outstanding(self):
        return max(self.quantity - self.received, 0)


class ReplenishmentRule(models.Model):
    """Reorder rule of a SKU, in whole packs, from the supplier; the position is available + on order.

    Fixed: at or under the reorder point, order up to `order_up_to`.
    Forecast: the target is the daily sales forecast × the supplier's lead time + `safety_stock`, the
    forecast being a simple moving average of the units shipped over the last `window_days` days; under
    the target, order up to it."""

    class Kind(models.TextChoices):
        FIXED = "fixed", _("Fixed reorder point")
        FORECAST = "forecast", _("Sales forecast")

    sku = models.OneToOneField(
        "catalog.Sku", on_delete=models.CASCADE, related_name="replenishment_rule", verbose_name=_("SKU")
    )
    supplier = models.ForeignKey(
        Supplier, on_delete=models.CASCADE, related_name="replenishment_rules", verbose_name=_("supplier")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.FIXED)
    reorder_point = models.PositiveIntegerField(_("reorder point"), default=0)
    order_up_to = models.PositiveIntegerField(_("order up to"), default=0)
    pack_size = models.PositiveIntegerField(_("pack size"), default=1)
    window_days = models.PositiveSmallIntegerField(_("sales window (days)"), default=28)
    safety_stock = models.PositiveIntegerField(_("safety stock"), default=0)

    class Meta:
        verbose_name = _("replenishment rule")
        verbose_name_plural = _("replenishment rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="forecast") | Q(order_up_to__gt=F("reorder_point")),
                name="inventory_repl_up_to_gt_rop",
            ),
            models.CheckConstraint(
                condition=Q(window_days__gte=1, window_days__lte=365), name="inventory_repl_window_days"
            ),
            models.CheckConstraint(condition=Q(pack_size__gte=1), name="inventory_repl_pack_gte_1"),
        ]

    def __str__(self):
        if self.kind == self.Kind.FORECAST:
            return f"{self.sku_id}: {self.window_days}d + {self.safety_stock}"
        return f"{self.sku_id}: {self.reorder_point} → {self.order_up_to}"
