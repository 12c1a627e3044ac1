"""A/B experiments: customers are split deterministically into weighted variants of a promotion (a coupon
template each, or none for a control group); the report compares the variants and ending the experiment
promotes the winner (its template is then the one issued to everyone)."""

import hashlib

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Experiment(models.Model):
    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        RUNNING = "running", _("Running")
        ENDED = "ended", _("Ended")

    name = models.CharField(_("name"), max_length=100)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    winner = models.ForeignKey(
        "marketing.ExperimentVariant",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("winner"),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("experiment")
        verbose_name_plural = _("experiments")

    def __str__(self):
        return self.name

    @property
    def status(self):
        now = timezone.now()
        if self.ended_at:
            return self.State.ENDED
        if now < self.starts_at:
            return self.State.SCHEDULED
        return self.State.RUNNING

    def get_status_display(self):
        return self.State(self.status).label

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("marketing:experiment_detail", args=[self.pk])

    def bucket(self, customer_id, total) -> int:
        """A stable number in 0..total-1 for this experiment and customer (SHA-256, never Python's hash())."""
        digest = hashlib.sha256(f"experiment:{self.pk}:customer:{customer_id}".encode()).digest()
        return int.from_bytes(digest[:8], "big") % total


class ExperimentVariant(models.Model):
    """One arm of an experiment: a weight and the coupon template it issues (none: the control group)."""

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="variants")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("variant"), max_length=60)
    weight = models.PositiveIntegerField(_("weight"))
    template = models.ForeignKey(
        "marketing.CouponTemplate",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("coupon"),
    )

    class Meta:
        verbose_name = _("experiment variant")
        verbose_name_plural = _("experiment variants")
        ordering = ["experiment_id", "position", "id"]

    def __str__(self):
        return self.name


class ExperimentAssignment(models.Model):
    """A customer's variant in an experiment (fixed by the hash) and the coupon they were given, if any."""

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="assignments")
    variant = models.ForeignKey(ExperimentVariant, on_delete=models.CASCADE, related_name="assignments")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    coupon = models.ForeignKey("marketing.Coupon", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    assigned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["experiment", "customer"], name="marketing_experiment_customer_once")
        ]
