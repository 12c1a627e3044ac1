"""The catalogue: a category tree, brands, tags, attributes, products, their SKUs and images."""

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from shop.money import MONEY


class Category(MP_Node):
    """A node of the unlimited-depth category tree (materialised path); siblings keep staff's order."""

    name = models.CharField(_("name"), max_length=100)
    is_visible = models.BooleanField(_("visible"), default=True)

    node_order_by: list[str] = []

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("catalog:category_detail", args=[self.pk])


class Brand(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("brand")
        verbose_name_plural = _("brands")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self):
        return self.name


class AttributeDefinition(models.Model):
    """A kind of variation, e.g. 颜色 or 尺码."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("attribute")
        verbose_name_plural = _("attributes")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class AttributeValue(models.Model):
    definition = models.ForeignKey(
        AttributeDefinition, on_delete=models.PROTECT, related_name="values", verbose_name=_("attribute")
    )
    value = models.CharField(_("value"), max_length=50)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("attribute value")
        verbose_name_plural = _("attribute values")
        ordering = ["definition__position", "definition_id", "position", "value"]
        constraints = [models.UniqueConstraint(fields=["definition", "value"], name="catalog_attrvalue_unique")]

    def __str__(self):
        return f"{self.definition.name}:{self.value}"


class Product(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("On sale")
        UNPUBLISHED = "unpublished", _("Off sale")

    code = models.CharField(
        _("product code"),
        max_length=64,
        unique=True,
        help_text=_("Your own code for the product (SPU); imports match products by it."),
    )
    name = models.CharField(_("name"), max_length=200)
    subtitle = models.CharField(_("subtitle"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True, help_text=_("HTML; scripts are removed."))
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="products", verbose_name=_("category"), null=True, blank=True
    )
    brand = models.ForeignKey(
        Brand, on_delete=models.PROTECT, related_name="products", verbose_name=_("brand"), null=True, blank=True
    )
    tags = models.ManyToManyField(Tag, related_name="products", blank=True, verbose_name=_("tags"))
    keywords = models.CharField(_("search keywords"), max_length=500, blank=True)
    weight_g = models.PositiveIntegerField(_("weight (g)"), default=0)
    length_mm = models.PositiveIntegerField(_("length (mm)"), default=0)
    width_mm = models.PositiveIntegerField(_("width (mm)"), default=0)
    height_mm = models.PositiveIntegerField(_("height (mm)"), default=0)
    no_reason_returns = models.BooleanField(_("7-day no-reason returns"), default=True)
    exchange_only = models.BooleanField(_("exchange only, no refunds"), default=False)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    publish_at = models.DateTimeField(_("publish at"), null=True, blank=True)
    unpublish_at = models.DateTimeField(_("unpublish at"), null=True, blank=True)
    schedule_reason = models.CharField(_("reason"), max_length=200, blank=True)
    # Kept by the SKU services so lists filter and sort by price without a join.
    price_min = models.DecimalField(_("lowest price"), null=True, blank=True, **MONEY)
    price_max = models.DecimalField(_("highest price"), null=True, blank=True, **MONEY)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        permissions = [
            ("publish_product", "Can publish and unpublish products"),
            ("import_product", "Can import products"),
        ]
        indexes = [
            models.Index(fields=["status", "updated_at"], name="catalog_product_status_upd"),
            models.Index(fields=["price_min"], name="catalog_product_price_min"),
            # The list's sorts with their tie-breaker (shop.lists keyset): a page reads its rows from an index.
            # price_min ascending is served by catalog_product_price_min; descending (NULLS LAST, as shop.keyset
            # orders a nullable field) by catalog_product_price_desc_keyset, made by migration 0006 with SQL of
            # its own because SQLite refuses NULLS LAST in an index.
            models.Index(fields=["-updated_at", "-id"], name="catalog_product_updated_keyset"),
            models.Index(fields=["name", "id"], name="catalog_product_name_keyset"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("catalog:product_edit", args=[self.pk])


class Sku(models.Model):
    """A sellable variant: one combination of attribute values of a product."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="skus", verbose_name=_("product"))
    code = models.CharField(_("SKU code"), max_length=64, unique=True)
    barcode = models.CharField(_("barcode"), max_length=64, blank=True, db_index=True)
    price = models.DecimalField(_("price"), **MONEY)
    compare_at_price = models.DecimalField(_("compare-at price"), null=True, blank=True, **MONEY)
    cost = models.DecimalField(_("cost"), null=True, blank=True, **MONEY)
    weight_g = models.PositiveIntegerField(_("weight (g)"), default=0)
    attribute_values = models.ManyToManyField(
        AttributeValue, related_name="skus", blank=True, verbose_name=_("attribute values")
    )
    options = models.CharField(_("options"), max_length=200, blank=True)  # "红 / M", kept with the values
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("SKU")
        verbose_name_plural = _("SKUs")
        ordering = ["product_id", "position", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(price__gte=0), name="catalog_sku_price_gte_0")]

    def __str__(self):
        return f"{self.code} {self.options}".strip()


def image_path(instance, filename):
    return f"catalog/{instance.product_id}/{filename}"


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images", verbose_name=_("product"))
    image = models.ImageField(_("image"), upload_to=image_path)
    thumbnail = models.ImageField(_("thumbnail"), upload_to=image_path, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_main = models.BooleanField(_("main image"), default=False)

    class Meta:
        verbose_name = _("product image")
        verbose_name_plural = _("product images")
        ordering = ["-is_main", "position", "id"]

    def __str__(self):
        return self.image.name

    @property
    def thumb_url(self):
        return (self.thumbnail or self.image).url
