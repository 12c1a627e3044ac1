"""Store-wide data: settings, announcements, the audit log, notifications, API keys."""

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MODULES = [
    ("catalog", _("Catalog")),
    ("inventory", _("Inventory")),
    ("orders", _("Orders")),
    ("payments", _("Payments")),
    ("marketing", _("Marketing")),
    ("customers", _("Customers")),
    ("aftersales", _("After-sales")),
    ("reports", _("Reports")),
    ("settings", _("Settings")),
]
MODULE_APPS = [code for code, _label in MODULES if code != "settings"]


class ModuleAccess(models.Model):
    """Holds no rows: its permissions say which back-office modules a role may open."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            *((f"access_{code}", f"Can open the {code} module") for code, _label in MODULES),
            # Repairs in the Django admin (issue 18): each action calls its module's service, audited.
            ("repair_resend_refund", "Can re-send a stuck refund to its gateway"),
            ("repair_release_reservation", "Can release the stock reserved for a closed or cancelled order"),
            ("repair_run_job", "Can run a scheduled job now"),
            ("repair_rebuild_rollup", "Can rebuild the stock rollup of SKUs"),
            ("repair_collect_cod", "Can mark a cash-on-delivery order collected"),
            ("repair_unlock_staff", "Can unlock a locked-out staff account"),
            ("repair_revoke_apikey", "Can revoke an API key"),
            ("repair_resend_message", "Can re-send a failed text or email to a customer"),
            ("repair_rebuild_report_rollup", "Can rebuild the report rollups of chosen days"),  # reports/admin.py
        ]


def weekday_default():
    return [{"closed": False, "opens": "09:00", "closes": "21:00"} for _day in range(7)]


class StoreSettings(models.Model):
    """The one row of store settings (pk=1), with every automation threshold of DESIGN §5."""

    name = models.CharField(_("store name"), max_length=100, default="Houtai Store")
    logo = models.ImageField(_("logo"), upload_to="store/", blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    currency = models.CharField(
        _("currency"), max_length=3, default="CNY", choices=[("CNY", "CNY ¥"), ("HKD", "HKD HK$"), ("USD", "USD $")]
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    business_hours = models.JSONField(_("business hours"), default=weekday_default)
    # Automation thresholds (DESIGN §5)
    unpaid_order_minutes = models.PositiveIntegerField(_("close unpaid orders after (minutes)"), default=30)
    flash_sale_unpaid_minutes = models.PositiveIntegerField(
        _("close unpaid flash-sale orders after (minutes)"), default=10
    )
    low_stock_default_threshold = models.PositiveIntegerField(_("default low-stock threshold"), default=10)
    refund_remind_hours = models.PositiveIntegerField(_("remind about refunds after (hours)"), default=24)
    refund_escalate_hours = models.PositiveIntegerField(_("escalate refunds after (hours)"), default=48)
    refund_auto_approve_unshipped = models.BooleanField(
        _("auto-approve refund-only requests of unshipped orders at escalation"), default=False
    )
    auto_confirm_receipt_days = models.PositiveIntegerField(_("confirm receipt after shipping (days)"), default=15)
    aftersales_window_days = models.PositiveIntegerField(_("after-sales window (days)"), default=7)
    # After-sales requests (aftersales.services): the no-reason window above, and these
    aftersales_quality_days = models.PositiveIntegerField(
        _("returns for a fault accepted within (days)"),
        default=15,
        help_text=_("For reasons that are not a change of mind (a faulty or wrong item), counted from delivery."),
    )
    aftersales_return_days = models.PositiveIntegerField(
        _("customer returns goods within (days of approval)"), default=7, validators=[MinValueValidator(1)]
    )
    aftersales_return_address = models.CharField(
        _("after-sales return address"),
        max_length=300,
        blank=True,
        help_text=_("Recipient, phone and address the customer sends returns to; empty: the store's address."),
    )
    aftersales_respond_hours = models.PositiveIntegerField(
        _("answer after-sales requests within (hours)"), default=24, validators=[MinValueValidator(1)]
    )
    aftersales_refund_hours = models.PositiveIntegerField(
        _("refund returned goods within (hours of receipt)"), default=48, validators=[MinValueValidator(1)]
    )
    aftersales_escalate_hours = models.PositiveIntegerField(
        _("escalate overdue after-sales requests to the owner after (hours)"),
        default=24,
        help_text=_("Counted from the time the request became overdue."),
    )
    points_per_yuan = models.DecimalField(
        _("points granted per yuan"), max_digits=6, decimal_places=2, default=Decimal("1.00")
    )
    points_valid_days = models.PositiveIntegerField(
        _("points valid for (days)"),
        default=365,
        validators=[MinValueValidator(1)],
        help_text=_("Points earned or given expire this many days later, oldest first."),
    )
    points_per_yuan_redeemed = models.PositiveIntegerField(
        _("points worth one yuan when redeemed"), default=100, validators=[MinValueValidator(1)]
    )
    points_max_percent = models.PositiveIntegerField(
        _("points may pay at most (percent of the goods total)"),
        default=50,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    complaint_sla_hours = models.PositiveIntegerField(_("complaint SLA (hours)"), default=24)
    anomaly_threshold_percent = models.PositiveIntegerField(_("anomaly alert at deviation (%)"), default=50)
    backup_keep = models.PositiveIntegerField(_("backups to keep"), default=14)
    intake_key_retention_days = models.PositiveIntegerField(
        _("keep API idempotency keys for (days)"),
        default=30,
        validators=[MinValueValidator(1)],
        help_text=_(
            "An order retried with the same Idempotency-Key within this time returns the first "
            "order; a daily job deletes older keys."
        ),
    )
    # Reviews and satisfaction surveys (aftersales)
    reviews_publish_unmoderated = models.BooleanField(
        _("publish reviews without moderation"),
        default=False,
        help_text=_("Reviews that match no moderation keyword are published at once instead of awaiting review."),
    )
    review_low_rating_threshold = models.PositiveSmallIntegerField(
        _("alert customer service at ratings up to"),
        default=2,
        validators=[MinValueValidator(0), MaxValueValidator(5)],
        help_text=_("0 turns the alert off."),
    )
    auto_review_enabled = models.BooleanField(
        _("post a default positive review"),
        default=False,
        help_text=_(
            "When an order completes automatically after the review window, each line the customer did not "
            "review gets a 5-star default review."
        ),
    )
    auto_review_days = models.PositiveIntegerField(_("review window after delivery (days)"), default=7)
    auto_review_text = models.CharField(
        _("default review text"),
        max_length=200,
        blank=True,
        help_text=_("Leave empty for the standard text."),
    )
    survey_text_customers = models.BooleanField(_("text satisfaction surveys to customers"), default=False)
    survey_link = models.CharField(
        _("survey page on the storefront"),
        max_length=200,
        blank=True,
        help_text=_("The address texted to customers; {token} is replaced by the survey's token."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("store settings")
        verbose_name_plural = _("store settings")
        default_permissions = ("view", "change")

    def __str__(self):
        return self.name


class Announcement(models.Model):
    """A store announcement (店铺公告) shown on the dashboard between its start and end."""

    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"), blank=True)
    starts_at = models.DateTimeField(_("show from"), default=timezone.now)
    ends_at = models.DateTimeField(_("show until"), null=True, blank=True)
    published = models.BooleanField(_("published"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__isnull=True) | models.Q(ends_at__gt=models.F("starts_at")),
                name="announcement_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.title


class AuditEntry(models.Model):
    """Who did what to which object, when, with the values before and after."""

    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_entries",
        verbose_name=_("who"),
    )
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=80)
    module = models.CharField(_("module"), max_length=30, db_index=True)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-id"]
        default_permissions = ("view",)
        indexes = [models.Index(fields=["content_type", "object_id", "-created_at"])]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"

    def changes(self):
        """(field, before, after) for each field that differs."""
        before, after = self.before or {}, self.after or {}
        return [
            (k, before.get(k), after.get(k)) for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)
        ]


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        default_permissions = ()
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return self.title


class ApiKey(models.Model):
    """A key for the integration API; only its SHA-256 is stored, the key is shown once."""

    SCOPES = [
        ("catalog:read", _("Read products")),
        ("orders:write", _("Create and cancel orders")),
        ("orders:read", _("Read orders")),
        ("stock:read", _("Read stock")),
        ("stock:write", _("Set stock (ERP sync)")),
        ("aftersales:write", _("Submit after-sales requests, reviews and messages")),
        ("aftersales:read", _("Read the FAQ (self-service help)")),
    ]
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("key prefix"), max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(_("scopes"), default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)  # None: until revoked

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def expired(self):
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def active(self):
        return self.revoked_at is None and not self.expired


class JobRun(models.Model):
    """One run of a long job started by staff (import, export, big bulk action), with its progress."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped")  # a scheduled job's tick another process had already run (shop.jobs)

    kind = models.CharField(max_length=60)
    label = models.CharField(_("job"), max_length=200)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    traceback = models.TextField(_("traceback"), blank=True)  # a failed scheduled job's: shown in the admin only
    output = models.FileField(upload_to="jobs/", blank=True)
    return_url = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # A scheduled run's tick (the start of its period): one run per job and tick, however many beats and
    # workers there are (shop.jobs); empty for runs started by hand and for staff jobs.
    tick = models.DateTimeField(_("tick"), null=True, blank=True)
    task_id = models.CharField(max_length=64, blank=True)  # the Celery message: its retry takes over the tick

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-created_at"]
        default_permissions = ("view",)
        indexes = [models.Index(fields=["kind", "-created_at"], name="shop_jobrun_kind_created")]
        constraints = [models.UniqueConstraint(fields=["kind", "tick"], name="shop_jobrun_one_per_tick")]

    def __str__(self):
        return self.label

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("jobrun_detail", args=[self.pk])

    @property
    def percent(self):
        return 100 if self.state == self.State.DONE else (int(100 * self.done / self.total) if self.total else 0)


class OutboxTask(models.Model):
    """A task queued by a use case, written in the use case's own transaction (shop.outbox.enqueue): sent to the
    broker after the commit, and again by the `outbox_dispatch` job if the broker was down then, or if the task
    has not run (`done_at`) long after it was sent (the broker lost it)."""

    task = models.CharField(_("task"), max_length=150)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    kwargs = models.JSONField(_("keyword arguments"), default=dict, blank=True)
    created_at = models.DateTimeField(_("queued"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("queued task")
        verbose_name_plural = _("queued tasks")
        ordering = ["id"]
        default_permissions = ("view",)
        indexes = [
            models.Index(fields=["id"], name="shop_outbox_unsent", condition=models.Q(sent_at__isnull=True)),
            models.Index(fields=["sent_at"], name="shop_outbox_sent_at"),
            models.Index(fields=["sent_at"], name="shop_outbox_not_done", condition=models.Q(done_at__isnull=True)),
        ]

    def __str__(self):
        return f"{self.task} {self.args} {self.kwargs}"
