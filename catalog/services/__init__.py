"""Every write to the catalogue: one use case, one transaction, a domain error, an audit entry.

taxonomy.py    the category tree, brands, tags, attributes
products.py    products and their images
skus.py        the SKU matrix and the SKU grid
publishing.py  publish / unpublish, now or scheduled
bulk.py        bulk move, tag and price change from the list
importing.py   the product file import (a background run)
common.py      what they share (field lists, price bounds, row errors, sanitising, price refresh)
"""

from catalog.services.bulk import (
    price_change,
    products_move,
    products_price_apply,
    products_price_preview,
    products_tag,
)
from catalog.services.common import MAX_PRICE, RowErrors
from catalog.services.importing import products_import, products_import_start
from catalog.services.products import (
    product_image_delete,
    product_image_move,
    product_image_set_main,
    product_images_add,
    product_save,
)
from catalog.services.publishing import product_schedule, products_run_schedule, products_set_status
from catalog.services.skus import sku_matrix_generate, skus_save
from catalog.services.taxonomy import (
    attribute_values_add,
    category_create,
    category_delete,
    category_move,
    category_update,
    named_delete,
    named_save,
)

__all__ = [
    "MAX_PRICE",
    "RowErrors",
    "attribute_values_add",
    "category_create",
    "category_delete",
    "category_move",
    "category_update",
    "named_delete",
    "named_save",
    "price_change",
    "product_image_delete",
    "product_image_move",
    "product_image_set_main",
    "product_images_add",
    "product_save",
    "product_schedule",
    "products_import",
    "products_import_start",
    "products_move",
    "products_price_apply",
    "products_price_preview",
    "products_run_schedule",
    "products_set_status",
    "products_tag",
    "sku_matrix_generate",
    "skus_save",
]
