"""After-sales requests (售后申请): returns (退货退款), exchanges (换货) and refund-only requests (仅退款), with their
lines, the customer's evidence photos, the reasons staff offer and the policy rules (excluded categories,
auto-approval rules).

A request's status moves only along `aftersales.state.REQUEST_MACHINE`; every step writes the order's timeline
(orders.services.order_aftersales_mark) and, for staff, an audit entry.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shop.money import MONEY


class Kind(models.TextChoices):
    RETURN = "return", _("Return and refund")
    EXCHANGE = "exchange", _("Exchange")
    REFUND_ONLY = "refund_only", _("Refund only")


class AftersalesReason(models.Model):
    """A reason the customer or staff picks (尺码不合适, 质量问题…), edited by staff on the reasons page."""

    class FreightPayer(models.TextChoices):
        SELLER = "seller", _("Seller pays return freight")
        BUYER = "buyer", _("Buyer pays return freight")

    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=40, unique=True, help_text=_("The storefront sends this code."))
    kinds = models.JSONField(_("request kinds"), default=list, help_text=_("The kinds of request it applies to."))
    freight_payer = models.CharField(
        _("return freight paid by"), max_length=10, choices=FreightPayer.choices, default=FreightPayer.BUYER
    )
    no_reason = models.BooleanField(
        _("no-reason return"),
        default=True,
        help_text=_(
            "A change of mind (7-day no-reason): the no-reason window and the excluded categories and products "
            "apply. Otherwise (a fault of the goods or of the shop) the quality window applies."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("after-sales reason")
        verbose_name_plural = _("after-sales reasons")
        ordering = ["position", "id"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("aftersales:reason_edit", args=[self.pk])

    def applies_to(self, kind) -> bool:
        return not self.kinds or kind in self.kinds


class AftersalesExcludedCategory(models.Model):
    """A category (and everything under it) excluded from no-reason returns (e.g. underwear, fresh food)."""

    category = models.OneToOneField(
        "catalog.Category", on_delete=models.CASCADE, related_name="+", verbose_name=_("category")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("category excluded from no-reason returns")
        verbose_name_plural = _("categories excluded from no-reason returns")
        ordering = ["id"]

    def __str__(self):
        return str(self.category)


class AutoApprovalRule(models.Model):
    """Approve a matching request at once, without waiting for staff (e.g. refund-only of an unshipped order
    up to ¥100)."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("request kind"), max_length=20, choices=Kind.choices, default=Kind.REFUND_ONLY)
    max_amount = models.DecimalField(
        _("amount up to"), null=True, blank=True, **MONEY, help_text=_("Empty: any amount.")
    )
    only_unshipped = models.BooleanField(_("only orders not shipped yet"), default=True)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("auto-approval rule")
        verbose_name_plural = _("auto-approval rules")
        ordering = ["position", "id"]

    def __str__(self):
        return self.name


class AftersalesRequest(models.Model):
    """One after-sales request of one order."""

    Kind = Kind

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        AWAITING_RETURN = "awaiting_return", _("Return on its way")
        RECEIVED = "received", _("Return received")
        INSPECTED = "inspected", _("Inspected")
        REFUNDED = "refunded", _("Refunded")
        REPLACEMENT_SHIPPED = "replacement_shipped", _("Replacement shipped")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    class Channel(models.TextChoices):
        API = "api", _("Storefront")
        STAFF = "staff", _("Back office")

    FINAL = (Status.REJECTED, Status.CLOSED, Status.CANCELLED)

    number = models.CharField(_("request number"), max_length=20, unique=True)
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="aftersales_requests", verbose_name=_("order")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.API)
    reason = models.ForeignKey(
        AftersalesReason, on_delete=models.PROTECT, related_name="requests", verbose_name=_("reason")
    )
    freight_payer = models.CharField(
        _("return freight paid by"), max_length=10, choices=AftersalesReason.FreightPayer.choices, blank=True
    )
    customer_note = models.CharField(_("customer note"), max_length=500, blank=True)
    staff_note = models.CharField(_("staff note"), max_length=500, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assignee"),
    )
    refusal_reason = models.CharField(_("refusal reason"), max_length=300, blank=True)
    auto_approved_by = models.ForeignKey(
        AutoApprovalRule,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("auto-approved by rule"),
    )
    amount_asked = models.DecimalField(_("amount asked"), default=0, **MONEY)
    # The return: where the goods go back to, and by when
    return_address = models.CharField(_("return address"), max_length=300, blank=True)
    return_deadline = models.DateTimeField(_("return by"), null=True, blank=True)
    return_carrier = models.ForeignKey(
        "orders.Carrier",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("return carrier"),
    )
    return_tracking = models.CharField(_("return tracking number"), max_length=40, blank=True)
    # The money: the payments Refund this request produced (line-level, exact to each line's charge)
    refund = models.OneToOneField(
        "payments.Refund",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="aftersales_request",
        verbose_name=_("refund"),
    )
    # The exchange: the replacement parcel (its stock is reserved under reference_type "aftersales")
    replacement_carrier = models.ForeignKey(
        "orders.Carrier",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("replacement carrier"),
    )
    replacement_tracking = models.CharField(_("replacement tracking number"), max_length=40, blank=True)
    replacement_reserved_at = models.DateTimeField(_("replacement reserved"), null=True, blank=True)
    # Timestamps of each step
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    rejected_at = models.DateTimeField(_("rejected"), null=True, blank=True)
    return_shipped_at = models.DateTimeField(_("return shipped"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    inspected_at = models.DateTimeField(_("inspected"), null=True, blank=True)
    refunded_at = models.DateTimeField(_("refunded"), null=True, blank=True)
    replacement_shipped_at = models.DateTimeField(_("replacement shipped"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    # SLA: the next step is due by `due_at` (respond after submission, refund after receipt)
    respond_due_at = models.DateTimeField(_("response due"), null=True, blank=True)
    refund_due_at = models.DateTimeField(_("refund due"), null=True, blank=True)
    overdue_at = models.DateTimeField(_("flagged overdue"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("after-sales request")
        verbose_name_plural = _("after-sales requests")
        ordering = ["-submitted_at", "-id"]
        permissions = [
            ("receive_aftersalesrequest", "Can receive and inspect returned goods"),
        ]
        indexes = [
            models.Index(fields=["-submitted_at", "-id"], name="aftersales_req_keyset"),
            models.Index(fields=["status", "-submitted_at", "-id"], name="aftersales_req_status"),
            models.Index(fields=["order", "status"], name="aftersales_req_order"),
            models.Index(
                fields=["respond_due_at"],
                condition=Q(status="submitted", escalated_at__isnull=True),
                name="aftersales_req_respond_due",
            ),
            models.Index(
                fields=["refund_due_at"],
                condition=Q(status__in=["received", "inspected"], escalated_at__isnull=True),
                name="aftersales_req_refund_due",
            ),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("aftersales:request_detail", args=[self.pk])

    @property
    def is_open(self):
        return self.status not in self.FINAL

    @property
    def due_at(self):
        """When the step the shop owes now is due: the answer while submitted, the refund (or replacement) once
        the goods are back; None while the customer is the one to act."""
        if self.status == self.Status.SUBMITTED:
            return self.respond_due_at
        if self.status in (self.Status.RECEIVED, self.Status.INSPECTED):
            return self.refund_due_at
        return None

    @property
    def is_overdue(self):
        return self.due_at is not None and self.due_at <= timezone.now()


class AftersalesLine(models.Model):
    """One order line of a request: how many units, the money asked and refunded, and what inspection decided."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Not inspected")
        RESTOCK = "restock", _("Back to stock")
        WRITE_OFF = "write_off", _("Written off")

    request = models.ForeignKey(
        AftersalesRequest, on_delete=models.CASCADE, related_name="lines", verbose_name=_("request")
    )
    order_line = models.ForeignKey(
        "orders.OrderLine", on_delete=models.PROTECT, related_name="aftersales_lines", verbose_name=_("order line")
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    amount_asked = models.DecimalField(_("amount asked"), default=0, **MONEY)
    amount_refunded = models.DecimalField(_("amount refunded"), default=0, **MONEY)
    outcome = models.CharField(_("inspection"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    warehouse = models.ForeignKey(
        "inventory.Warehouse",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("restocked to"),
    )
    write_off_reason = models.CharField(_("write-off reason"), max_length=200, blank=True)
    replacement_sku = models.ForeignKey(
        "catalog.Sku",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("replacement SKU"),
    )

    class Meta:
        verbose_name = _("after-sales line")
        verbose_name_plural = _("after-sales lines")
        ordering = ["request_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="aftersales_line_quantity_gt_0"),
            models.UniqueConstraint(fields=["request", "order_line"], name="aftersales_line_unique"),
        ]

    def __str__(self):
        return f"{self.order_line.sku_code} × {self.quantity}"


def evidence_path(instance, filename):
    return f"aftersales/{timezone.now():%Y/%m}/{filename}"


class AftersalesEvidence(models.Model):
    """A photo the customer (or staff) sent with the request, checked by shop.images."""

    request = models.ForeignKey(
        AftersalesRequest, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("request")
    )
    image = models.ImageField(_("image"), upload_to=evidence_path)
    thumbnail = models.ImageField(_("thumbnail"), upload_to=evidence_path, blank=True)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("after-sales evidence")
        verbose_name_plural = _("after-sales evidence")
        ordering = ["request_id", "id"]

    def __str__(self):
        return self.image.name
