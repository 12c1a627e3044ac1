"""Reviews (评价) of order lines, their photos, the moderation keywords, and satisfaction surveys (满意度调查)."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

RATINGS = (1, 2, 3, 4, 5)


class Review(models.Model):
    """A customer's review of one order line (at most one per line); product and SKU are copied for the summary."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting moderation")
        APPROVED = "approved", _("Published")
        HIDDEN = "hidden", _("Hidden")
        FLAGGED = "flagged", _("Flagged")

    order_line = models.ForeignKey(
        "orders.OrderLine", on_delete=models.CASCADE, related_name="+", verbose_name=_("order line")
    )
    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="+", verbose_name=_("order"))
    order_number = models.CharField(_("order number"), max_length=32, db_index=True)
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="+", verbose_name=_("product")
    )
    sku = models.ForeignKey("catalog.Sku", on_delete=models.CASCADE, related_name="+", verbose_name=_("SKU"))
    sku_code = models.CharField(_("SKU code"), max_length=64)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="+", verbose_name=_("customer")
    )
    rating = models.PositiveSmallIntegerField(_("rating"), choices=[(r, str(r)) for r in RATINGS])
    text = models.TextField(_("review text"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    flagged_keywords = models.JSONField(_("flagged keywords"), default=list, blank=True)
    image_count = models.PositiveSmallIntegerField(_("photos"), default=0)
    reply = models.TextField(_("shop reply"), blank=True)
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_default = models.BooleanField(_("default review"), default=False)
    low_rating_alerted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("posted"), default=timezone.now)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["order_line"], name="review_one_per_order_line"),
            models.CheckConstraint(condition=models.Q(rating__gte=1, rating__lte=5), name="review_rating_1_to_5"),
        ]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="review_created"),
            models.Index(fields=["status", "-created_at", "-id"], name="review_status_created"),
            models.Index(fields=["product", "status"], name="review_product_status"),
            models.Index(fields=["sku", "status"], name="review_sku_status"),
        ]

    def __str__(self):
        return f"{self.order_number} · {self.sku_code} · {self.rating}★"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("aftersales:review_detail", args=[self.pk])


class ReviewImage(models.Model):
    """A photo with a review, checked by shop.images, with its thumbnail."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="images", verbose_name=_("review"))
    image = models.ImageField(_("photo"), upload_to="reviews/%Y/%m/")
    thumbnail = models.ImageField(_("thumbnail"), upload_to="reviews/thumbs/%Y/%m/")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("review photo")
        verbose_name_plural = _("review photos")
        ordering = ["review", "position", "id"]

    def __str__(self):
        return self.image.name


class ModerationKeyword(models.Model):
    """A word that flags a review for moderation when its text contains it (case-insensitive)."""

    word = models.CharField(_("keyword"), max_length=50, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        verbose_name = _("moderation keyword")
        verbose_name_plural = _("moderation keywords")
        ordering = ["word"]

    def __str__(self):
        return self.word


def survey_token() -> str:
    return secrets.token_urlsafe(24)


class Survey(models.Model):
    """A satisfaction survey sent to a customer after an order completed or an after-sales request closed, with
    its answer (CSAT 1–5, NPS 0–10, a comment). One per order, kind and request number."""

    class Kind(models.TextChoices):
        ORDER = "order", _("After order completion")
        REQUEST = "request", _("After an after-sales request")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="+", verbose_name=_("order"))
    order_number = models.CharField(_("order number"), max_length=32)
    # The after-sales request's number as text (the request model lives in its own area).
    request_number = models.CharField(_("after-sales request"), max_length=32, blank=True)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="+", verbose_name=_("customer")
    )
    token = models.CharField(max_length=64, unique=True, default=survey_token)
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    texted_at = models.DateTimeField(_("texted"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    csat = models.PositiveSmallIntegerField(_("satisfaction (1–5)"), null=True, blank=True)
    nps = models.PositiveSmallIntegerField(_("likely to recommend (0–10)"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "kind", "request_number"], name="survey_once_per_subject"),
            models.CheckConstraint(
                condition=models.Q(csat__isnull=True) | models.Q(csat__gte=1, csat__lte=5), name="survey_csat_1_to_5"
            ),
            models.CheckConstraint(
                condition=models.Q(nps__isnull=True) | models.Q(nps__lte=10), name="survey_nps_0_to_10"
            ),
        ]
        indexes = [
            models.Index(fields=["sent_at"], name="survey_sent"),
            models.Index(fields=["answered_at"], name="survey_answered"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.request_number or self.order_number}"
