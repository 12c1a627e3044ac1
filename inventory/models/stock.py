"""Warehouses, stock per SKU per warehouse, the stock ledger and its batches, the per-SKU rollup, low-stock
rules and alerts."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Warehouse(models.Model):
    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=20, unique=True)
    province = models.CharField(_("province"), max_length=50)
    city = models.CharField(_("city"), max_length=50, blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=100, help_text=_("Lower numbers are picked first when reserving.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["priority", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("inventory:warehouse_edit", args=[self.pk])


class StockLevel(models.Model):
    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="stock_levels", verbose_name=_("SKU"))
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="stock_levels", verbose_name=_("warehouse")
    )
    on_hand = models.IntegerField(_("on hand"), default=0)
    reserved = models.IntegerField(_("reserved"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    rollup: "SkuStock"  # not a column: the SKU's locked rollup row, attached by services.ledger.lock_levels

    class Meta:
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        permissions = [
            ("adjust_stock", "Can adjust stock"),
            ("receive_stock", "Can receive stock"),
            ("transfer_stock", "Can transfer stock"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["sku", "warehouse"], name="inventory_level_sku_warehouse"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="inventory_level_on_hand_gte_0"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="inventory_level_reserved_gte_0"),
            models.CheckConstraint(condition=Q(reserved__lte=F("on_hand")), name="inventory_level_available_gte_0"),
        ]

    def __str__(self):
        return f"{self.sku.code} @ {self.warehouse.code}"

    @property
    def available(self):
        return self.on_hand - self.reserved


class StockMovement(models.Model):
    """One row of the stock ledger: append-only."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Receipt")
        SALE = "sale", _("Sale (shipped)")
        RESERVATION = "reservation", _("Reservation")
        RELEASE = "release", _("Release")
        RETURN = "return", _("Return")
        ADJUSTMENT = "adjustment", _("Adjustment")
        TRANSFER = "transfer", _("Transfer")
        STOCKTAKE = "stocktake", _("Stocktake")
        ERP_SYNC = "erp_sync", _("ERP sync")

    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+", verbose_name=_("SKU"))
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=_("warehouse"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    on_hand_delta = models.IntegerField(_("on-hand change"), default=0)
    reserved_delta = models.IntegerField(_("reserved change"), default=0)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    reference_type = models.CharField(_("reference type"), max_length=20, blank=True)
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    actor_label = models.CharField(_("by"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    # not a column: [(received_on, expires_on, quantity)] a posting took out of the batches (services.ledger._post)
    batches: list[tuple]

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        indexes = [
            models.Index(fields=["sku", "warehouse"], name="inventory_move_sku_wh"),
            models.Index(fields=["reference_type", "reference"], name="inventory_move_reference"),
            models.Index(fields=["kind", "created_at"], name="inventory_move_kind_created"),
            models.Index(fields=["created_at"], name="inventory_move_created"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.sku_id}@{self.warehouse_id}"

    @property
    def quantity(self):
        return self.on_hand_delta or self.reserved_delta


class LowStockRule(models.Model):
    """A SKU's own low-stock threshold; SKUs without one use the store's default."""

    class Kind(models.TextChoices):
        ABSOLUTE = "absolute", _("Units available")
        DAYS_OF_COVER = "days", _("Days of cover (30-day sales)")

    sku = models.OneToOneField(
        "catalog.Sku", on_delete=models.CASCADE, related_name="low_stock_rule", verbose_name=_("SKU")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.ABSOLUTE)
    value = models.PositiveIntegerField(_("threshold"))

    class Meta:
        verbose_name = _("low-stock rule")
        verbose_name_plural = _("low-stock rules")

    def __str__(self):
        return f"{self.sku.code}: {self.value} ({self.get_kind_display()})"


class LowStockAlert(models.Model):
    """One low-stock episode of a SKU: opened (and alerted once) when it falls to its threshold,
    closed when it is above it again."""

    sku = models.ForeignKey("catalog.Sku", on_delete=models.CASCADE, related_name="+", verbose_name=_("SKU"))
    available = models.IntegerField(_("available"))
    threshold = models.IntegerField(_("threshold"))
    opened_at = models.DateTimeField(_("since"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("low-stock alert")
        verbose_name_plural = _("low-stock alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["sku"], condition=Q(closed_at__isnull=True), name="inventory_one_open_alert_per_sku"
            )
        ]

    def __str__(self):
        return f"{self.sku_id} ≤ {self.threshold}"


class SkuStock(models.Model):
    """Per-SKU rollup of the stock rows in active warehouses, with the SKU's low-stock threshold.

    Kept by `services.ledger._post` under the same locks as the ledger (the rollup row is locked by
    `services.ledger.lock_levels`, in SKU order, after the stock rows), so the low-stock scan reads only the low
    rows through a partial index instead of aggregating every stock row. `threshold` is the SKU's own
    threshold (units, or days of cover turned into units); null means the store default, compared at
    query time so a change of the store setting needs no rewrite. `is_low` is `available <= threshold`
    for SKUs with their own threshold.
    """

    sku = models.OneToOneField(
        "catalog.Sku",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="stock_rollup",
        verbose_name=_("SKU"),
    )
    on_hand = models.IntegerField(_("on hand"), default=0)
    reserved = models.IntegerField(_("reserved"), default=0)
    available = models.IntegerField(_("available"), default=0)
    threshold = models.IntegerField(_("threshold"), null=True, blank=True)
    cover_days = models.PositiveIntegerField(_("days of cover"), null=True, blank=True)
    is_low = models.BooleanField(_("low"), default=False)
    # A copy of Sku.is_active (post_save signal; the low_stock_alerts job re-syncs bulk changes), so the
    # scan never joins the SKU table.
    sku_active = models.BooleanField(_("SKU active"), default=True)

    class Meta:
        verbose_name = _("SKU stock rollup")
        verbose_name_plural = _("SKU stock rollups")
        constraints = [
            models.CheckConstraint(
                condition=Q(available=F("on_hand") - F("reserved")), name="inventory_rollup_available"
            ),
        ]
        indexes = [
            models.Index(fields=["available"], condition=Q(is_low=True, sku_active=True), name="inventory_rollup_low"),
            models.Index(
                fields=["available"],
                condition=Q(threshold__isnull=True, sku_active=True),
                name="inventory_rollup_default",
            ),
        ]

    def __str__(self):
        return f"{self.sku_id}: {self.available}"

    @property
    def code(self):
        return self.sku.code

    def refresh_low(self):
        self.is_low = self.threshold is not None and self.available <= self.threshold


class StockBatch(models.Model):
    """A receipt's units of one SKU in one warehouse, with the day received and an optional expiry.

    Units leave batches first-expiring first, then first-received (batches without an expiry last), when
    on-hand goes down (shipment, negative adjustment, transfer out, stocktake or ERP loss); every on-hand
    increase opens a batch. So, per SKU × warehouse, the batches' `remaining` sums to `on_hand`.
    """

    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+", verbose_name=_("SKU"))
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="batches", verbose_name=_("warehouse")
    )
    received_on = models.DateField(_("received"))
    expires_on = models.DateField(_("expires"), null=True, blank=True)
    quantity = models.PositiveIntegerField(_("quantity received"))
    remaining = models.PositiveIntegerField(_("remaining"))
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("stock batch")
        verbose_name_plural = _("stock batches")
        constraints = [
            models.CheckConstraint(condition=Q(remaining__lte=F("quantity")), name="inventory_batch_remaining"),
        ]
        indexes = [
            models.Index(
                fields=["sku", "warehouse", "expires_on", "received_on"],
                condition=Q(remaining__gt=0),
                name="inventory_batch_fifo",
            ),
            models.Index(
                fields=["expires_on"],
                condition=Q(remaining__gt=0, expires_on__isnull=False),
                name="inventory_batch_expiring",
            ),
        ]

    def __str__(self):
        return f"{self.sku_id}@{self.warehouse_id} {self.received_on} ({self.remaining}/{self.quantity})"
