"""Customers: who buys. Member tiers, points, segments and notes arrive with the customers issue."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Customer(models.Model):
    phone = models.CharField(_("mobile phone"), max_length=20, unique=True)
    name = models.CharField(pgettext_lazy("person", "name"), max_length=100)
    email = models.EmailField(_("email"), blank=True)
    created_at = models.DateTimeField(_("customer since"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.name} ({self.masked_phone})"

    @property
    def masked_phone(self):
        """138****8000: what most pages show."""
        return f"{self.phone[:3]}****{self.phone[-4:]}" if len(self.phone) == 11 else self.phone
