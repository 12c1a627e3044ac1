"""Bundles (套餐): a set of SKUs, each with a quantity, sold together at a bundle price during a window.

The engine (marketing.engine, `_bundle_step`) takes as many whole bundles as the cart's units fit; the
discount is the list total of those units less the bundle price times the number of bundles, split over
the bundle's lines with shop.money.allocate (the cents left over on the largest line).
"""

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from marketing.models.promotions import Kind, Scheduled
from shop.money import MONEY


class Bundle(Scheduled):
    price = models.DecimalField(_("bundle price"), **MONEY)

    kind = Kind.BUNDLE

    class Meta:
        verbose_name = _("bundle")
        verbose_name_plural = _("bundles")
        indexes = [models.Index(fields=["ends_at", "starts_at"], name="marketing_bundle_window")]

    def items_display(self):
        return ", ".join(f"{item.sku.code} × {item.quantity}" for item in self.items.all())

    def list_total(self):
        from shop.money import ZERO, to_cents

        return sum((to_cents(to_cents(i.sku.price) * i.quantity) for i in self.items.all()), ZERO)


class BundleItem(models.Model):
    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="items")
    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+", verbose_name=_("SKU"))
    quantity = models.PositiveIntegerField(_("quantity"), default=1, validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("bundle item")
        verbose_name_plural = _("bundle items")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["bundle", "sku"], name="marketing_bundleitem_bundle_sku")]

    def __str__(self):
        return f"{self.sku} × {self.quantity}"
