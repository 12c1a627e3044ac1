import io
from decimal import Decimal

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from catalog.models import AttributeDefinition, AttributeValue, Brand, Category, Product, ProductImage, Sku, Tag


def png(name="photo.png", size=(64, 48), colour="#c62828"):
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def category(name, parent=None):
    return Category.objects.add_child(parent, {"name": name}) if parent else Category.objects.add_root({"name": name})


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand

    name = factory.Sequence(lambda n: f"品牌{n}")


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    name = factory.Sequence(lambda n: f"标签{n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    code = factory.Sequence(lambda n: f"P{n:05d}")
    name = factory.Sequence(lambda n: f"纯棉T恤 {n}")
    brand = factory.SubFactory(BrandFactory)


class SkuFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sku

    product = factory.SubFactory(ProductFactory)
    code = factory.Sequence(lambda n: f"SKU{n:05d}")
    price = Decimal("99.00")


class ImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductImage

    product = factory.SubFactory(ProductFactory)
    image = factory.LazyFunction(png)
    is_main = True


def attribute(name, *values):
    definition = AttributeDefinition.objects.create(name=name)
    return [AttributeValue.objects.create(definition=definition, value=v, position=i) for i, v in enumerate(values)]


def sellable(**kwargs):
    """A product with a priced SKU and an image: publishable."""
    product = ProductFactory(**kwargs)
    SkuFactory(product=product, price=Decimal("99.00"))
    ImageFactory(product=product)
    product.price_min = product.price_max = Decimal("99.00")
    product.save()
    return product
