from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("Catalog")
    nav = [
        ("catalog:product_list", _("Products"), "catalog.view_product"),
        ("catalog:category_list", _("Categories"), "catalog.view_category"),
        ("catalog:brand_list", _("Brands"), "catalog.view_brand"),
        ("catalog:tag_list", _("Tags"), "catalog.view_tag"),
        ("catalog:attributedefinition_list", _("Attributes"), "catalog.view_attributedefinition"),
        ("catalog:product_import", _("Import products"), "catalog.import_product"),
    ]
