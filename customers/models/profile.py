"""Customers: who buys, their tags, their addresses, and the figures the member system keeps on them.

The purchase figures (order count, spend, last order) and the RFM scores are written by
customers.services from the order facts the orders app offers (customers never imports orders, DESIGN §1);
`points_balance` always equals the sum of the customer's points ledger.
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.db.models.functions import Right
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shop.china import mask_phone
from shop.money import MONEY

# A phone's last 4 digits (尾号), the lookup staff use most after the whole number (customers.selectors.search)
PHONE_TAIL = Right("phone", 4)


class CustomerTag(models.Model):
    name = models.CharField(pgettext_lazy("tag", "name"), max_length=30, unique=True)

    class Meta:
        verbose_name = _("customer tag")
        verbose_name_plural = _("customer tags")
        ordering = ["name"]

    def __str__(self):
        return self.name


class RfmSegment(models.TextChoices):
    """The eight classic RFM segments (重要价值客户 …): whether R, F and M are each high or low."""

    CHAMPION = "champion", _("Important value customer")
    DEVELOP = "develop", _("Important development customer")
    KEEP = "keep", _("Important retention customer")
    WIN_BACK = "win_back", _("Important win-back customer")
    GENERAL_VALUE = "general_value", _("General value customer")
    GENERAL_DEVELOP = "general_develop", _("General development customer")
    GENERAL_KEEP = "general_keep", _("General retention customer")
    GENERAL_WIN_BACK = "general_win_back", _("General win-back customer")


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
    # Set when the customer is erased on request (customers.services.customer_erase): the record stays, anonymised.
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)
    created_at = models.DateTimeField(_("customer since"), default=timezone.now, db_index=True)
    # The member system's figures (see the module docstring).
    tier = models.ForeignKey(
        "customers.MemberTier",
        verbose_name=_("member tier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customers",
        db_index=False,  # customers_tier_keyset leads with the tier
    )
    order_count = models.PositiveIntegerField(_("orders"), default=0)
    lifetime_spend = models.DecimalField(_("lifetime spend"), default=Decimal("0.00"), **MONEY)
    orders_12m = models.PositiveIntegerField(_("orders in 12 months"), default=0)
    spend_12m = models.DecimalField(_("12-month spend"), default=Decimal("0.00"), **MONEY)
    first_order_at = models.DateTimeField(_("first order"), null=True, blank=True)
    last_order_at = models.DateTimeField(_("last order"), null=True, blank=True)
    rfm_r = models.PositiveSmallIntegerField(_("recency score"), null=True, blank=True)
    rfm_f = models.PositiveSmallIntegerField(_("frequency score"), null=True, blank=True)
    rfm_m = models.PositiveSmallIntegerField(_("monetary score"), null=True, blank=True)
    rfm_segment = models.CharField(_("RFM segment"), max_length=20, choices=RfmSegment.choices, blank=True)
    points_balance = models.IntegerField(_("points balance"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["-created_at", "-id"]
        # The customer list pages by keyset (shop.lists): each filter it offers and each sort has an index
        # that serves it in the order shown (DESIGN §11), so a filtered page reads only its rows.
        indexes = [
            models.Index(fields=["tier", "-created_at", "-id"], name="customers_tier_keyset"),
            models.Index(fields=["rfm_segment", "-created_at", "-id"], name="customers_segment_keyset"),
            models.Index(fields=["-spend_12m", "-id"], name="customers_spend12_keyset"),
            models.Index(fields=["-lifetime_spend", "-id"], name="customers_spend_keyset"),
            models.Index(PHONE_TAIL, name="customers_phone_tail"),
            # and customers_last_order_keyset (last_order_at DESC NULLS LAST, id DESC), made by migration 0004
            # with SQL of its own because SQLite refuses NULLS LAST in an index.
        ]

    def __str__(self):
        return f"{self.name} ({self.masked_phone})"

    def get_absolute_url(self):
        return reverse("customers:customer_detail", args=[self.pk])

    @property
    def masked_phone(self):
        """138****8000: what most pages show."""
        return mask_phone(self.phone)


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
        # The customer list's province filter (the province of the default address).
        indexes = [
            models.Index(
                fields=["province", "customer"], condition=Q(is_default=True), name="customers_default_province"
            )
        ]

    def __str__(self):
        return f"{self.name} {self.province}{self.city}{self.district}{self.detail}"
