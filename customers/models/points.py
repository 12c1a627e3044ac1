"""The points ledger (积分明细): one row per change of a customer's points.

`Customer.points_balance` is the sum of the customer's rows, always: customers.services.points is the
only writer, and every write locks the customer row (select_for_update) and updates the balance in the
same transaction. A positive row is a lot with an expiry and a `remaining` amount; negative rows
(redemptions, reversals, expiries, negative adjustments) consume the oldest lots first (FIFO), so the
sum of the remaining amounts equals the balance too. Retries never double: at most one earn and one
redemption per order, one return or reversal per order and refund, one birthday gift per customer and
year, one expiry per lot (unique constraints back the checks made under the customer's lock).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PointsEntry(models.Model):
    class Kind(models.TextChoices):
        EARN = "earn", _("Earned (order completed)")
        REDEEM = "redeem", _("Redeemed on an order")
        RETURN = "return", _("Redeemed points returned")
        REVERSE = "reverse", _("Earned points reversed (refund)")
        ADJUST = "adjust", _("Adjusted by staff")
        EXPIRE = "expire", _("Expired")
        BIRTHDAY = "birthday", _("Birthday gift")

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="points_entries", verbose_name=_("customer")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    points = models.IntegerField(_("points"))
    balance_after = models.IntegerField(_("balance after"))
    # A positive row is a lot: what is left of it for FIFO consumption, and when that expires.
    remaining = models.PositiveIntegerField(_("remaining"), default=0)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    order_number = models.CharField(_("order"), max_length=32, blank=True)
    # What makes the row unique beside the order: a refund id, the birthday year, the expired lot's id.
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    # The money the points relate to: the amount paid (earn), the discount given (redeem).
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(_("by"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        ordering = ["-created_at", "-id"]
        permissions = [("adjust_points", _("Can adjust a customer's points"))]
        indexes = [
            models.Index(fields=["customer", "-created_at", "-id"], name="points_customer_created"),
            models.Index(fields=["-created_at", "-id"], name="points_created_keyset"),
            models.Index(fields=["kind", "-created_at", "-id"], name="points_kind_created"),
            models.Index(fields=["order_number"], name="points_order", condition=~Q(order_number="")),
            models.Index(fields=["expires_at", "customer"], name="points_open_lots", condition=Q(remaining__gt=0)),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(points=0), name="points_entry_nonzero"),
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="points_balance_after_gte_0"),
            models.CheckConstraint(
                condition=Q(remaining=0) | (Q(points__gt=0) & Q(remaining__lte=models.F("points"))),
                name="points_remaining_within_lot",
            ),
            models.UniqueConstraint(
                fields=["order_number"], condition=Q(kind="earn"), name="points_one_earn_per_order"
            ),
            models.UniqueConstraint(
                fields=["order_number"], condition=Q(kind="redeem"), name="points_one_redeem_per_order"
            ),
            models.UniqueConstraint(
                fields=["kind", "order_number", "reference"],
                condition=Q(kind__in=["return", "reverse"]),
                name="points_one_return_per_order_refund",
            ),
            models.UniqueConstraint(
                fields=["customer", "reference"], condition=Q(kind="birthday"), name="points_one_birthday_per_year"
            ),
            models.UniqueConstraint(fields=["reference"], condition=Q(kind="expire"), name="points_one_expiry_per_lot"),
        ]

    def __str__(self):
        return f"{self.customer_id} {self.kind} {self.points:+d}"
