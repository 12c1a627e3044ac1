"""Orders: the order and its lines, its timeline, the state machine's states, logistics (carriers,
freight templates, shipments, tracking), dispatch rules and idempotent intake keys."""

import re

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shop.money import MONEY


class Order(models.Model):
    class Status(models.TextChoices):
        PENDING_PAYMENT = "pending_payment", _("Awaiting payment")
        PAID = "paid", _("Paid")
        ALLOCATED = "allocated", _("Allocated")
        PICKING = "picking", _("Picking")
        SHIPPED = "shipped", _("Shipped")
        DELIVERED = "delivered", _("Delivered")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")
        CLOSED = "closed", _("Closed")

    class PaymentMethod(models.TextChoices):
        ALIPAY = "alipay", _("Alipay")
        WECHAT = "wechat", _("WeChat Pay")
        UNIONPAY = "unionpay", _("UnionPay")
        CARD = "card", _("Bank card")
        COD = "cod", _("Cash on delivery")

    class Channel(models.TextChoices):
        WEB = "web", _("Web shop")
        APP = "app", _("App")
        MINIPROGRAM = "miniprogram", _("Mini program")
        STAFF = "staff", _("Back office")

    class Abnormal(models.TextChoices):
        OUT_OF_STOCK = "out_of_stock", _("Out of stock after payment")
        DUPLICATE = "duplicate", _("Likely duplicate")
        ADDRESS = "address", _("Incomplete address")
        RISK = "risk", _("Risk hold")
        DISPATCH = "dispatch", _("Held by dispatch rule")
        GROUP_BUY = "group_buy", _("Waiting for the group buy to fill")
        OTHER = "other", _("Other")

    class AftersalesStatus(models.TextChoices):  # set by orders.services.order_aftersales_mark
        NONE = "none", _("None")
        REQUESTED = "requested", _("Requested")
        IN_PROGRESS = "in_progress", _("In progress")
        REFUNDED = "refunded", _("Refunded")
        EXCHANGED = "exchanged", _("Exchanged")
        CLOSED = "closed", _("Closed")

    number = models.CharField(_("order number"), max_length=32, unique=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING_PAYMENT)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="orders", verbose_name=_("customer")
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.WEB)
    external_id = models.CharField(_("external id"), max_length=64, blank=True)
    subtotal = models.DecimalField(_("subtotal"), default=0, **MONEY)
    discount = models.DecimalField(_("discount"), default=0, **MONEY)
    shipping_fee = models.DecimalField(_("shipping fee"), default=0, **MONEY)
    adjustment = models.DecimalField(
        _("price adjustment"), default=0, **MONEY, help_text=_("Added to the total; negative for a reduction.")
    )
    total = models.DecimalField(_("total"), default=0, **MONEY)
    payment_method = models.CharField(_("payment method"), max_length=20, choices=PaymentMethod.choices)
    coupon_code = models.CharField(_("coupon"), max_length=40, blank=True)
    points_used = models.PositiveIntegerField(_("points used"), default=0)
    flash_sale_id = models.PositiveBigIntegerField(_("flash sale"), null=True, blank=True)
    group_buy_id = models.PositiveBigIntegerField(_("group buy"), null=True, blank=True)
    weight_g = models.PositiveIntegerField(_("weight (g)"), default=0)
    placed_at = models.DateTimeField(_("placed"), default=timezone.now)
    pay_by = models.DateTimeField(_("pay by"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("shipped"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.CharField(_("cancellation reason"), max_length=200, blank=True)
    # The shipping address as it was when the order was placed (a snapshot, not a link).
    ship_name = models.CharField(_("recipient"), max_length=50)
    ship_phone = models.CharField(_("recipient phone"), max_length=20)
    ship_province = models.CharField(_("province"), max_length=30)
    ship_city = models.CharField(_("city"), max_length=30)
    ship_district = models.CharField(_("district"), max_length=30)
    ship_detail = models.CharField(_("street address"), max_length=200)
    ship_postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    client_ip = models.GenericIPAddressField(_("buyer's IP address"), null=True, blank=True)
    note = models.CharField(_("customer note"), max_length=500, blank=True)
    is_abnormal = models.BooleanField(_("abnormal"), default=False)
    abnormal_reason = models.CharField(_("abnormal reason"), max_length=20, choices=Abnormal.choices, blank=True)
    abnormal_note = models.CharField(_("abnormal note"), max_length=200, blank=True)
    preferred_carrier = models.ForeignKey(
        "Carrier",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("preferred carrier"),
    )
    priority_boost = models.IntegerField(_("priority boost"), default=0)
    # Work queues sort by this: the time the order was paid, moved one hour earlier per boost point.
    priority_at = models.DateTimeField(_("queue position"), null=True, blank=True)
    dispatch_note = models.CharField(_("dispatch note"), max_length=200, blank=True)
    aftersales_status = models.CharField(
        _("after-sales"), max_length=12, choices=AftersalesStatus.choices, default=AftersalesStatus.NONE
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged_orders",
        verbose_name=_("merged into"),
    )

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        permissions = [
            ("ship_order", "Can allocate, pick and ship orders"),
            ("adjust_price", "Can adjust the price of an order"),
        ]
        indexes = [
            models.Index(fields=["-placed_at", "-id"], name="orders_placed_keyset"),
            models.Index(fields=["status", "-placed_at", "-id"], name="orders_status_placed"),
            models.Index(fields=["-total", "-id"], name="orders_total_keyset"),
            models.Index(fields=["customer", "-placed_at"], name="orders_customer_placed"),
            models.Index(  # a customer's purchases, read from the index alone (the customers report's probes)
                fields=["customer", "placed_at"],
                name="orders_purchase_customer",
                condition=models.Q(paid_at__isnull=False) & ~models.Q(status__in=("cancelled", "closed")),
            ),
            models.Index(fields=["status", "pay_by"], name="orders_status_payby"),
            models.Index(fields=["status", "shipped_at"], name="orders_status_shipped"),
            models.Index(fields=["status", "delivered_at"], name="orders_status_delivered"),
            models.Index(fields=["status", "priority_at", "id"], name="orders_status_priority"),
            models.Index(fields=["ship_phone"], name="orders_ship_phone"),
            models.Index(fields=["ship_name"], name="orders_ship_name"),
            models.Index(
                fields=["-placed_at", "-id"], name="orders_abnormal_keyset", condition=models.Q(is_abnormal=True)
            ),
            models.Index(
                fields=["aftersales_status", "-placed_at", "-id"],
                name="orders_aftersales_keyset",
                condition=~models.Q(aftersales_status="none"),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"],
                condition=~models.Q(external_id=""),
                name="orders_channel_external_id_unique",
            ),
            models.CheckConstraint(condition=models.Q(total__gte=0), name="orders_total_gte_0"),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("orders:order_detail", args=[self.pk])

    @property
    def address_text(self):
        return f"{self.ship_province}{self.ship_city}{self.ship_district}{self.ship_detail}"

    @property
    def is_open(self):
        return self.status not in (self.Status.CANCELLED, self.Status.CLOSED, self.Status.COMPLETED)


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines", verbose_name=_("order"))
    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+", verbose_name=_("SKU"))
    sku_code = models.CharField(_("SKU code"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    options = models.CharField(_("options"), max_length=200, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.DecimalField(_("unit price"), **MONEY)
    discount = models.DecimalField(_("discount"), default=0, **MONEY)
    line_total = models.DecimalField(_("line total"), **MONEY)
    weight_g = models.PositiveIntegerField(_("weight (g)"), default=0)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order_id", "id"]

    def __str__(self):
        return f"{self.sku_code} × {self.quantity}"


class OrderEvent(models.Model):
    """One entry of an order's timeline: a status change, a note, a price change, a shipment."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events", verbose_name=_("order"))
    kind = models.CharField(_("kind"), max_length=30)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20, blank=True)
    message = models.CharField(_("message"), max_length=500, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    actor_label = models.CharField(_("by"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        ordering = ["order_id", "created_at", "id"]
        default_permissions = ("view",)
        # reports' staff figures: who shipped what in a period
        indexes = [models.Index(fields=["kind", "created_at"], name="orders_event_kind_created")]

    def __str__(self):
        return f"{self.order_id} {self.kind}"


class IntakeKey(models.Model):
    """An `Idempotency-Key` seen by order intake: the same key and body return the same order."""

    scope = models.CharField(max_length=100)  # the API key's id, so two clients never collide
    key = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="+")
    # What a later module's intake created under this key (e.g. an after-sales request's number); empty for orders
    reference = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        default_permissions = ()
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="orders_intakekey_unique")]


# -- logistics ---------------------------------------------------------------------------------------
class Carrier(models.Model):
    name = models.CharField(_("name"), max_length=50)
    code = models.SlugField(_("code"), max_length=20, unique=True)
    tracking_pattern = models.CharField(
        _("tracking number pattern"),
        max_length=200,
        default=r"[A-Za-z0-9]{8,30}",
        help_text=_("A regular expression the whole tracking number must match."),
    )
    tracking_url = models.CharField(
        _("tracking URL template"),
        max_length=300,
        blank=True,
        help_text=_("Use {number} where the tracking number goes."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("carrier")
        verbose_name_plural = _("carriers")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def tracking_number_valid(self, number) -> bool:
        try:
            return bool(re.fullmatch(self.tracking_pattern, number or ""))
        except re.error:
            return False

    def tracking_link(self, number):
        return self.tracking_url.replace("{number}", number) if self.tracking_url else ""


class FreightTemplate(models.Model):
    """Shipping fee: first unit + each additional unit, by weight (kg) or by piece."""

    class Basis(models.TextChoices):
        WEIGHT = "weight", _("By weight (kg)")
        PIECE = "piece", _("By piece")

    name = models.CharField(_("name"), max_length=100)
    basis = models.CharField(_("charged"), max_length=10, choices=Basis.choices, default=Basis.WEIGHT)
    first_units = models.DecimalField(_("first units"), max_digits=8, decimal_places=2, default=1)
    first_fee = models.DecimalField(_("first fee"), default=0, **MONEY)
    additional_units = models.DecimalField(_("each additional units"), max_digits=8, decimal_places=2, default=1)
    additional_fee = models.DecimalField(_("additional fee"), default=0, **MONEY)
    free_over = models.DecimalField(
        _("free shipping from"),
        null=True,
        blank=True,
        **MONEY,
        help_text=_("Orders whose goods total reaches this ship free."),
    )
    remote_provinces = models.CharField(
        _("remote provinces"), max_length=300, blank=True, help_text=_("Comma-separated, e.g. 新疆,西藏")
    )
    remote_surcharge = models.DecimalField(_("remote surcharge"), default=0, **MONEY)
    is_default = models.BooleanField(_("default template"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("freight template")
        verbose_name_plural = _("freight templates")
        ordering = ["-is_default", "name"]

    def __str__(self):
        return self.name


class FreightRegion(models.Model):
    """Per-province override of a template's fees."""

    template = models.ForeignKey(
        FreightTemplate, on_delete=models.CASCADE, related_name="regions", verbose_name=_("freight template")
    )
    provinces = models.CharField(_("provinces"), max_length=300, help_text=_("Comma-separated, e.g. 广东,广西"))
    first_fee = models.DecimalField(_("first fee"), **MONEY)
    additional_fee = models.DecimalField(_("additional fee"), **MONEY)

    class Meta:
        verbose_name = _("freight region")
        verbose_name_plural = _("freight regions")
        ordering = ["template_id", "id"]

    def __str__(self):
        return self.provinces


class Shipment(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="shipments", verbose_name=_("order"))
    carrier = models.ForeignKey(Carrier, on_delete=models.PROTECT, related_name="shipments", verbose_name=_("carrier"))
    tracking_number = models.CharField(_("tracking number"), max_length=40, db_index=True)
    shipped_at = models.DateTimeField(_("shipped"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["order_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["carrier", "tracking_number"], name="orders_shipment_tracking_unique")
        ]

    def __str__(self):
        return f"{self.carrier.code} {self.tracking_number}"

    @property
    def tracking_link(self):
        return self.carrier.tracking_link(self.tracking_number)


class TrackingEvent(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events", verbose_name=_("shipment"))
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    location = models.CharField(_("location"), max_length=100, blank=True)
    description = models.CharField(_("description"), max_length=300)

    class Meta:
        verbose_name = _("tracking event")
        verbose_name_plural = _("tracking events")
        ordering = ["shipment_id", "occurred_at", "id"]

    def __str__(self):
        return self.description


class DispatchRule(models.Model):
    """When a paid order matches, give it a carrier, a priority boost, or hold it for review."""

    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    provinces = models.CharField(
        _("provinces"), max_length=300, blank=True, help_text=_("Comma-separated; empty matches every province.")
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Order.Channel.choices, blank=True)
    payment_method = models.CharField(
        _("payment method"), max_length=20, choices=Order.PaymentMethod.choices, blank=True
    )
    min_total = models.DecimalField(_("total at least"), null=True, blank=True, **MONEY)
    carrier = models.ForeignKey(
        Carrier, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("use carrier")
    )
    priority_boost = models.IntegerField(_("priority boost"), default=0)
    hold = models.BooleanField(_("hold for review"), default=False)

    class Meta:
        verbose_name = _("dispatch rule")
        verbose_name_plural = _("dispatch rules")
        ordering = ["position", "id"]

    def __str__(self):
        return self.name
