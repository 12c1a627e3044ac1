"""Complaints (投诉) with their SLA, and the knowledge base (FAQ) staff read while answering.

A complaint's status moves only along `aftersales.services.complaints.COMPLAINT_MACHINE`
(open -> in_progress -> resolved -> closed). Its `sla_due_at` is set at creation from the SLA hours of its
priority (ComplaintSla, staff edit them; a priority without a row uses the defaults below). The
`complaint_sla` job sets `sla_breached_at` once when an unresolved complaint passes its due time (and raises
it to the first escalation level), then `owner_escalated_at` once when it is still unresolved
`escalate_hours` later (level 2: the owner).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Complaint(models.Model):
    class Category(models.TextChoices):
        PRODUCT = "product", _("Product quality")
        LOGISTICS = "logistics", _("Logistics")
        SERVICE = "service", _("Service")
        PRICE = "price", _("Price")
        OTHER = "other", _("Other")

    class Priority(models.TextChoices):
        LOW = "low", _("Low")
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")
        URGENT = "urgent", _("Urgent")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")

    class Level(models.IntegerChoices):
        NONE = 0, _("Not escalated")
        SUPERVISOR = 1, _("Escalated")
        OWNER = 2, _("Escalated to the owner")

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="complaints", verbose_name=_("customer")
    )
    order = models.ForeignKey(
        "orders.Order",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("order"),
    )
    shipment = models.ForeignKey(
        "orders.Shipment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("shipment"),
    )
    product = models.ForeignKey(
        "catalog.Product",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("product"),
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, default=Category.OTHER)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    escalation_level = models.PositiveSmallIntegerField(_("escalation"), choices=Level.choices, default=Level.NONE)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), max_length=5000)
    resolution = models.TextField(_("resolution"), max_length=5000, blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    satisfaction_comment = models.CharField(_("satisfaction comment"), max_length=500, blank=True)
    satisfaction_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source = models.CharField(_("received from"), max_length=150, blank=True)  # the actor label
    created_at = models.DateTimeField(_("received"), default=timezone.now)
    sla_due_at = models.DateTimeField(_("SLA due"))
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    sla_breached_at = models.DateTimeField(_("SLA breached at"), null=True, blank=True)
    owner_escalated_at = models.DateTimeField(_("escalated to the owner at"), null=True, blank=True)
    # Idempotency-Key of the API request that created it (scoped by the API key), with the body's hash.
    idempotency_scope = models.CharField(max_length=100, blank=True)
    idempotency_key = models.CharField(max_length=100, blank=True)
    request_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-created_at", "-id"]
        permissions = [("view_aftersales_report", "Can view the after-sales report")]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="aftersales_cmp_created"),
            models.Index(fields=["status", "-created_at"], name="aftersales_cmp_status"),
            models.Index(fields=["customer", "-created_at"], name="aftersales_cmp_customer"),
            models.Index(fields=["order", "-created_at"], name="aftersales_cmp_order"),
            models.Index(fields=["assignee", "-created_at"], name="aftersales_cmp_assignee"),
            # the SLA sweep: unresolved complaints by due time
            models.Index(
                fields=["sla_due_at"], condition=Q(status__in=["open", "in_progress"]), name="aftersales_cmp_due"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_scope", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="aftersales_complaint_idempotency",
            ),
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True) | Q(satisfaction__gte=1, satisfaction__lte=5),
                name="aftersales_complaint_satisfaction_1_5",
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.subject[:60]}"

    def get_absolute_url(self):
        return reverse("aftersales:complaint_detail", args=[self.pk])

    @property
    def is_unresolved(self) -> bool:
        return self.status in (self.Status.OPEN, self.Status.IN_PROGRESS)

    def is_overdue(self, now=None) -> bool:
        return self.is_unresolved and self.sla_due_at <= (now or timezone.now())


class ComplaintNote(models.Model):
    """One entry of a complaint's thread: an internal staff note, or a reply sent to the customer."""

    class Kind(models.TextChoices):
        NOTE = "note", _("Internal note")
        REPLY = "reply", _("Reply to the customer")
        EVENT = "event", _("Event")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.NOTE)
    text = models.TextField(_("text"), max_length=2000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    author_label = models.CharField(max_length=150, blank=True)
    # the text that carried a reply to the customer (customers' outbound messages)
    outbound = models.ForeignKey(
        "customers.OutboundMessage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("complaint note")
        verbose_name_plural = _("complaint notes")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["complaint", "created_at"], name="aftersales_cmpnote_thread")]

    def __str__(self):
        return f"{self.complaint_id}: {self.text[:40]}"


# Hours to resolve per priority, and hours past that due time at which the owner is told.
SLA_DEFAULTS = {"urgent": (4, 4), "high": (12, 12), "normal": (24, 24), "low": (72, 48)}


class ComplaintSla(models.Model):
    """The SLA of one priority: hours to resolve a complaint, and hours past due before the owner is told."""

    priority = models.CharField(_("priority"), max_length=10, choices=Complaint.Priority.choices, unique=True)
    hours = models.PositiveIntegerField(
        _("hours to resolve"), validators=[MinValueValidator(1), MaxValueValidator(8760)]
    )
    escalate_hours = models.PositiveIntegerField(
        _("escalate to the owner after (hours past due)"), validators=[MinValueValidator(1), MaxValueValidator(8760)]
    )

    class Meta:
        verbose_name = _("complaint SLA")
        verbose_name_plural = _("complaint SLAs")
        ordering = ["priority"]

    def __str__(self):
        return f"{self.get_priority_display()}: {self.hours} h"


# -- the knowledge base ------------------------------------------------------------------------------
class FaqCategory(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("FAQ category")
        verbose_name_plural = _("FAQ categories")
        ordering = ["position", "name", "id"]

    def __str__(self):
        return self.name


class FaqArticle(models.Model):
    """A question and its answer (sanitised HTML), shown to the storefront's self-service help when published."""

    category = models.ForeignKey(
        FaqCategory, on_delete=models.PROTECT, related_name="articles", verbose_name=_("category")
    )
    question = models.CharField(_("question"), max_length=300)
    answer = models.TextField(_("answer"), max_length=20000)
    published = models.BooleanField(_("published"), default=False)
    position = models.PositiveIntegerField(_("position"), default=0)
    views = models.PositiveIntegerField(_("views"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("FAQ article")
        verbose_name_plural = _("FAQ articles")
        ordering = ["category__position", "position", "id"]
        indexes = [models.Index(fields=["published", "category", "position"], name="aftersales_faq_published")]

    def __str__(self):
        return self.question[:80]

    def get_absolute_url(self):
        return reverse("aftersales:faq_edit", args=[self.pk])
