"""Customers: who buys, their tags and their addresses. Member tiers, points, segments and notes arrive later."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CustomerTag(models.Model):
    name = models.CharField(pgettext_lazy("tag", "name"), max_length=30, unique=True)

    class Meta:
        verbose_name = _("customer tag")
        verbose_name_plural = _("customer tags")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Customer(models.Model):
    class Gender(models.TextChoices):
        UNKNOWN = "unknown", _("Unknown")
        MALE = "male", _("Male")
        FEMALE = "female", _("Female")

    class Source(models.TextChoices):
        WEB = "web", _("Web store")
        APP = "app", _("App")
        MINI_PROGRAM = "mini_program", _("Mini program")
        OFFLINE = "offline", _("Offline store")
        IMPORT = "import", _("Imported")

    phone = models.CharField(_("mobile phone"), max_length=20, unique=True)
    name = models.CharField(pgettext_lazy("person", "name"), max_length=100)
    email = models.EmailField(_("email"), blank=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, default=Gender.UNKNOWN)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.WEB, db_index=True)
    tags = models.ManyToManyField(CustomerTag, verbose_name=_("tags"), blank=True, related_name="customers")
    blacklisted = models.BooleanField(_("blacklisted"), default=False)
    blacklist_reason = models.CharField(_("blacklist reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("customer since"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.name} ({self.masked_phone})"

    def get_absolute_url(self):
        return reverse("customers:customer_detail", args=[self.pk])

    @property
    def masked_phone(self):
        """138****8000: what most pages show."""
        return f"{self.phone[:3]}****{self.phone[-4:]}" if len(self.phone) == 11 else self.phone


class CustomerAddress(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="addresses")
    name = models.CharField(_("recipient"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20)
    province = models.CharField(_("province"), max_length=30)
    city = models.CharField(_("city"), max_length=30)
    district = models.CharField(_("district"), max_length=30)
    detail = models.CharField(_("street address"), max_length=200)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    is_default = models.BooleanField(_("default address"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("customer address")
        verbose_name_plural = _("customer addresses")
        ordering = ["-is_default", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"], condition=Q(is_default=True), name="customer_one_default_address"
            )
        ]

    def __str__(self):
        return f"{self.name} {self.province}{self.city}{self.district}{self.detail}"
