"""Reviews (评价): the customer's post through the API, the default positive review after auto-completion, staff
moderation (approve, hide, flag, reply, in bulk too), the moderation keywords and the low-rating alert.

A review is of one order line, once (a unique constraint); it may be posted only after the order was delivered.
A review whose text contains a moderation keyword is flagged; otherwise it awaits moderation, or is published at
once when the store setting says so. Staff actions are audited; the customer's post and the system's default
review are not staff writes (their origin is on the review itself).
"""

from datetime import timedelta

from django.conf import settings as django_settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aftersales.models import ModerationKeyword, Review, ReviewImage
from orders.models import Order, OrderEvent, OrderLine
from shop.audit import record
from shop.errors import Conflict, DomainError, NotFound
from shop.images import image_from_base64, image_thumbnail
from shop.selectors import store_settings
from shop.services import notify
from shop.state import StateMachine

S = Review.Status
TEXT_MAX = 2000
REPLY_MAX = 1000
IMAGES_MAX = 9
IMAGE_MAX_BYTES = 2 * 1024 * 1024  # a review photo; the storefront sends it resized
KEYWORD_MAX = 50
REVIEWABLE = (Order.Status.DELIVERED, Order.Status.COMPLETED)
REVIEW_MACHINE = StateMachine(
    transitions={
        "approve": ((S.PENDING, S.FLAGGED, S.HIDDEN), S.APPROVED),
        "hide": ((S.PENDING, S.FLAGGED, S.APPROVED), S.HIDDEN),
        "flag": ((S.PENDING, S.APPROVED), S.FLAGGED),
    },
    labels={"approve": lambda: _("published"), "hide": lambda: _("hidden"), "flag": lambda: _("flagged")},
)
MODERATION_ACTIONS = ("approve", "hide", "flag")


def default_review_text() -> str:
    """The store's default review text, or the standard one in the store's language (the storefront shows it)."""
    with translation.override(django_settings.LANGUAGE_CODE):
        return store_settings().auto_review_text or _("The customer did not write a review in time; default positive.")


def keywords_found(text) -> list[str]:
    """The moderation keywords the text contains (case-insensitive)."""
    lowered = (text or "").casefold()
    return [w for w in ModerationKeyword.objects.values_list("word", flat=True) if w.casefold() in lowered]


def _rating(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        message = _("Give a rating from 1 to 5.")
        raise DomainError(message, code="invalid_rating", fields={"rating": message})
    return value


def _line_of(order, line_id=None, sku=""):
    lines = list(OrderLine.objects.filter(order=order).select_related("sku"))
    if line_id:
        chosen = [ln for ln in lines if ln.pk == line_id]
    elif sku:
        chosen = [ln for ln in lines if ln.sku_code == sku]
    else:
        chosen = lines if len(lines) == 1 else []
        if not chosen:
            message = _("Name the order line or SKU to review.")
            raise DomainError(message, code="line_required", fields={"line": message})
    if not chosen:
        raise NotFound(_("Order %(n)s has no such line.") % {"n": order.number}, code="line_not_found")
    return chosen[0]


def _alert_low_rating(review) -> None:
    """Tell customer service once about a low rating (the store's threshold)."""
    threshold = store_settings().review_low_rating_threshold
    if review.rating > threshold or review.low_rating_alerted_at is not None:
        return
    notify(
        title=_("Low rating %(r)s★ on %(sku)s") % {"r": review.rating, "sku": review.sku_code},
        body=(review.text or "")[:300],
        url=reverse("aftersales:review_detail", args=[review.pk]),
        kind="review_low_rating",
        role="customer_service",
    )
    review.low_rating_alerted_at = timezone.now()
    review.save(update_fields=["low_rating_alerted_at"])


def _create(*, line, rating, text, is_default=False, status=None, keywords=(), now=None) -> Review:
    order = line.order
    try:
        with transaction.atomic():
            return Review.objects.create(
                order_line=line,
                order=order,
                order_number=order.number,
                product_id=line.sku.product_id,
                sku=line.sku,
                sku_code=line.sku_code,
                customer_id=order.customer_id,
                rating=rating,
                text=text,
                status=status,
                flagged_keywords=list(keywords),
                is_default=is_default,
                created_at=now or timezone.now(),
            )
    except IntegrityError:  # another request reviewed the line first
        raise _already(line) from None


def _already(line):
    return Conflict(
        _("%(sku)s of order %(n)s is already reviewed.") % {"sku": line.sku_code, "n": line.order.number},
        code="already_reviewed",
    )


@transaction.atomic(durable=True)
def review_post(*, order_number, rating, text="", line_id=None, sku="", images=(), actor=None) -> Review:
    """Take a customer's review of a delivered order's line, with its photos ({filename, content_base64})."""
    rating = _rating(rating)
    text = str(text or "").strip()
    if len(text) > TEXT_MAX:
        message = _("At most %(n)s characters.") % {"n": TEXT_MAX}
        raise DomainError(message, code="text_too_long", fields={"text": message})
    if len(images) > IMAGES_MAX:
        message = _("At most %(n)s photos.") % {"n": IMAGES_MAX}
        raise DomainError(message, code="too_many_images", fields={"images": message})
    uploads = []  # every photo checked before anything is written
    for i, image in enumerate(images):
        try:
            uploads.append(
                image_from_base64(image.get("filename", ""), image.get("content_base64", ""), max_bytes=IMAGE_MAX_BYTES)
            )
        except DomainError as e:
            raise DomainError(e.message, code=e.code, fields={f"images.{i}": e.message}) from None
    order = Order.objects.select_for_update().filter(number=str(order_number or "").strip()).first()
    if order is None:
        raise NotFound(_("Order not found."), code="order_not_found")
    if order.status not in REVIEWABLE:
        raise Conflict(
            _("Order %(n)s can be reviewed once it is delivered.") % {"n": order.number}, code="not_delivered"
        )
    line = _line_of(order, line_id=line_id, sku=str(sku or "").strip())
    if Review.objects.filter(order_line=line).exists():
        raise _already(line)
    keywords = keywords_found(text)
    if keywords:
        status = S.FLAGGED
    else:
        status = S.APPROVED if store_settings().reviews_publish_unmoderated else S.PENDING
    review = _create(line=line, rating=rating, text=text, status=status, keywords=keywords)
    for position, upload in enumerate(uploads):
        photo = ReviewImage(review=review, position=position)
        photo.image.save(upload.name or "photo", upload, save=False)
        photo.thumbnail.save("thumb.jpg", image_thumbnail(upload), save=False)
        photo.save()
    if uploads:
        review.image_count = len(uploads)
        review.save(update_fields=["image_count"])
    _alert_low_rating(review)
    return review


def order_auto_completed(order) -> bool:
    """Whether the order's completion was the auto-complete job's (no staff member completed it)."""
    return OrderEvent.objects.filter(order=order, kind="complete", actor__isnull=True, actor_label="system").exists()


@transaction.atomic(durable=True)
def reviews_default_post(*, order, now=None) -> list[Review]:
    """Post the default 5-star review for each line of an auto-completed order that has none, once the review
    window after delivery has passed and the store setting asks for it. Safe to run twice."""
    now = now or timezone.now()
    settings = store_settings()
    order = Order.objects.select_for_update().get(pk=order.pk)
    if not settings.auto_review_enabled or order.status != Order.Status.COMPLETED or order.delivered_at is None:
        return []
    if order.delivered_at > now - timedelta(days=settings.auto_review_days):
        return []
    if not order_auto_completed(order):
        return []
    text = default_review_text()
    reviewed = set(Review.objects.filter(order=order).values_list("order_line_id", flat=True))
    posted = []
    for line in OrderLine.objects.filter(order=order).select_related("sku", "order").order_by("pk"):
        if line.pk not in reviewed:
            posted.append(_create(line=line, rating=5, text=text, is_default=True, status=S.APPROVED, now=now))
    return posted


SWEEP_LOOKBACK_DAYS = 30


def reviews_default_sweep(*, now=None, limit=2000) -> dict:
    """Post the default reviews of auto-completed orders whose review window ended in the last 30 days and that
    still have a line without a review (the hourly job: a review window longer than the after-sales window ends
    after the completion). One transaction per order; safe to run twice."""
    now = now or timezone.now()
    settings = store_settings()
    if not settings.auto_review_enabled:
        return {"orders": 0, "reviews": 0}
    cutoff = now - timedelta(days=settings.auto_review_days)
    unreviewed = OrderLine.objects.filter(order=OuterRef("pk")).filter(
        ~Exists(Review.objects.filter(order_line=OuterRef("pk")))
    )
    by_job = OrderEvent.objects.filter(order=OuterRef("pk"), kind="complete", actor__isnull=True, actor_label="system")
    due = (
        Order.objects.filter(
            status=Order.Status.COMPLETED,
            delivered_at__lt=cutoff,
            delivered_at__gte=cutoff - timedelta(days=SWEEP_LOOKBACK_DAYS),
        )
        .filter(Exists(unreviewed), Exists(by_job))
        .order_by("pk")
    )
    orders = posted = 0
    for order in due[:limit]:
        done = reviews_default_post(order=order, now=now)
        orders += bool(done)
        posted += len(done)
    return {"orders": orders, "reviews": posted}


# -- moderation (staff) ---------------------------------------------------------------------------------
def _locked(review) -> Review:
    try:
        return Review.objects.select_for_update().get(pk=review.pk)
    except Review.DoesNotExist:
        raise NotFound(_("Review not found.")) from None


def _moderate(review, action, actor, keywords=None) -> Review:
    review = _locked(review)
    before = REVIEW_MACHINE.move(review, action)
    after = {"status": review.status}
    if keywords is not None:
        review.flagged_keywords = keywords
        review.save(update_fields=["flagged_keywords"])
        after["keywords"] = keywords
    record(actor, f"aftersales.review_{action}", review, before={"status": before}, after=after)
    return review


@transaction.atomic(durable=True)
def review_moderate(*, review, actor, action) -> Review:
    """Approve (publish), hide or flag a review."""
    if action not in MODERATION_ACTIONS:
        raise DomainError(_("Choose approve, hide or flag."), code="invalid_action")
    return _moderate(review, action, actor)


def review_approve(*, review, actor) -> Review:
    """Publish the review."""
    return review_moderate(review=review, actor=actor, action="approve")


def review_hide(*, review, actor) -> Review:
    """Hide the review from the storefront."""
    return review_moderate(review=review, actor=actor, action="hide")


def review_flag(*, review, actor) -> Review:
    """Flag the review for a second look."""
    return review_moderate(review=review, actor=actor, action="flag")


@transaction.atomic(durable=True)
def reviews_moderate(*, reviews, actor, action) -> tuple[int, list[str]]:
    """Approve or hide many reviews; those their status does not allow are reported, the rest are done."""
    if action not in ("approve", "hide"):
        raise DomainError(_("Choose approve or hide."), code="invalid_action")
    done, refused = 0, []
    for review in Review.objects.filter(pk__in=reviews.values("pk")).select_for_update().order_by("pk"):
        if REVIEW_MACHINE.allows(review, action):
            _moderate(review, action, actor)
            done += 1
        else:
            refused.append(_("%(r)s is already %(s)s.") % {"r": review, "s": review.get_status_display()})
    return done, refused


@transaction.atomic(durable=True)
def review_reply(*, review, actor, text) -> Review:
    """Write (or replace) the shop's public reply to the review."""
    text = str(text or "").strip()
    if not text:
        raise DomainError(_("Write the reply."), code="text_required", fields={"text": _("Required.")})
    if len(text) > REPLY_MAX:
        message = _("At most %(n)s characters.") % {"n": REPLY_MAX}
        raise DomainError(message, code="text_too_long", fields={"text": message})
    review = _locked(review)
    before = {"reply": review.reply}
    review.reply, review.replied_at = text, timezone.now()
    review.replied_by = actor if getattr(actor, "pk", None) else None
    review.save(update_fields=["reply", "replied_at", "replied_by"])
    record(actor, "aftersales.review_reply", review, before=before, after={"reply": text})
    return review


# -- moderation keywords --------------------------------------------------------------------------------
@transaction.atomic(durable=True)
def keyword_add(*, actor, word) -> ModerationKeyword:
    """Add a moderation keyword; later reviews containing it are flagged."""
    word = str(word or "").strip()
    if not word:
        raise DomainError(_("Write the keyword."), code="word_required", fields={"word": _("Required.")})
    if len(word) > KEYWORD_MAX:
        message = _("At most %(n)s characters.") % {"n": KEYWORD_MAX}
        raise DomainError(message, code="word_too_long", fields={"word": message})
    if ModerationKeyword.objects.filter(Q(word__iexact=word)).exists():
        message = _("%(w)s is already a keyword.") % {"w": word}
        raise Conflict(message, code="duplicate", fields={"word": message})
    keyword = ModerationKeyword.objects.create(word=word, created_by=actor if getattr(actor, "pk", None) else None)
    record(actor, "aftersales.keyword_add", keyword, after={"word": word})
    return keyword


@transaction.atomic(durable=True)
def keyword_delete(*, actor, keyword) -> None:
    """Remove a moderation keyword (reviews already flagged stay flagged)."""
    record(actor, "aftersales.keyword_delete", keyword, before={"word": keyword.word})
    keyword.delete()
