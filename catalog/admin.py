"""Read-only operator views of the catalog: changes go through the pages and their services, so
they are validated (publish rules, SKU rows), sanitised and written to the audit log."""

from django.contrib import admin

from catalog.models import AttributeDefinition, AttributeValue, Brand, Category, Product, ProductImage, Sku, Tag
from shop.web import ReadOnlyAdmin


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Category)
class CategoryAdmin(ReadOnlyAdmin):
    list_display = ["name", "depth", "is_visible"]
    search_fields = ["name"]


@admin.register(Brand, Tag)
class NamedAdmin(ReadOnlyAdmin):
    search_fields = ["name"]


class AttributeValueInline(ReadOnlyInline):
    model = AttributeValue


@admin.register(AttributeDefinition)
class AttributeDefinitionAdmin(ReadOnlyAdmin):
    list_display = ["name", "position"]
    inlines = [AttributeValueInline]


class SkuInline(ReadOnlyInline):
    model = Sku
    fields = ["code", "barcode", "price", "compare_at_price", "cost", "weight_g", "options", "is_active"]


class ProductImageInline(ReadOnlyInline):
    model = ProductImage
    fields = ["image", "position", "is_main"]


@admin.register(Product)
class ProductAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "category", "brand", "status", "price_min", "updated_at"]
    list_filter = ["status", "brand"]
    search_fields = ["code", "name", "keywords", "skus__code", "skus__barcode"]
    list_select_related = ["category", "brand"]
    inlines = [SkuInline, ProductImageInline]


@admin.register(Sku)
class SkuAdmin(ReadOnlyAdmin):
    list_display = ["code", "product", "options", "price", "is_active"]
    search_fields = ["code", "barcode", "product__name"]
    list_select_related = ["product"]
