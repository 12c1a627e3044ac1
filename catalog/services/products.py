"""Creating and changing products, and their images (checked, thumbnailed, ordered)."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import (
    Product,
    ProductImage,
)
from catalog.services.common import PRODUCT_FIELDS, _touch
from shop.audit import record, snapshot
from shop.errors import DomainError
from shop.html import sanitize_html
from shop.images import image_check, image_thumbnail


# -- products ---------------------------------------------------------------------------------------
def _product_snapshot(product):
    return snapshot(product, PRODUCT_FIELDS)


@transaction.atomic(durable=True)
def product_save(*, actor, product: Product | None = None, tags=(), **values) -> Product:
    """Create or edit a product's own fields; the description is sanitised."""
    product = product or Product()
    code = values.get("code", product.code).strip()
    if not code:
        raise DomainError(_("Enter a product code."), code="code_required")
    if Product.objects.filter(code=code).exclude(pk=product.pk).exists():
        raise DomainError(_("Product code %(code)s is taken.") % {"code": code}, code="duplicate_code")
    before = _product_snapshot(product) if product.pk else None
    for name, value in values.items():
        setattr(product, name, value)
    product.code = code
    product.description = sanitize_html(product.description)
    product.updated_at = timezone.now()
    product.save()
    product.tags.set(tags)
    record(actor, "catalog.product_save", product, before=before, after=_product_snapshot(product))
    return product


def product_images_add(*, actor, product: Product, uploads) -> list[ProductImage]:
    """Add images after checking every file; the first image of a product becomes its main image."""
    for upload in uploads:
        image_check(upload)
    start = product.images.aggregate(m=Max("position"))["m"] or 0
    has_main = product.images.filter(is_main=True).exists()
    images = []
    for offset, upload in enumerate(uploads, start=1):
        image = ProductImage(product=product, position=start + offset, is_main=not has_main and offset == 1)
        image.thumbnail.save(f"thumb-{upload.name.rsplit('.', 1)[0]}.jpg", image_thumbnail(upload), save=False)
        image.image.save(upload.name, upload, save=False)
        image.save()
        images.append(image)
    _touch(product)
    record(actor, "catalog.product_images_add", product, after={"images": [i.image.name for i in images]})
    return images


@transaction.atomic(durable=True)
def product_image_set_main(*, actor, image: ProductImage) -> None:
    """Make this image the product's main image."""
    image.product.images.update(is_main=False)
    ProductImage.objects.filter(pk=image.pk).update(is_main=True)
    record(actor, "catalog.product_image_main", image.product, after={"main_image": image.image.name})


@transaction.atomic(durable=True)
def product_image_move(*, actor, image: ProductImage, offset: int) -> None:
    """Move an image one place earlier (-1) or later (+1)."""
    images = list(image.product.images.order_by("position", "id"))
    index = next(i for i, img in enumerate(images) if img.pk == image.pk)
    other = index + offset
    if 0 <= other < len(images):
        images[index], images[other] = images[other], images[index]
        for position, img in enumerate(images, start=1):
            ProductImage.objects.filter(pk=img.pk).update(position=position)
    record(actor, "catalog.product_image_move", image.product, after={"image": image.image.name, "offset": offset})


@transaction.atomic(durable=True)
def product_image_delete(*, actor, image: ProductImage) -> None:
    """Remove an image; another image becomes main if this was."""
    product = image.product
    record(actor, "catalog.product_image_delete", product, before={"image": image.image.name})
    was_main = image.is_main
    image.delete()
    first = product.images.order_by("position", "id").first()
    if was_main and first:
        ProductImage.objects.filter(pk=first.pk).update(is_main=True)
