"""Stocktakes (count sheets) and their lines."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inventory.models.stock import Warehouse


class Stocktake(models.Model):
    """A count of one warehouse: lines snapshot on-hand at the start; approval posts the variances."""

    class Status(models.TextChoices):
        COUNTING = "counting", _("Counting")
        APPROVED = "approved", _("Approved")

    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="stocktakes", verbose_name=_("warehouse")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.COUNTING)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)

    class Meta:
        verbose_name = _("stocktake")
        verbose_name_plural = _("stocktakes")
        permissions = [("approve_stocktake", "Can approve stocktakes")]

    def __str__(self):
        return self.number

    @property
    def number(self):
        return f"ST{self.pk:06d}"

    def get_absolute_url(self):
        return reverse("inventory:stocktake_detail", args=[self.pk])


class StocktakeLine(models.Model):
    stocktake = models.ForeignKey(
        Stocktake, on_delete=models.CASCADE, related_name="lines", verbose_name=_("stocktake")
    )
    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+", verbose_name=_("SKU"))
    expected = models.IntegerField(_("expected"))
    counted = models.PositiveIntegerField(_("counted"), null=True, blank=True)

    class Meta:
        verbose_name = _("stocktake line")
        verbose_name_plural = _("stocktake lines")
        constraints = [models.UniqueConstraint(fields=["stocktake", "sku"], name="inventory_stocktake_line_sku")]

    def __str__(self):
        return f"{self.stocktake_id} · {self.sku_id}"

    @property
    def variance(self):
        return None if self.counted is None else self.counted - self.expected
