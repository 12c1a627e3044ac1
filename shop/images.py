"""Uploaded images, one home for every module: checked (a real image, size- and pixel-limited) and thumbnailed.

Catalog product images, after-sales evidence, review photos and the store logo all pass through `image_check`; a
refusal is a DomainError with code `not_an_image` or `image_too_large`, so pages show it and the API answers 400/422
in its error format. `image_from_base64` turns an API's `{"filename", "content_base64"}` into an upload to check.

Only the header is read to refuse a decompression bomb (a small PNG that claims 50000 × 50000 pixels): Pillow's
DecompressionBombError and our own pixel limit both say "too many pixels". A checked upload is renamed to the
extension of its real format, so a GIF named `x.html` is stored and served as `x.gif`, never as a page.
"""

import base64
import binascii
import io

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from shop.errors import DomainError

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_LOGO_BYTES = 2 * 1024 * 1024
MAX_IMAGE_PIXELS = 8000 * 8000
THUMBNAIL_SIZE = (240, 240)
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}


def image_check(upload, *, max_bytes: int = MAX_IMAGE_BYTES) -> None:
    """Refuse an upload that is over `max_bytes`, has too many pixels or is not a JPEG, PNG, GIF or WebP image;
    rename an accepted one to its format's extension."""
    if upload.size > max_bytes:
        raise DomainError(
            _("%(name)s is larger than %(mb)s MB.") % {"name": upload.name, "mb": max_bytes // (1024 * 1024)},
            code="image_too_large",
        )
    too_many = DomainError(_("%(name)s has too many pixels.") % {"name": upload.name}, code="image_too_large")
    try:
        with Image.open(upload) as img:
            if img.width * img.height > MAX_IMAGE_PIXELS:
                raise too_many
            if img.format not in EXTENSIONS:
                raise UnidentifiedImageError(img.format)
            kind = img.format
            img.verify()
    except Image.DecompressionBombError as e:
        raise too_many from e
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as e:
        raise DomainError(
            _("%(name)s is not an image (JPEG, PNG, GIF or WebP).") % {"name": upload.name}, code="not_an_image"
        ) from e
    upload.seek(0)
    stem = (upload.name or "image").rsplit("/", 1)[-1].rsplit(".", 1)[0] or "image"
    upload.name = f"{stem}.{EXTENSIONS[kind]}"


def image_thumbnail(upload) -> ContentFile:
    """A JPEG thumbnail of a checked upload, at most THUMBNAIL_SIZE."""
    with Image.open(upload) as original:
        img = original.convert("RGB")
        img.thumbnail(THUMBNAIL_SIZE)
        buffer = io.BytesIO()
        img.save(buffer, "JPEG", quality=85)
    upload.seek(0)
    return ContentFile(buffer.getvalue(), name="thumb.jpg")


def image_from_base64(filename: str, content: str, *, max_bytes: int = MAX_IMAGE_BYTES) -> ContentFile:
    """An API's base64 image as a checked upload; refuses what is not base64 before decoding a huge body."""
    name = (filename or "image").strip()[:100] or "image"
    if len(content) > (max_bytes * 4) // 3 + 4:
        raise DomainError(
            _("%(name)s is larger than %(mb)s MB.") % {"name": name, "mb": max_bytes // (1024 * 1024)},
            code="image_too_large",
        )
    try:
        data = base64.b64decode(content, validate=True)
    except (binascii.Error, ValueError) as e:
        raise DomainError(_("%(name)s is not base64-encoded.") % {"name": name}, code="not_an_image") from e
    upload = ContentFile(data, name=name)
    image_check(upload, max_bytes=max_bytes)
    return upload
