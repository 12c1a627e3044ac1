"""Anomaly monitoring (the hourly `anomaly_watch` job): one finding per metric and hour.

The detector (reports.services.monitoring) compares the last complete hour of each metric with the same hour of
the week over the last weeks: the baseline is their median, the band is the median plus or minus the larger of
3.5 robust deviations (1.4826 x MAD) and the store's `anomaly_threshold_percent` of the median. A finding is
stored once per (metric, hour); staff acknowledge it (audited).
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

VALUE: dict[str, Any] = {"max_digits": 18, "decimal_places": 4}


class Anomaly(models.Model):
    """An hour whose metric fell outside the expected band of its hour of the week."""

    class Metric(models.TextChoices):
        SALES = "sales", _("Sales")
        ORDERS = "orders", _("Order count")
        PAYMENT_FAILURE_RATE = "payment_failure_rate", _("Payment failure rate")
        REFUND_RATE = "refund_rate", _("Refund rate")
        TIME_TO_SHIP = "time_to_ship", _("Time to ship")

    class Direction(models.TextChoices):
        SPIKE = "spike", _("Above the expected band")
        DROP = "drop", _("Below the expected band")

    metric = models.CharField(_("metric"), max_length=30, choices=Metric.choices)
    hour = models.DateTimeField(_("hour"))  # the start of the hour judged
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    observed = models.DecimalField(_("observed"), **VALUE)
    expected = models.DecimalField(_("expected"), **VALUE)
    band_low = models.DecimalField(_("band low"), **VALUE)
    band_high = models.DecimalField(_("band high"), **VALUE)
    score = models.FloatField(_("score"))  # robust z: (observed - median) / (1.4826 x MAD)
    baseline = models.JSONField(_("baseline"), default=list, blank=True)  # [[hour ISO, value], ...] oldest first
    threshold_percent = models.PositiveIntegerField(_("threshold (percent)"))
    explanation = models.TextField(_("explanation"), blank=True)
    found_at = models.DateTimeField(_("found at"), default=timezone.now)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledge_note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("anomaly")
        verbose_name_plural = _("anomalies")
        ordering = ["-hour", "-id"]
        indexes = [
            models.Index(fields=["-hour", "-id"], name="reports_anomaly_hour"),
            models.Index(
                fields=["-hour", "-id"], name="reports_anomaly_open", condition=models.Q(acknowledged_at=None)
            ),
        ]
        constraints = [models.UniqueConstraint(fields=["metric", "hour"], name="reports_anomaly_metric_hour")]

    def __str__(self):
        return f"{self.get_metric_display()} {timezone.localtime(self.hour):%Y-%m-%d %H:00}"

    def get_absolute_url(self):
        return reverse("reports:anomaly_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None

    @property
    def observed_text(self) -> str:
        from reports.services.monitoring import format_value

        return format_value(self.metric, self.observed)

    @property
    def expected_text(self) -> str:
        from reports.services.monitoring import format_value

        return format_value(self.metric, self.expected)
