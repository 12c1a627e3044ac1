"""Sales rollups: the figures every sales report and the dashboard read, kept up to date on events.

Days and hours are the store's local ones (settings.TIME_ZONE, Asia/Shanghai). Each figure lands on the day
its event happened, the way Shopify reports sales, so a closed day never changes afterwards:
  - placed: orders placed, by `Order.placed_at`
  - paid (sales): orders paid, units, gross, discounts, shipping, adjustments, paid total, by `Order.paid_at`
  - cancelled: orders cancelled or closed, by `Order.cancelled_at` (their sale, if paid, stays on its day;
    the refund that follows lands on the refund's day)
  - refunds: confirmed refunds, by `Refund.confirmed_at`
  - shipped: orders shipped and their time to ship (shipped_at - paid_at, or placed_at for unpaid COD)
  - payment failures: failed payments by `Payment.received_at` (a failure the customer later paid is removed)

Money: gross = list value (unit price x quantity, to the cent), discounts = every discount on the lines
(gross - discounts = the lines' totals = Order.subtotal - Order.discount), paid = Order.total (lines +
shipping + adjustment). Net sales = gross - discounts - refunds.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from shop.money import MONEY


def _money(label):
    return models.DecimalField(label, default=0, **MONEY)


class OrderFigures(models.Model):
    """The order-level figures SalesDay and SalesDimension both keep."""

    orders_placed = models.IntegerField(_("orders placed"), default=0)
    orders_paid = models.IntegerField(_("orders paid"), default=0)
    units = models.IntegerField(_("units"), default=0)
    gross = _money(_("gross"))
    discounts = _money(_("discounts"))
    shipping = _money(_("shipping"))
    adjustments = _money(_("adjustments"))
    paid = _money(_("paid"))
    refunds = _money(_("refunds"))
    refund_count = models.IntegerField(_("refunds made"), default=0)
    cancellations = models.IntegerField(_("cancellations"), default=0)
    cancelled_paid = models.IntegerField(_("paid orders cancelled"), default=0)

    class Meta:
        abstract = True


class SalesDay(OrderFigures):
    """Order-level figures per local day x channel x province x payment method."""

    day = models.DateField(_("day"))
    channel = models.CharField(_("channel"), max_length=20)
    province = models.CharField(_("province"), max_length=30)
    payment_method = models.CharField(_("payment method"), max_length=20)

    class Meta:
        verbose_name = _("sales per day")
        verbose_name_plural = _("sales per day")
        default_permissions = ()
        permissions = [
            ("view_sales_reports", "Can view the sales reports"),
            ("view_finance_report", "Can view the finance report"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "channel", "province", "payment_method"], name="reports_salesday_key"
            )
        ]

    def __str__(self):
        return f"{self.day} {self.channel} {self.province} {self.payment_method}"


class SalesDimension(OrderFigures):
    """SalesDay's figures added up per local day and one dimension (channel, province or payment method),
    kept with every SalesDay change: a report by one dimension reads a few rows a day (4 channels, ~34
    provinces, 5 methods) instead of every combination of them."""

    class Dimension(models.TextChoices):
        CHANNEL = "channel", _("channel")
        PROVINCE = "province", _("province")
        PAYMENT_METHOD = "payment_method", _("payment method")

    dimension = models.CharField(_("dimension"), max_length=20, choices=Dimension.choices)
    day = models.DateField(_("day"))
    value = models.CharField(_("value"), max_length=30)

    class Meta:
        verbose_name = _("sales per day and dimension")
        verbose_name_plural = _("sales per day and dimension")
        default_permissions = ()
        constraints = [models.UniqueConstraint(fields=["dimension", "day", "value"], name="reports_salesdimension_key")]

    def __str__(self):
        return f"{self.day} {self.dimension}={self.value}"


class SalesDaySku(models.Model):
    """Line-level figures per local day x SKU x channel x province (refunds allocated to the lines)."""

    day = models.DateField(_("day"))
    sku = models.ForeignKey(
        "catalog.Sku", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", verbose_name=_("SKU")
    )
    channel = models.CharField(_("channel"), max_length=20)
    province = models.CharField(_("province"), max_length=30)
    orders_paid = models.IntegerField(_("orders paid"), default=0)
    units = models.IntegerField(_("units"), default=0)
    gross = _money(_("gross"))
    discounts = _money(_("discounts"))
    refunds = _money(_("refunds"))
    refund_units = models.IntegerField(_("units refunded"), default=0)

    class Meta:
        verbose_name = _("sales per day and SKU")
        verbose_name_plural = _("sales per day and SKU")
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["day", "sku", "channel", "province"], name="reports_salesdaysku_key")
        ]
        indexes = [models.Index(fields=["sku", "day"], name="reports_salesdaysku_sku")]

    def __str__(self):
        return f"{self.day} {self.sku_id} {self.channel} {self.province}"


class SalesHour(models.Model):
    """Figures per local hour (day + hour 0-23), kept always: the hour-of-day report, the dashboard's today,
    the anomaly watch's baseline."""

    day = models.DateField(_("day"))
    hour = models.PositiveSmallIntegerField(_("hour"))
    orders_placed = models.IntegerField(_("orders placed"), default=0)
    orders_paid = models.IntegerField(_("orders paid"), default=0)
    paid = _money(_("GMV paid"))
    gross = _money(_("gross"))
    discounts = _money(_("discounts"))
    refunds = _money(_("refunds"))
    refund_count = models.IntegerField(_("refunds made"), default=0)
    cancellations = models.IntegerField(_("cancellations"), default=0)
    payment_failures = models.IntegerField(_("payment failures"), default=0)
    shipped = models.IntegerField(_("orders shipped"), default=0)
    ship_seconds = models.BigIntegerField(_("total time to ship (seconds)"), default=0)

    class Meta:
        verbose_name = _("sales per hour")
        verbose_name_plural = _("sales per hour")
        default_permissions = ()
        constraints = [models.UniqueConstraint(fields=["day", "hour"], name="reports_saleshour_key")]

    def __str__(self):
        return f"{self.day} {self.hour:02d}h"


class PaymentDay(models.Model):
    """Per local day x payment method x settlement batch: the payments captured or flagged that day (gross,
    fees, their orders' discounts), in the row of the batch that holds them (batch 0: none yet), and the
    refunds confirmed that day (always in batch 0: a refund meets a batch by its method and day). The finance
    reports read these instead of payments joined to their orders."""

    day = models.DateField(_("day"))
    method = models.ForeignKey(
        "payments.PaymentMethod",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("payment method"),
    )
    batch = models.BigIntegerField(_("settlement batch"), default=0)  # SettlementBatch id; 0: not settled yet
    payments = models.IntegerField(_("payments"), default=0)
    gross = _money(_("gross"))
    fees = _money(_("fees"))
    discounts = _money(_("discounts"))
    refunds = _money(_("refunds"))
    refund_count = models.IntegerField(_("refunds made"), default=0)

    class Meta:
        verbose_name = _("payments per day")
        verbose_name_plural = _("payments per day")
        default_permissions = ()
        constraints = [models.UniqueConstraint(fields=["day", "method", "batch"], name="reports_paymentday_key")]

    def __str__(self):
        return f"{self.day} {self.method_id} {self.batch}"
