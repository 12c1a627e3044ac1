"""Flash sales (秒杀) and group buys (拼团).

Flash sales: a session is a time slot; each of its SKUs has a sale price, a sale quantity held apart from
normal stock (reserved in inventory under the reference `flash_sale:<item pk>` when the session is set up),
the units still unsold (`remaining`, decremented by a guarded UPDATE at intake: the source of truth) and a
per-customer limit (`FlashPurchase` keeps each customer's tally, also under a guarded UPDATE).

Group buys: an activity (one SKU, group size, group price, window) and its groups; a group has seats
(`joined`, guarded by a conditional UPDATE against `size`) and succeeds when every seat is paid. Activity and
group ids are drawn from one sequence (`GroupBuyKey`), so the `group_buy_id` an order names is either an
activity (open a new group) or a group (join it), never both.
"""

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shop.money import MONEY


class Schedule(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    RUNNING = "running", _("Running")
    ENDED = "ended", _("Ended")


def schedule_status(starts_at, ends_at, now=None) -> str:
    now = now or timezone.now()
    if now < starts_at:
        return Schedule.SCHEDULED
    return Schedule.RUNNING if now < ends_at else Schedule.ENDED


def schedule_q(status, now=None) -> Q:
    """The rows of one schedule status, as a filter."""
    now = now or timezone.now()
    return {
        Schedule.SCHEDULED: Q(starts_at__gt=now),
        Schedule.RUNNING: Q(starts_at__lte=now, ends_at__gt=now),
        Schedule.ENDED: Q(ends_at__lte=now),
    }[status]


class FlashSession(models.Model):
    name = models.CharField(_("name"), max_length=100)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    settled_at = models.DateTimeField(_("unsold units returned"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("flash-sale session")
        verbose_name_plural = _("flash-sale sessions")
        indexes = [models.Index(fields=["-starts_at", "-id"], name="marketing_flash_starts")]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="flash_session_ends")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("marketing:flash_session_detail", args=[self.pk])

    @property
    def status(self) -> str:
        return schedule_status(self.starts_at, self.ends_at)

    def get_status_display(self):
        return Schedule(self.status).label


class FlashSaleItem(models.Model):
    """One SKU of a session: its sale price, the units held for it and what is left of them."""

    session = models.ForeignKey(FlashSession, on_delete=models.CASCADE, related_name="items", verbose_name=_("session"))
    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+", verbose_name=_("SKU"))
    sale_price = models.DecimalField(_("sale price"), **MONEY)
    quantity = models.PositiveIntegerField(_("sale quantity"))
    remaining = models.PositiveIntegerField(_("remaining"))
    returned = models.PositiveIntegerField(_("returned to stock"), default=0)
    per_customer_limit = models.PositiveIntegerField(_("limit per customer"), default=1)

    class Meta:
        verbose_name = _("flash-sale SKU")
        verbose_name_plural = _("flash-sale SKUs")
        constraints = [
            models.UniqueConstraint(fields=["session", "sku"], name="flash_item_session_sku"),
            models.CheckConstraint(condition=Q(remaining__lte=F("quantity")), name="flash_item_remaining"),
            models.CheckConstraint(condition=Q(sale_price__gte=0), name="flash_item_price"),
            models.CheckConstraint(condition=Q(per_customer_limit__gte=1), name="flash_item_limit"),
        ]

    def __str__(self):
        return f"{self.session} · {self.sku_id}"

    @property
    def reference(self) -> str:
        """The inventory reference its held units are reserved under."""
        return f"flash:{self.pk}"

    @property
    def sold(self) -> int:
        return self.quantity - self.remaining - self.returned


class FlashPurchase(models.Model):
    """How many units of a flash-sale SKU a customer holds (paid or awaiting payment): the limit's tally."""

    item = models.ForeignKey(FlashSaleItem, on_delete=models.CASCADE, related_name="purchases")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "customer"], name="flash_purchase_item_customer")]


class FlashClaim(models.Model):
    """Units an order took from a session, so that they go back to it when the order closes unpaid."""

    item = models.ForeignKey(FlashSaleItem, on_delete=models.CASCADE, related_name="claims", verbose_name=_("SKU"))
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="+", verbose_name=_("customer")
    )
    order_number = models.CharField(_("order"), max_length=32, db_index=True)
    quantity = models.PositiveIntegerField(_("quantity"))
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("flash-sale claim")
        verbose_name_plural = _("flash-sale claims")


class GroupBuyKey(models.Model):
    """One sequence for group-buy activity ids and group ids (see the module docstring)."""


class GroupBuy(models.Model):
    """A group-buy activity: one SKU at a group price for groups of `group_size` within `fill_hours`."""

    id = models.BigIntegerField(primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+", verbose_name=_("SKU"))
    group_size = models.PositiveSmallIntegerField(_("group size"))
    group_price = models.DecimalField(_("group price"), **MONEY)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    fill_hours = models.PositiveSmallIntegerField(
        _("hours to fill a group"),
        default=24,
        help_text=_("A group fails when it is not full this long after it opens."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("group-buy activity")
        verbose_name_plural = _("group-buy activities")
        indexes = [models.Index(fields=["-starts_at", "-id"], name="marketing_groupbuy_starts")]
        constraints = [
            models.CheckConstraint(condition=Q(group_size__gte=2), name="groupbuy_size_gte_2"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="groupbuy_ends"),
            models.CheckConstraint(condition=Q(group_price__gte=0), name="groupbuy_price"),
            models.CheckConstraint(condition=Q(fill_hours__gte=1), name="groupbuy_fill_hours"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("marketing:group_buy_detail", args=[self.pk])

    @property
    def status(self) -> str:
        return schedule_status(self.starts_at, self.ends_at)

    def get_status_display(self):
        return Schedule(self.status).label


class GroupBuyGroup(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    id = models.BigIntegerField(primary_key=True)
    activity = models.ForeignKey(GroupBuy, on_delete=models.PROTECT, related_name="groups", verbose_name=_("activity"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    size = models.PositiveSmallIntegerField(_("size"))
    joined = models.PositiveSmallIntegerField(_("members"), default=0)
    paid = models.PositiveSmallIntegerField(_("paid"), default=0)
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    deadline = models.DateTimeField(_("deadline"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        indexes = [models.Index(fields=["status", "deadline"], name="marketing_group_deadline")]
        constraints = [
            models.CheckConstraint(condition=Q(joined__lte=F("size")), name="group_joined_lte_size"),
            models.CheckConstraint(condition=Q(paid__lte=F("joined")), name="group_paid_lte_joined"),
        ]

    def __str__(self):
        return f"#{self.pk}"


class GroupBuyMember(models.Model):
    class Status(models.TextChoices):
        JOINED = "joined", _("Awaiting payment")
        PAID = "paid", _("Paid")
        LEFT = "left", _("Left (not paid)")
        FAILED = "failed", _("Group failed")

    group = models.ForeignKey(GroupBuyGroup, on_delete=models.CASCADE, related_name="members", verbose_name=_("group"))
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    order_number = models.CharField(_("order"), max_length=32, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.JOINED)
    is_leader = models.BooleanField(_("opened the group"), default=False)
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)

    class Meta:
        verbose_name = _("group member")
        verbose_name_plural = _("group members")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "customer"],
                condition=Q(status__in=["joined", "paid"]),
                name="group_member_once",
            )
        ]
