"""Customer segments (客户分群): a named set of rules over the customer record and its member figures.

The rules are JSON (the shape is documented in customers/services/segments.py, `clean_rules`, which is the
only validator) and interpreted in one place, `customers.selectors.segment_customers`. `member_count` is
counted when the segment is saved or recounted; `counted_at` says when, since the figures change nightly.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Segment(models.Model):
    name = models.CharField(pgettext_lazy("segment", "name"), max_length=60, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    rules = models.JSONField(_("rules"), default=dict)
    member_count = models.PositiveIntegerField(_("members"), null=True, blank=True)
    counted_at = models.DateTimeField(_("counted at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("customer segment")
        verbose_name_plural = _("customer segments")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("customers:segment_detail", args=[self.pk])


class SegmentMember(models.Model):
    """Who was in the segment when it was last counted: the customer list's `?segment=` filter and the member
    list join this (an index probe per row), so a list page costs the same for a narrow segment as for a broad
    one. Written only by customers.services (on save, on recount, and by the nightly `recount_segments` job)."""

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="memberships")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="segment_memberships")

    class Meta:
        verbose_name = _("segment member")
        verbose_name_plural = _("segment members")
        constraints = [models.UniqueConstraint(fields=["segment", "customer"], name="segment_member_once")]

    def __str__(self):
        return f"{self.segment_id}: {self.customer_id}"
