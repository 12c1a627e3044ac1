"""Payments: methods and their limits, captured payments, refunds, risk (fraud) rules and reviews,
the blacklist, daily settlement batches and provider statement reconciliation.

Invariants kept by the database as well as by the services:
- one payment per (method, provider transaction id): a replayed callback has one effect;
- `refunded <= refund_reserved <= amount` on every payment: a refund never exceeds what was captured;
- one refund per idempotency key, the key the provider dedupes on;
- one settlement batch per method per day.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orders.models import Order
from shop.money import MONEY


class PaymentMethod(models.Model):
    """A way to pay (支付宝, 微信支付, …) with its limits, fees and settlement cycle."""

    Code = Order.PaymentMethod  # the one list of codes (see the payments package docstring)

    code = models.CharField(_("code"), max_length=20, choices=Code.choices, unique=True)
    name = models.CharField(_("name"), max_length=50)
    is_enabled = models.BooleanField(_("enabled"), default=True)
    position = models.PositiveIntegerField(_("display order"), default=0)
    min_amount = models.DecimalField(_("minimum per transaction"), default=0, **MONEY)
    max_amount = models.DecimalField(
        _("maximum per transaction"), null=True, blank=True, **MONEY, help_text=_("Empty: no maximum.")
    )
    daily_limit = models.DecimalField(
        _("daily limit per customer"), null=True, blank=True, **MONEY, help_text=_("Empty: no daily limit.")
    )
    fee_percent = models.DecimalField(_("fee (%)"), max_digits=5, decimal_places=2, default=0)
    fee_fixed = models.DecimalField(_("fixed fee per payment"), default=0, **MONEY)
    settlement_days = models.PositiveSmallIntegerField(_("settlement cycle (T+N days)"), default=1)
    updated_at = models.DateTimeField(auto_now=True)

    # What staff may change on the methods page (the code is fixed: adapters are found by it).
    EDITABLE = (
        "name",
        "is_enabled",
        "position",
        "min_amount",
        "max_amount",
        "daily_limit",
        "fee_percent",
        "fee_fixed",
        "settlement_days",
    )

    class Meta:
        verbose_name = _("payment method")
        verbose_name_plural = _("payment methods")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(min_amount__gte=0), name="payments_method_min_gte_0"),
            models.CheckConstraint(
                condition=Q(max_amount__isnull=True) | Q(max_amount__gte=F("min_amount")),
                name="payments_method_max_gte_min",
            ),
            models.CheckConstraint(
                condition=Q(fee_percent__gte=0) & Q(fee_percent__lt=100),
                name="payments_method_fee_percent_range",
            ),
            models.CheckConstraint(condition=Q(fee_fixed__gte=0), name="payments_method_fee_fixed_gte_0"),
        ]

    def __str__(self):
        return self.name


class Payment(models.Model):
    """Money a provider reports as received (or failed) for an order."""

    class Status(models.TextChoices):
        CAPTURED = "captured", _("Captured")
        FLAGGED = "flagged", _("Flagged")
        FAILED = "failed", _("Failed")

    class Flag(models.TextChoices):
        NONE = "", _("None")
        AMOUNT_MISMATCH = "amount_mismatch", _("Amount does not match the order")
        ORDER_CANCELLED = "order_cancelled", _("Order was cancelled")
        DUPLICATE = "duplicate", _("Order already paid")

    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="payments", verbose_name=_("order")
    )
    method = models.ForeignKey(
        PaymentMethod, on_delete=models.PROTECT, related_name="payments", verbose_name=_("payment method")
    )
    transaction_id = models.CharField(_("transaction id"), max_length=64)
    amount = models.DecimalField(_("amount"), **MONEY)
    fee = models.DecimalField(_("fee"), default=0, **MONEY)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.CAPTURED)
    flag = models.CharField(_("flag"), max_length=20, choices=Flag.choices, blank=True, default="")
    refund_reserved = models.DecimalField(_("refunds requested"), default=0, **MONEY)
    refunded = models.DecimalField(_("refunded"), default=0, **MONEY)
    paid_at = models.DateTimeField(_("paid at"))
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    payload = models.JSONField(_("callback"), default=dict, blank=True)
    settlement = models.ForeignKey(
        "SettlementBatch",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="payments",
        verbose_name=_("settlement"),
    )

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["-received_at", "-id"], name="payments_received_keyset"),
            models.Index(fields=["method", "paid_at"], name="payments_method_paid"),
            models.Index(fields=["status", "-received_at"], name="payments_status_received"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["method", "transaction_id"], name="payments_txn_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_amount_gt_0"),
            models.CheckConstraint(
                condition=Q(refund_reserved__lte=F("amount")), name="payments_refund_reserved_lte_amount"
            ),
            models.CheckConstraint(
                condition=Q(refunded__gte=0) & Q(refunded__lte=F("refund_reserved")),
                name="payments_refunded_lte_reserved",
            ),
        ]

    def __str__(self):
        return f"{self.method.code}:{self.transaction_id}"

    def get_absolute_url(self):
        return reverse("payments:payment_detail", args=[self.pk])

    @property
    def refundable(self):
        """What may still be refunded: captured minus every refund not rejected or failed."""
        if self.status == self.Status.FAILED:
            return self.amount * 0
        return self.amount - self.refund_reserved


class Refund(models.Model):
    """Money going back to the customer: requested, approved by finance, sent, confirmed by callback."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        SENDING = "sending", _("Sending to provider")
        SENT = "sent", _("Awaiting provider")
        SUCCEEDED = "succeeded", _("Refunded")
        FAILED = "failed", _("Failed")
        REJECTED = "rejected", _("Rejected")

    class Source(models.TextChoices):
        STAFF = "staff", _("Staff")
        ORDER_CANCELLED = "order_cancelled", _("Paid order cancelled")
        PAYMENT_EXCEPTION = "payment_exception", _("Payment for an unpayable order")
        AFTERSALES = "aftersales", _("After-sales")

    OPEN = (Status.REQUESTED, Status.APPROVED, Status.SENDING, Status.SENT)

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("payment"))
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="refunds", verbose_name=_("order"))
    amount = models.DecimalField(_("amount"), **MONEY)
    lines = models.JSONField(_("lines"), default=list, blank=True)  # [{"line": id, "quantity": n, "amount": "x"}]
    reason = models.CharField(_("reason"), max_length=300)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.STAFF)
    refund_only = models.BooleanField(_("refund only (no return)"), default=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.REQUESTED)
    idempotency_key = models.UUIDField(_("idempotency key"), default=uuid.uuid4, unique=True, editable=False)
    provider_refund_id = models.CharField(_("provider refund id"), max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    failure_reason = models.CharField(_("failure reason"), max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-requested_at", "-id"]
        permissions = [("approve_refund", "Can approve or reject refunds")]
        indexes = [
            models.Index(fields=["status", "requested_at"], name="payments_refund_status"),
            models.Index(fields=["-requested_at", "-id"], name="payments_refund_keyset"),
            models.Index(fields=["decided_at"], name="payments_refund_decided"),  # reports' staff figures
        ]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payments_refund_amount_gt_0")]

    def __str__(self):
        return f"R{self.pk} {self.order.number if self.order_id else ''}".strip()

    @property
    def is_open(self):
        return self.status in self.OPEN


# -- risk ---------------------------------------------------------------------------------------------
class RiskRule(models.Model):
    """One fraud signal with its weight; an order's score is the sum of the weights of the rules it hits."""

    class Kind(models.TextChoices):
        VELOCITY_PHONE = "velocity_phone", _("Many orders from one phone")
        VELOCITY_ADDRESS = "velocity_address", _("Many orders to one address")
        VELOCITY_IP = "velocity_ip", _("Many orders from one IP address")
        AMOUNT_OVER = "amount_over", _("Order total over a threshold")
        NEW_CUSTOMER_LARGE = "new_customer_large", _("New customer with a large order")
        BLACKLIST_PHONE = "blacklist_phone", _("Blacklisted phone")
        BLACKLIST_ADDRESS = "blacklist_address", _("Blacklisted address")

    kind = models.CharField(_("rule"), max_length=30, choices=Kind.choices, unique=True)
    is_enabled = models.BooleanField(_("enabled"), default=True)
    weight = models.PositiveSmallIntegerField(_("weight"), default=10)
    threshold = models.DecimalField(
        _("threshold"),
        default=0,
        **MONEY,
        help_text=_("Orders in the window (velocity rules) or an amount (amount rules)."),
    )
    window_minutes = models.PositiveIntegerField(_("window (minutes)"), default=60)

    class Meta:
        verbose_name = _("risk rule")
        verbose_name_plural = _("risk rules")
        ordering = ["id"]
        default_permissions = ("view", "change")

    def __str__(self):
        return self.get_kind_display()


class RiskSettings(models.Model):
    """The one row (pk=1) holding the score at which an order is held for review."""

    hold_score = models.PositiveSmallIntegerField(_("hold orders scoring at least"), default=50)

    class Meta:
        verbose_name = _("risk settings")
        verbose_name_plural = _("risk settings")
        default_permissions = ("view", "change")

    def __str__(self):
        return str(self.hold_score)


class RiskAssessment(models.Model):
    """An order's risk score, the rules it hit, and the review decision when it was held."""

    class Decision(models.TextChoices):
        PASSED = "passed", _("Passed")
        HELD = "held", _("Held for review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    order = models.OneToOneField("orders.Order", on_delete=models.CASCADE, related_name="risk", verbose_name=_("order"))
    score = models.PositiveIntegerField(_("score"), default=0)
    hits = models.JSONField(_("rules hit"), default=list, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices, default=Decision.PASSED)
    note = models.CharField(_("note"), max_length=300, blank=True)
    assessed_at = models.DateTimeField(_("assessed at"), default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")
        ordering = ["-assessed_at", "-id"]
        default_permissions = ("view",)
        permissions = [("review_risk", "Can approve or reject orders held for risk")]
        indexes = [models.Index(fields=["decision", "-assessed_at"], name="payments_risk_decision")]

    def __str__(self):
        return f"{self.order} {self.score}"


class BlacklistEntry(models.Model):
    class Kind(models.TextChoices):
        PHONE = "phone", _("Phone")
        ADDRESS = "address", _("Address")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    value = models.CharField(_("value"), max_length=300)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by"),
    )
    created_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        verbose_name = _("blacklist entry")
        verbose_name_plural = _("blacklist")
        ordering = ["-created_at", "-id"]
        default_permissions = ("view", "add", "delete")
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="payments_blacklist_unique")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.value}"


# -- settlement and reconciliation --------------------------------------------------------------------
class SettlementBatch(models.Model):
    """What a provider owes us for one day's payments of one method: gross - fees - refunds = net."""

    method = models.ForeignKey(
        PaymentMethod, on_delete=models.PROTECT, related_name="settlements", verbose_name=_("payment method")
    )
    day = models.DateField(_("business day"))
    payment_count = models.PositiveIntegerField(_("payments"), default=0)
    refund_count = models.PositiveIntegerField(_("refunds"), default=0)
    gross = models.DecimalField(_("gross"), default=0, **MONEY)
    fees = models.DecimalField(_("fees"), default=0, **MONEY)
    refunds = models.DecimalField(_("refunded"), default=0, **MONEY)
    net = models.DecimalField(_("net"), default=0, **MONEY)
    due_on = models.DateField(_("due on"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("settlement batch")
        verbose_name_plural = _("settlements")
        ordering = ["-day", "method__position"]
        default_permissions = ("view",)
        constraints = [models.UniqueConstraint(fields=["method", "day"], name="payments_settlement_unique")]

    def __str__(self):
        return f"{self.method} {self.day}"


class ReconciliationRun(models.Model):
    """One provider statement compared with our payments of that method and day."""

    method = models.ForeignKey(
        PaymentMethod,
        on_delete=models.PROTECT,
        related_name="reconciliations",
        verbose_name=_("payment method"),
    )
    day = models.DateField(_("statement day"))
    filename = models.CharField(_("file"), max_length=200, blank=True)
    matched = models.PositiveIntegerField(_("matched"), default=0)
    missing = models.PositiveIntegerField(_("missing"), default=0)
    mismatched = models.PositiveIntegerField(_("mismatched"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    created_at = models.DateTimeField(_("imported at"), default=timezone.now)

    class Meta:
        verbose_name = _("reconciliation")
        verbose_name_plural = _("reconciliations")
        ordering = ["-created_at", "-id"]
        default_permissions = ("view", "add")

    def __str__(self):
        return f"{self.method} {self.day}"

    def get_absolute_url(self):
        return reverse("payments:reconciliation_detail", args=[self.pk])


class ReconciliationLine(models.Model):
    class Result(models.TextChoices):
        MATCHED = "matched", _("Matched")
        MISSING_OURS = "missing_ours", _("On the statement, not in our payments")
        MISSING_STATEMENT = "missing_statement", _("In our payments, not on the statement")
        MISMATCHED = "mismatched", _("Amounts differ")

    run = models.ForeignKey(ReconciliationRun, on_delete=models.CASCADE, related_name="lines")
    transaction_id = models.CharField(_("transaction id"), max_length=64)
    result = models.CharField(_("result"), max_length=20, choices=Result.choices)
    statement_amount = models.DecimalField(_("statement amount"), null=True, blank=True, **MONEY)
    our_amount = models.DecimalField(_("our amount"), null=True, blank=True, **MONEY)
    payment = models.ForeignKey(Payment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["run_id", "result", "transaction_id"]
        default_permissions = ()

    def __str__(self):
        return f"{self.transaction_id} {self.result}"
