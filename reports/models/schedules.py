"""Scheduled report emails: which report, how often, when, to which roles, in which format; one delivery row per
schedule and period (the unique constraint makes the job send each period once, however often it runs)."""

from datetime import time

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def owner_only():
    return ["owner"]


class ReportSchedule(models.Model):
    """A report emailed daily (yesterday) or weekly (the 7 days before the chosen weekday) to the active users of
    the chosen roles who have an email address. Its permissions also hold the inventory, staff, marketing and
    customers report permissions (reports has no other model of its own for them)."""

    class Frequency(models.TextChoices):
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    WEEKDAYS = [
        (0, _("Monday")),
        (1, _("Tuesday")),
        (2, _("Wednesday")),
        (3, _("Thursday")),
        (4, _("Friday")),
        (5, _("Saturday")),
        (6, _("Sunday")),
    ]

    report = models.CharField(_("report"), max_length=60)  # a schedulable report's slug (reports.schedules)
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.DAILY)
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=WEEKDAYS, default=0)  # weekly only
    send_at = models.TimeField(_("send at"), default=time(8, 0))  # the store's local time
    roles = models.JSONField(_("recipient roles"), default=owner_only)
    format = models.CharField(_("format"), max_length=4, choices=Format.choices, default=Format.XLSX)
    is_active = models.BooleanField(_("active"), default=True)
    last_sent_at = models.DateTimeField(_("last sent"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("report schedule")
        verbose_name_plural = _("report schedules")
        ordering = ["report", "pk"]
        default_permissions = ()
        permissions = [
            ("manage_reportschedule", "Can create and edit scheduled report emails"),
            ("view_inventory_reports", "Can view the inventory reports"),
            ("view_staff_reports", "Can view every staff user's performance"),
            ("view_own_staff_figures", "Can view their own staff performance"),
            ("view_marketing_report", "Can view the marketing report"),
            ("view_customers_report", "Can view the customers report"),
        ]
        indexes = [models.Index(fields=["is_active", "frequency"], name="reports_schedule_active")]

    def __str__(self):
        return f"{self.report} ({self.get_frequency_display()})"


class ReportDelivery(models.Model):
    """One schedule's email for one period: written before the email goes, so a period is never sent twice."""

    schedule = models.ForeignKey(ReportSchedule, on_delete=models.CASCADE, related_name="deliveries")
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    recipients = models.JSONField(_("recipients"), default=list)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("report delivery")
        verbose_name_plural = _("report deliveries")
        ordering = ["-period_start", "-pk"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["schedule", "period_start"], name="reports_delivery_once_per_period")
        ]

    def __str__(self):
        return f"{self.schedule_id} {self.period_start}"
