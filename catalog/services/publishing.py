"""Publishing and unpublishing products, now or on a schedule (the publish_scheduled_products job)."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import (
    Product,
)
from shop.audit import record, snapshot
from shop.errors import DomainError, RuleRefused


# -- publishing -------------------------------------------------------------------------------------
def _ensure_publishable(product) -> None:
    """Refuse, saying why, a product without an active priced SKU or without an image."""
    problems = []
    if not product.skus.filter(is_active=True).exists():
        problems.append(_("it has no active SKU with a price"))
    if not product.images.exists():
        problems.append(_("it has no image"))
    if problems:
        raise RuleRefused(
            _("%(name)s cannot be published: %(why)s.") % {"name": product.name, "why": "; ".join(problems)},
            code="not_publishable",
        )


def _set_status(*, actor, product, status, reason, now):
    if status == Product.Status.PUBLISHED:
        _ensure_publishable(product)
    before = {"status": product.status}
    product.status = status
    product.published_at = now if status == Product.Status.PUBLISHED else product.published_at
    product.updated_at = now
    product.save(
        update_fields=["status", "published_at", "updated_at", "publish_at", "unpublish_at", "schedule_reason"]
    )
    record(
        actor,
        "catalog.product_" + ("publish" if status == Product.Status.PUBLISHED else "unpublish"),
        product,
        before=before,
        after={"status": status, "reason": reason},
    )


@transaction.atomic(durable=True)
def products_set_status(*, actor, products, published: bool, reason: str = "") -> int:
    """Put products on sale (上架) or take them off (下架) now; all or none."""
    status = Product.Status.PUBLISHED if published else Product.Status.UNPUBLISHED
    products, now, errors = list(products.select_for_update(of=("self",)).order_by("pk")), timezone.now(), []
    for product in products:
        try:
            _set_status(actor=actor, product=product, status=status, reason=reason, now=now)
        except RuleRefused as e:
            errors.append(e.message)
    if errors:
        raise RuleRefused(" ".join(errors), code="not_publishable")
    return len(products)


@transaction.atomic(durable=True)
def product_schedule(*, actor, product: Product, publish_at=None, unpublish_at=None, reason: str = "") -> Product:
    """Plan a product's publishing and/or unpublishing; the scheduled job carries it out."""
    if publish_at and unpublish_at and unpublish_at <= publish_at:
        raise DomainError(_("The unpublish time must be after the publish time."), code="invalid_schedule")
    if publish_at:
        _ensure_publishable(product)
    before = snapshot(product, ["publish_at", "unpublish_at", "schedule_reason"])
    product.publish_at, product.unpublish_at, product.schedule_reason = publish_at, unpublish_at, reason
    product.save(update_fields=["publish_at", "unpublish_at", "schedule_reason"])
    record(
        actor,
        "catalog.product_schedule",
        product,
        before=before,
        after=snapshot(product, ["publish_at", "unpublish_at", "schedule_reason"]),
    )
    return product


def products_run_schedule(*, now=None) -> dict:
    """Carry out due scheduled publishing and unpublishing, each product in its own transaction."""
    now = now or timezone.now()
    done = {"published": 0, "unpublished": 0, "refused": 0}
    due = Product.objects.filter(Q(publish_at__lte=now) | Q(unpublish_at__lte=now)).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic(durable=True):
            product = Product.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if product is None:
                continue
            if product.unpublish_at and product.unpublish_at <= now:
                status, product.unpublish_at, product.publish_at = Product.Status.UNPUBLISHED, None, None
                key = "unpublished"
            else:
                status, product.publish_at, key = Product.Status.PUBLISHED, None, "published"
            try:
                with transaction.atomic():
                    _set_status(
                        actor=None,
                        product=product,
                        status=status,
                        reason=product.schedule_reason or _("Scheduled"),
                        now=now,
                    )
            except RuleRefused as e:
                product.save(update_fields=["publish_at", "unpublish_at"])
                record(None, "catalog.product_schedule_refused", product, after={"reason": e.message})
                key = "refused"
            done[key] += 1
    return done
