"""The catalog in the operators' admin: read-only; changes go through the pages and their services, so they
are validated (publish rules, SKU rows), sanitised and written to the audit log."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from catalog.models import AttributeDefinition, AttributeValue, Brand, Category, Product, ProductImage, Sku, Tag
from shop.admin import OperatorAdmin, ReadOnlyInline, RelatedLink


@admin.register(Category)
class CategoryAdmin(OperatorAdmin):
    list_display = ("name", "depth", "numchild", "is_visible")
    list_filter = ("depth", "is_visible")
    search_fields = ("name",)
    exclude = ("path",)
    staff_page = "catalog:category_list"


@admin.register(Brand)
class BrandAdmin(OperatorAdmin):
    search_fields = ("name",)
    staff_page = "catalog:brand_list"


@admin.register(Tag)
class TagAdmin(OperatorAdmin):
    search_fields = ("name",)
    staff_page = "catalog:tag_list"


class AttributeValueInline(ReadOnlyInline):
    model = AttributeValue
    fields = ("value", "position")
    max_rows = 100


@admin.register(AttributeDefinition)
class AttributeDefinitionAdmin(OperatorAdmin):
    list_display = ("name", "position")
    search_fields = ("name",)
    inlines = [AttributeValueInline]
    staff_page = "catalog:attributedefinition_list"


@admin.register(AttributeValue)
class AttributeValueAdmin(OperatorAdmin):
    list_display = ("definition", "value", "position")
    search_fields = ("value",)


class SkuInline(ReadOnlyInline):
    model = Sku
    fields = ("code", "barcode", "price", "compare_at_price", "cost", "weight_g", "options", "is_active")
    max_rows = 100


class ProductImageInline(ReadOnlyInline):
    model = ProductImage
    fields = ("image", "position", "is_main")


@admin.register(Product)
class ProductAdmin(OperatorAdmin):
    list_display = ("code", "name", "category", "brand", "status", "price_min", "price_max", "updated_at")
    list_filter = ("status", "no_reason_returns")
    search_fields = ("=code", "=skus__code", "=skus__barcode", "name")
    search_help_text = _("Product code, SKU code or barcode (exact), or a word of the name.")
    date_hierarchy = "created_at"
    inlines = [SkuInline, ProductImageInline]
    related = [RelatedLink(_("SKUs"), "catalog.sku", "product__id__exact")]
    staff_page = "catalog:product_list"


@admin.register(Sku)
class SkuAdmin(OperatorAdmin):
    list_display = ("code", "product", "options", "price", "cost", "is_active")
    list_filter = ("is_active",)
    search_fields = ("=code", "=barcode")
    staff_page = "catalog:product_list"


@admin.register(ProductImage)
class ProductImageAdmin(OperatorAdmin):
    list_display = ("product", "position", "is_main", "image")
    search_fields = ("=product__code",)
