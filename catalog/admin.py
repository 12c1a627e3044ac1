from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from catalog.models import AttributeDefinition, AttributeValue, Brand, Category, Product, ProductImage, Sku, Tag
from catalog.services import sanitize_html


@admin.register(Category)
class CategoryAdmin(TreeAdmin):
    form = movenodeform_factory(Category)
    list_display = ["name", "is_visible"]


@admin.register(Brand, Tag)
class NamedAdmin(admin.ModelAdmin):
    search_fields = ["name"]


class AttributeValueInline(admin.TabularInline):
    model = AttributeValue
    extra = 0


@admin.register(AttributeDefinition)
class AttributeDefinitionAdmin(admin.ModelAdmin):
    list_display = ["name", "position"]
    inlines = [AttributeValueInline]


class SkuInline(admin.TabularInline):
    model = Sku
    extra = 0
    fields = ["code", "barcode", "price", "compare_at_price", "cost", "weight_g", "options", "is_active"]
    readonly_fields = ["options"]


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    extra = 0
    fields = ["image", "position", "is_main"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "category", "brand", "status", "price_min", "updated_at"]
    list_filter = ["status", "brand"]
    search_fields = ["code", "name", "keywords", "skus__code", "skus__barcode"]
    list_select_related = ["category", "brand"]
    autocomplete_fields = ["brand", "tags"]
    readonly_fields = ["status", "published_at", "price_min", "price_max", "created_at", "updated_at"]
    inlines = [SkuInline, ProductImageInline]

    def save_model(self, request, obj, form, change):
        obj.description = sanitize_html(obj.description)
        super().save_model(request, obj, form, change)


@admin.register(Sku)
class SkuAdmin(admin.ModelAdmin):
    list_display = ["code", "product", "options", "price", "is_active"]
    search_fields = ["code", "barcode", "product__name"]
    list_select_related = ["product"]
    raw_id_fields = ["product"]
