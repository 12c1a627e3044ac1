"""Catalogue pages: the product list, one product's pages, and the taxonomy (categories, brands, tags,
attributes)."""

from catalog.views.product_pages import (
    product_create,
    product_edit,
    product_image_action,
    product_images,
    product_publish,
    product_schedule,
    product_skus,
)
from catalog.views.products import product_export, product_import, product_list, product_price_apply
from catalog.views.taxonomy import (
    attribute_views,
    brand_views,
    category_delete,
    category_detail,
    category_edit,
    category_list,
    tag_views,
)

__all__ = [
    "attribute_views",
    "brand_views",
    "category_delete",
    "category_detail",
    "category_edit",
    "category_list",
    "product_create",
    "product_edit",
    "product_export",
    "product_image_action",
    "product_images",
    "product_import",
    "product_list",
    "product_price_apply",
    "product_publish",
    "product_schedule",
    "product_skus",
    "tag_views",
]
