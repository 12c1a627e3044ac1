"""Demo catalogue: a category tree, brands, tags, attributes and a few hundred products with SKUs.

Idempotent: it does nothing when the demo products exist. Images are solid colours drawn with
Pillow, a handful shared by all products, so seeding stays fast.
"""

import io
import itertools
import random
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from faker import Faker
from PIL import Image

from catalog.models import AttributeDefinition, AttributeValue, Brand, Category, Product, ProductImage, Sku, Tag
from shop.images import THUMBNAIL_SIZE

TREE = {
    "服装": {"男装": ["T恤", "衬衫", "夹克"], "女装": ["连衣裙", "半身裙", "针织衫"], "童装": []},
    "数码": {"手机": [], "耳机": [], "充电配件": []},
    "食品": {"零食": ["坚果", "饼干"], "茶叶": [], "粮油": []},
    "家居": {"床品": [], "厨具": [], "收纳": []},
}
# leaf category -> (nouns, attribute, price range)
GOODS = {
    "T恤": (["纯棉圆领T恤", "宽松短袖T恤", "速干运动T恤"], ("颜色", "尺码"), (59, 199)),
    "衬衫": (["商务长袖衬衫", "牛津纺衬衫", "免烫衬衫"], ("颜色", "尺码"), (129, 399)),
    "夹克": (["立领夹克", "工装夹克", "防风夹克"], ("颜色", "尺码"), (299, 899)),
    "连衣裙": (["碎花连衣裙", "针织连衣裙", "法式连衣裙"], ("颜色", "尺码"), (199, 699)),
    "半身裙": (["百褶半身裙", "A字半身裙"], ("颜色", "尺码"), (129, 399)),
    "针织衫": (["羊毛针织开衫", "圆领毛衣"], ("颜色", "尺码"), (199, 599)),
    "童装": (["儿童卫衣", "儿童羽绒服"], ("颜色", "尺码"), (99, 499)),
    "手机": (["5G智能手机", "轻薄拍照手机"], ("颜色", "容量"), (1299, 6999)),
    "耳机": (["真无线蓝牙耳机", "头戴式降噪耳机"], ("颜色",), (99, 1999)),
    "充电配件": (["65W氮化镓充电器", "20000mAh充电宝", "快充数据线"], ("颜色",), (29, 299)),
    "坚果": (["每日坚果", "碧根果", "手剥巴旦木"], ("规格",), (29, 129)),
    "饼干": (["苏打饼干", "黄油曲奇"], ("规格",), (9, 59)),
    "茶叶": (["明前龙井", "安溪铁观音", "云南普洱"], ("规格",), (68, 688)),
    "粮油": (["五常大米", "压榨花生油"], ("规格",), (39, 199)),
    "床品": (["全棉四件套", "蚕丝被"], ("颜色", "尺码"), (199, 1299)),
    "厨具": (["不粘炒锅", "陶瓷刀具套装"], ("颜色",), (89, 599)),
    "收纳": (["透明收纳箱", "桌面收纳盒"], ("规格",), (19, 129)),
}
ATTRIBUTES = {
    "颜色": ["黑色", "白色", "藏青", "红色"],
    "尺码": ["S", "M", "L", "XL"],
    "容量": ["128GB", "256GB", "512GB"],
    "规格": ["250g", "500g", "1kg"],
}
BRANDS = [
    "优衣库",
    "海澜之家",
    "太平鸟",
    "华为",
    "小米",
    "安克",
    "三只松鼠",
    "良品铺子",
    "西湖",
    "金龙鱼",
    "罗莱",
    "苏泊尔",
    "天马",
]
TAGS = ["新品", "热卖", "包邮", "限时折扣", "年货节"]
COLOURS = ["#c62828", "#1565c0", "#2e7d32", "#f9a825", "#6a1b9a", "#37474f", "#ef6c00", "#00838f"]
PREFIX = "DEMO-"


def _images():
    """Storage names of one image and one thumbnail per colour (drawn once)."""
    names = []
    for i, colour in enumerate(COLOURS):
        pair = []
        for kind, size in (("image", (800, 800)), ("thumb", THUMBNAIL_SIZE)):
            name = f"catalog/demo/{kind}-{i}.jpg"
            if not default_storage.exists(name):
                buffer = io.BytesIO()
                Image.new("RGB", size, colour).save(buffer, "JPEG")
                name = default_storage.save(name, ContentFile(buffer.getvalue()))
            pair.append(name)
        names.append(pair)
    return names


def _categories():
    """{leaf name: Category}, creating the tree."""
    leaves = {}
    for root_name, children in TREE.items():
        tree = Category.objects
        root = tree.get_root_nodes().filter(name=root_name).first() or tree.add_root({"name": root_name})
        for child_name, grandchildren in children.items():
            child = tree.get_children(root).filter(name=child_name).first() or tree.add_child(
                root, {"name": child_name}
            )
            if not grandchildren:
                leaves[child_name] = child
            for leaf_name in grandchildren:
                leaves[leaf_name] = tree.get_children(child).filter(name=leaf_name).first() or tree.add_child(
                    child, {"name": leaf_name}
                )
    return leaves


@transaction.atomic
def seed(stdout):
    if Product.objects.filter(code__startswith=PREFIX).exists():
        stdout.write("catalog: demo products already there")
        return
    rng, fake = random.Random(3), Faker("zh_CN")
    fake.seed_instance(3)
    leaves = _categories()
    brands = [Brand.objects.get_or_create(name=n)[0] for n in BRANDS]
    tags = [Tag.objects.get_or_create(name=n)[0] for n in TAGS]
    values = {}
    for position, (name, texts) in enumerate(ATTRIBUTES.items()):
        definition = AttributeDefinition.objects.get_or_create(name=name, defaults={"position": position})[0]
        values[name] = [
            AttributeValue.objects.get_or_create(definition=definition, value=t, defaults={"position": i})[0]
            for i, t in enumerate(texts)
        ]
    images, now = _images(), timezone.now()
    products, plans = [], []
    number = 0
    for leaf, (nouns, attributes, (low, high)) in GOODS.items():
        for _round in range(8):
            for noun in nouns:
                number += 1
                brand = rng.choice(brands)
                status = rng.choice([Product.Status.PUBLISHED] * 4 + [Product.Status.DRAFT])
                products.append(
                    Product(
                        code=f"{PREFIX}{number:04d}",
                        name=f"{brand.name} {noun} {fake.color_name()}款",
                        category=leaves[leaf],
                        subtitle=fake.sentence(nb_words=6)[:200],
                        brand=brand,
                        keywords=f"{noun} {leaf} {brand.name}",
                        description=f"<p>{fake.paragraph(nb_sentences=3)}</p><ul><li>{noun}</li><li>{brand.name}</li></ul>",
                        weight_g=rng.randint(100, 2000),
                        status=status,
                        updated_at=now,
                        created_at=now,
                        published_at=now if status == Product.Status.PUBLISHED else None,
                        no_reason_returns=leaf not in ("坚果", "饼干", "茶叶", "粮油"),
                    )
                )
                combos = list(
                    itertools.product(
                        *(rng.sample(values[a], min(len(values[a]), rng.randint(1, 3))) for a in attributes)
                    )
                )
                plans.append((combos, Decimal(rng.randint(low, high)), rng.sample(tags, rng.randint(0, 2))))
    Product.objects.bulk_create(products)
    skus, sku_values, product_tags, product_images = [], [], [], []
    for product, (combos, base, product_tag_list) in zip(products, plans, strict=True):
        for i, combo in enumerate(combos, start=1):
            price = base + Decimal(10 * (i - 1))
            skus.append(
                Sku(
                    product=product,
                    code=f"{product.code}-{i:02d}",
                    barcode=fake.ean13(),
                    price=price,
                    compare_at_price=(price * Decimal("1.2")).quantize(Decimal("1")),
                    weight_g=product.weight_g,
                    cost=(price * Decimal("0.55")).quantize(Decimal("0.01")),
                    position=i,
                    options=" / ".join(v.value for v in combo),
                )
            )
            sku_values.append(combo)
        product_tags += [Product.tags.through(product=product, tag=t) for t in product_tag_list]
        for position, (image, thumb) in enumerate(rng.sample(images, 2), start=1):
            product_images.append(
                ProductImage(product=product, image=image, thumbnail=thumb, position=position, is_main=position == 1)
            )
        product.price_min, product.price_max = base, base + Decimal(10 * (len(combos) - 1))
    Sku.objects.bulk_create(skus)
    Sku.attribute_values.through.objects.bulk_create(
        [
            Sku.attribute_values.through(sku=sku, attributevalue=v)
            for sku, combo in zip(skus, sku_values, strict=True)
            for v in combo
        ]
    )
    Product.tags.through.objects.bulk_create(product_tags)
    ProductImage.objects.bulk_create(product_images)
    Product.objects.bulk_update(products, ["price_min", "price_max"])
    stdout.write(f"catalog: {len(products)} products, {len(skus)} SKUs in {Category.objects.count()} categories")
