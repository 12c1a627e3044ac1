"""Promotions the pricing engine applies (marketing.engine): member prices, timed discounts (限时折扣),
满减 / 满件折 activities with tiers, coupon templates and the coupons handed out, the stacking rules
staff edit, and what each order got (OrderPromotion). Bundles (套餐) are in marketing.models.bundles.

Every scheduled promotion has a window (starts_at .. ends_at), an on/off switch, an exclusive flag
(an exclusive promotion combines with nothing else) and a priority (the tie-breaker when two
combinations save the customer the same amount).
"""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shop.money import MONEY

PERCENT: dict[str, Any] = {"max_digits": 5, "decimal_places": 2}


class Kind(models.TextChoices):
    """The promotion kinds, in the order the engine applies them (points and freight follow)."""

    BUNDLE = "bundle", _("Bundle")
    MEMBER_PRICE = "member_price", _("Member price")
    TIMED_DISCOUNT = "timed_discount", _("Timed discount")
    THRESHOLD = "threshold", _("Spend or quantity discount")
    COUPON = "coupon", _("Coupon")


KIND_ORDER = [Kind.BUNDLE, Kind.MEMBER_PRICE, Kind.TIMED_DISCOUNT, Kind.THRESHOLD, Kind.COUPON]


class Status(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    RUNNING = "running", _("Running")
    ENDED = "ended", _("Ended")
    DISABLED = "disabled", _("Disabled")


def window_status(enabled, starts_at, ends_at, now=None) -> str:
    now = now or timezone.now()
    if not enabled:
        return Status.DISABLED
    if starts_at and now < starts_at:
        return Status.SCHEDULED
    if ends_at and now >= ends_at:
        return Status.ENDED
    return Status.RUNNING


class Scope(models.TextChoices):
    ALL = "all", _("Every product")
    CATEGORIES = "categories", _("Categories")
    PRODUCTS = "products", _("Products")


class Scoped(models.Model):
    """Which products a promotion covers: all, some categories (with their subcategories) or some
    products; excluded products never."""

    scope = models.CharField(_("applies to"), max_length=12, choices=Scope.choices, default=Scope.ALL)
    categories = models.ManyToManyField(
        "catalog.Category", blank=True, related_name="%(class)s_scoped+", verbose_name=_("categories")
    )
    products = models.ManyToManyField(
        "catalog.Product", blank=True, related_name="%(class)s_scoped+", verbose_name=_("products")
    )
    excluded_products = models.ManyToManyField(
        "catalog.Product", blank=True, related_name="%(class)s_excluded+", verbose_name=_("excluded products")
    )

    class Meta:
        abstract = True


class Scheduled(models.Model):
    name = models.CharField(_("name"), max_length=100)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    is_enabled = models.BooleanField(_("enabled"), default=True)
    exclusive = models.BooleanField(
        _("exclusive"), default=False, help_text=_("An exclusive promotion combines with no other promotion.")
    )
    priority = models.SmallIntegerField(
        _("priority"), default=0, help_text=_("When two choices save the same, the higher priority wins.")
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True

    def __str__(self):
        return self.name

    @property
    def status(self):
        return window_status(self.is_enabled, self.starts_at, self.ends_at)

    def get_status_display(self):
        return Status(self.status).label

    def clean(self):
        super().clean()
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The end must be after the start.")})


class StackingRule(models.Model):
    """Which kinds a kind combines with. A kind without a rule combines with every kind; a pair combines
    only when neither side's rule leaves the other out (so unticking it on one side is enough)."""

    kind = models.CharField(_("promotion kind"), max_length=20, choices=Kind.choices, unique=True)
    combines_with = models.JSONField(_("combines with"), default=list, blank=True)
    priority = models.SmallIntegerField(
        _("priority"),
        default=0,
        help_text=_("When two combinations save the same, the one with higher priorities wins."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("stacking rule")
        verbose_name_plural = _("stacking rules")
        ordering = ["kind"]

    def __str__(self):
        return str(Kind(self.kind).label)

    def clean(self):
        super().clean()
        if not isinstance(self.combines_with, list) or any(k not in Kind.values for k in self.combines_with):
            raise ValidationError({"combines_with": _("Choose promotion kinds.")})
        if self.kind in (self.combines_with or []):
            raise ValidationError({"combines_with": _("A kind never combines with itself.")})

    def combines_with_display(self):
        return ", ".join(str(Kind(k).label) for k in self.combines_with) or _("nothing")


class MemberPrice(models.Model):
    """A fixed price of one SKU for one member tier; without one the tier's discount rate applies."""

    tier = models.ForeignKey(
        "customers.MemberTier", on_delete=models.CASCADE, related_name="+", verbose_name=_("member tier")
    )
    sku = models.ForeignKey("catalog.Sku", on_delete=models.CASCADE, related_name="+", verbose_name=_("SKU"))
    price = models.DecimalField(_("member price"), validators=[MinValueValidator(0)], **MONEY)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("member price")
        verbose_name_plural = _("member prices")
        constraints = [models.UniqueConstraint(fields=["tier", "sku"], name="marketing_memberprice_tier_sku")]

    def __str__(self):
        return f"{self.sku} · {self.tier}"


class TimedDiscount(Scheduled, Scoped):
    """限时折扣: a percentage off products or categories during a window."""

    percent_off = models.DecimalField(
        _("percent off"), validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(100)], **PERCENT
    )

    class Meta:
        verbose_name = _("timed discount")
        verbose_name_plural = _("timed discounts")
        indexes = [models.Index(fields=["ends_at", "starts_at"], name="marketing_timed_window")]

    kind = Kind.TIMED_DISCOUNT


class Activity(Scheduled, Scoped):
    """满减 (spend ¥X, get ¥Y off) or 满件折 (buy N pieces, get a percentage off), with several tiers:
    the highest tier the covered lines reach applies."""

    class Mode(models.TextChoices):
        AMOUNT = "amount", _("Spend X, get Y off (满减)")
        QUANTITY = "quantity", _("Buy N pieces, get a percent off (满件折)")

    mode = models.CharField(_("type"), max_length=10, choices=Mode.choices, default=Mode.AMOUNT)
    # [[threshold, value], ...] as strings: 满减 threshold and value in yuan; 满件折 pieces and % off.
    tiers = models.JSONField(_("tiers"), default=list)

    class Meta:
        verbose_name = _("spend or quantity discount")
        verbose_name_plural = _("spend and quantity discounts")
        indexes = [models.Index(fields=["ends_at", "starts_at"], name="marketing_activity_window")]

    kind = Kind.THRESHOLD

    def tier_list(self) -> list[tuple[Decimal, Decimal]]:
        return [(Decimal(str(t)), Decimal(str(v))) for t, v in self.tiers or []]

    def tiers_display(self):
        if self.mode == self.Mode.AMOUNT:
            return "; ".join(_("spend %(t)s get %(v)s off") % {"t": t, "v": v} for t, v in self.tier_list())
        return "; ".join(_("%(t)s pieces %(v)s%% off") % {"t": t, "v": v} for t, v in self.tier_list())

    def clean(self):
        super().clean()
        try:
            tiers = self.tier_list()
        except Exception:
            raise ValidationError({"tiers": _("Enter the tiers as threshold:value pairs.")}) from None
        if not tiers:
            raise ValidationError({"tiers": _("Add at least one tier.")})
        thresholds = [t for t, _v in tiers]
        if thresholds != sorted(set(thresholds)):
            raise ValidationError({"tiers": _("Each tier's threshold must be higher than the one before.")})
        for threshold, value in tiers:
            if threshold <= 0 or value <= 0:
                raise ValidationError({"tiers": _("Thresholds and values must be above zero.")})
            if self.mode == self.Mode.AMOUNT and value > threshold:
                raise ValidationError({"tiers": _("The amount off cannot exceed its threshold.")})
            if self.mode == self.Mode.QUANTITY and (value > 100 or threshold != threshold.to_integral_value()):
                raise ValidationError({"tiers": _("Pieces must be whole numbers and the percentage at most 100.")})


class CouponTemplate(Scoped):
    """A coupon design: what it takes off, where it applies, when it is valid, how many exist."""

    class Type(models.TextChoices):
        FIXED = "fixed", _("Fixed amount off")
        PERCENT = "percent", _("Percentage off (with a cap)")
        THRESHOLD = "threshold", _("Spend X, get Y off (满X减Y)")
        FREE_SHIPPING = "free_shipping", _("Free shipping")

    name = models.CharField(_("name"), max_length=100)
    type = models.CharField(_("type"), max_length=20, choices=Type.choices, default=Type.FIXED)
    amount = models.DecimalField(
        _("amount off"), null=True, blank=True, validators=[MinValueValidator(Decimal("0.01"))], **MONEY
    )
    percent_off = models.DecimalField(
        _("percent off"),
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(100)],
        **PERCENT,
    )
    cap = models.DecimalField(
        _("at most"), null=True, blank=True, validators=[MinValueValidator(Decimal("0.01"))], **MONEY
    )
    min_spend = models.DecimalField(
        _("minimum spend"), default=Decimal("0.00"), validators=[MinValueValidator(0)], **MONEY
    )
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"))
    valid_days = models.PositiveSmallIntegerField(
        _("valid for days after claim"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Empty: valid until the end of the window."),
    )
    total_quantity = models.PositiveIntegerField(
        _("total quantity"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    per_customer_limit = models.PositiveSmallIntegerField(
        _("per customer"), default=1, validators=[MinValueValidator(1)]
    )
    claim_code = models.CharField(
        _("claim code"),
        max_length=40,
        blank=True,
        help_text=_("A public code customers type; leave empty for unique codes only."),
    )
    issued = models.PositiveIntegerField(_("issued"), default=0)
    is_enabled = models.BooleanField(_("enabled"), default=True)
    exclusive = models.BooleanField(
        _("exclusive"), default=False, help_text=_("An exclusive promotion combines with no other promotion.")
    )
    priority = models.SmallIntegerField(_("priority"), default=0)
    created_at = models.DateTimeField(default=timezone.now)

    kind = Kind.COUPON

    class Meta:
        verbose_name = _("coupon")
        verbose_name_plural = _("coupons")
        constraints = [
            models.UniqueConstraint(
                fields=["claim_code"], condition=~models.Q(claim_code=""), name="marketing_coupon_claim_code"
            ),
            models.CheckConstraint(
                condition=models.Q(total_quantity__isnull=True) | models.Q(issued__lte=models.F("total_quantity")),
                name="marketing_coupon_issued_lte_total",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def starts_at(self):
        return self.valid_from

    @property
    def ends_at(self):
        return self.valid_until

    @property
    def status(self):
        return window_status(self.is_enabled, self.valid_from, self.valid_until)

    def get_status_display(self):
        return Status(self.status).label

    def value_display(self):
        if self.type == self.Type.PERCENT:
            text = _("%(p)s%% off") % {"p": self.percent_off}
            return text + (_(", at most %(c)s") % {"c": self.cap} if self.cap else "")
        if self.type == self.Type.FREE_SHIPPING:
            return _("Free shipping")
        text = _("%(a)s off") % {"a": self.amount}
        return text + (_(" from %(m)s") % {"m": self.min_spend} if self.min_spend else "")

    def clean(self):
        super().clean()
        errors = {}
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            errors["valid_until"] = _("The end must be after the start.")
        if self.type in (self.Type.FIXED, self.Type.THRESHOLD) and not self.amount:
            errors["amount"] = _("Enter the amount off.")
        if self.type == self.Type.PERCENT and not self.percent_off:
            errors["percent_off"] = _("Enter the percentage off (0.01 to 100).")
        if self.type == self.Type.THRESHOLD:
            if not self.min_spend:
                errors["min_spend"] = _("Enter the spend the coupon needs.")
            elif self.amount and self.amount > self.min_spend:
                errors["amount"] = _("The amount off cannot exceed the minimum spend.")
        if self.total_quantity is not None and self.issued > self.total_quantity:
            errors["total_quantity"] = _("%(n)s coupons are already issued.") % {"n": self.issued}
        self.claim_code = (self.claim_code or "").strip().upper()
        if self.claim_code and Coupon.objects.filter(code=self.claim_code).exists():
            errors["claim_code"] = _("A coupon already has this code.")
        if errors:
            raise ValidationError(errors)


class Coupon(models.Model):
    """One coupon: a unique code of a batch (not yet claimed: available), or a customer's coupon."""

    class State(models.TextChoices):
        AVAILABLE = "available", _("Not claimed")
        CLAIMED = "claimed", _("Claimed")
        USED = "used", _("Used")
        EXPIRED = "expired", _("Expired")

    template = models.ForeignKey(CouponTemplate, on_delete=models.PROTECT, related_name="coupons")
    code = models.CharField(_("code"), max_length=40, unique=True, null=True, blank=True)
    batch = models.CharField(_("batch"), max_length=40, blank=True, db_index=True)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="coupons",
        verbose_name=_("customer"),
    )
    state = models.CharField(_("status"), max_length=10, choices=State.choices, default=State.AVAILABLE)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    order_id = models.PositiveBigIntegerField(_("order"), null=True, blank=True, db_index=True)
    order_number = models.CharField(_("order number"), max_length=32, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("customer coupon")
        verbose_name_plural = _("customer coupons")
        indexes = [
            models.Index(fields=["customer", "template", "state"], name="marketing_coupon_customer"),
            models.Index(fields=["state", "expires_at"], name="marketing_coupon_expiry"),
        ]

    def __str__(self):
        return self.code or f"{self.template} #{self.pk}"


class OrderPromotion(models.Model):
    """A promotion an order got, with its amount and its split over the order's lines (by SKU code).
    The order is referenced by id and number (marketing may not import orders)."""

    order_id = models.PositiveBigIntegerField(db_index=True)
    order_number = models.CharField(_("order number"), max_length=32)
    kind = models.CharField(_("promotion kind"), max_length=20, choices=Kind.choices)
    promotion_id = models.PositiveBigIntegerField(null=True, blank=True)
    name = models.CharField(_("promotion"), max_length=120)
    amount = models.DecimalField(_("amount"), **MONEY)
    lines = models.JSONField(_("per line"), default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("order promotion")
        verbose_name_plural = _("order promotions")
        ordering = ["order_id", "id"]

    def __str__(self):
        return f"{self.order_number} {self.name}"
