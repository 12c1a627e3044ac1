"""Member tiers (会员等级) and each customer's tier history.

A tier is reached by 12-month spend or by 12-month order count (its `threshold_kind`); the highest
tier whose threshold a customer meets is theirs. `Customer.tier` is set by customers.services (at once
when an order completes, and by the nightly `recompute_rfm_and_tiers` job, which also downgrades);
every change is a `TierChange` row, shown on the customer's timeline.
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shop.money import MONEY


class MemberTier(models.Model):
    class ThresholdKind(models.TextChoices):
        SPEND = "spend", _("12-month spend")
        ORDERS = "orders", _("12-month order count")

    name = models.CharField(pgettext_lazy("tier", "name"), max_length=40, unique=True)
    rank = models.PositiveSmallIntegerField(
        _("rank"), unique=True, help_text=_("Higher ranks are better tiers; customers get the best tier they reach.")
    )
    threshold_kind = models.CharField(
        _("reached by"), max_length=10, choices=ThresholdKind.choices, default=ThresholdKind.SPEND
    )
    threshold = models.DecimalField(_("threshold"), default=Decimal("0.00"), validators=[MinValueValidator(0)], **MONEY)
    discount_percent = models.DecimalField(
        _("member discount (percent off)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    free_shipping = models.BooleanField(_("free shipping"), default=False)
    points_multiplier = models.DecimalField(
        _("points multiplier"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(0), MaxValueValidator(10)],
    )
    birthday_points = models.PositiveIntegerField(_("birthday gift (points)"), default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("member tier")
        verbose_name_plural = _("member tiers")
        ordering = ["rank"]

    def __str__(self):
        return self.name


class TierChange(models.Model):
    class Reason(models.TextChoices):
        ORDER = "order", _("Order completed")
        RECOMPUTE = "recompute", _("Nightly recomputation")
        STAFF = "staff", _("Changed by staff")

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="tier_changes")
    from_tier = models.ForeignKey(MemberTier, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    to_tier = models.ForeignKey(MemberTier, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    reference = models.CharField(_("reference"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("tier change")
        verbose_name_plural = _("tier changes")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["customer", "-created_at"])]

    def __str__(self):
        return f"{self.customer_id}: {self.from_tier} → {self.to_tier}"
