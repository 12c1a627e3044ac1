from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from catalog import services
from catalog.models import Product, Sku
from shop.errors import DomainError, RuleRefused
from shop.models import AuditEntry
from tests.catalog.factories import ImageFactory, ProductFactory, SkuFactory, attribute, png, sellable

pytestmark = pytest.mark.django_db


def test_staff_create_a_product_and_its_description_loses_scripts(owner_client):
    response = owner_client.post(
        reverse("catalog:product_create"),
        {
            "code": "TS-001",
            "name": "纯棉圆领T恤",
            "description": '<p onclick="x()">好<script>alert(1)</script></p>',
            "weight_g": 200,
            "length_mm": 0,
            "width_mm": 0,
            "height_mm": 0,
            "no_reason_returns": "on",
        },
    )
    product = Product.objects.get(code="TS-001")
    assert response.status_code == 302 and response["Location"] == product.get_absolute_url()
    assert "script" not in product.description and "onclick" not in product.description
    assert "<p>好</p>" == product.description
    assert AuditEntry.objects.filter(action="catalog.product_save", object_id=str(product.pk)).exists()


def test_duplicate_product_code_is_a_message_on_the_form(owner_client):
    ProductFactory(code="TS-001")
    response = owner_client.post(
        reverse("catalog:product_create"),
        {"code": "TS-001", "name": "x", "weight_g": 0, "length_mm": 0, "width_mm": 0, "height_mm": 0},
    )
    assert response.status_code == 200
    assert Product.objects.count() == 1


def test_product_page_shows_its_history(owner_client, owner):
    product = services.product_save(actor=owner, code="A1", name="旧名字")
    services.product_save(actor=owner, product=product, code="A1", name="新名字")
    html = owner_client.get(product.get_absolute_url()).content.decode()
    assert "旧名字" in html and "新名字" in html and "保存商品" in html and "catalog.product_save" not in html


def test_publishing_is_refused_without_a_price_or_an_image_and_says_which(owner):
    product = ProductFactory(name="无图商品")
    with pytest.raises(RuleRefused) as refused:
        services.products_set_status(actor=owner, products=Product.objects.filter(pk=product.pk), published=True)
    assert "无图商品" in refused.value.message
    assert "SKU" in refused.value.message and "图片" in refused.value.message
    SkuFactory(product=product)
    with pytest.raises(RuleRefused) as refused:
        services.products_set_status(actor=owner, products=Product.objects.filter(pk=product.pk), published=True)
    assert "图片" in refused.value.message and "SKU" not in refused.value.message
    product.refresh_from_db()
    assert product.status == Product.Status.DRAFT


def test_publish_and_unpublish_record_the_reason(owner_client):
    product = sellable()
    owner_client.post(reverse("catalog:product_publish", args=[product.pk]), {"do": "publish", "reason": "双十二上新"})
    product.refresh_from_db()
    assert product.status == Product.Status.PUBLISHED and product.published_at
    entry = AuditEntry.objects.get(action="catalog.product_publish")
    assert entry.after["reason"] == "双十二上新"
    owner_client.post(reverse("catalog:product_publish", args=[product.pk]), {"do": "unpublish", "reason": "缺货"})
    product.refresh_from_db()
    assert product.status == Product.Status.UNPUBLISHED


def test_scheduled_publishing_runs_as_a_job(owner):
    ready, not_ready = sellable(), ProductFactory()
    SkuFactory(product=not_ready)
    soon = timezone.now() + timezone.timedelta(minutes=5)
    services.product_schedule(actor=owner, product=ready, publish_at=soon, reason="定时上架")
    Product.objects.filter(pk=not_ready.pk).update(publish_at=soon)  # its image was deleted after scheduling
    call_command("run_job", "publish_scheduled_products")
    assert Product.objects.get(pk=ready.pk).status == Product.Status.DRAFT  # not due yet
    Product.objects.update(publish_at=timezone.now() - timezone.timedelta(seconds=1))
    call_command("run_job", "publish_scheduled_products")
    ready.refresh_from_db()
    not_ready.refresh_from_db()
    assert ready.status == Product.Status.PUBLISHED and ready.publish_at is None
    assert not_ready.status == Product.Status.DRAFT and not_ready.publish_at is None
    assert AuditEntry.objects.filter(action="catalog.product_schedule_refused", object_id=str(not_ready.pk)).exists()
    call_command("run_job", "publish_scheduled_products")  # twice: nothing more happens
    assert AuditEntry.objects.filter(action="catalog.product_publish").count() == 1


def test_scheduling_a_product_that_cannot_be_published_is_refused(owner):
    with pytest.raises(RuleRefused):
        services.product_schedule(actor=owner, product=ProductFactory(), publish_at=timezone.now())


def test_images_upload_make_a_thumbnail_and_the_first_is_main(owner_client):
    product = ProductFactory()
    owner_client.post(
        reverse("catalog:product_images", args=[product.pk]), {"images": [png("a.png", (1200, 900)), png("b.png")]}
    )
    first, second = product.images.order_by("position")
    assert first.is_main and not second.is_main
    from PIL import Image

    with Image.open(first.thumbnail.path) as thumb:
        assert max(thumb.size) <= 240
    owner_client.post(reverse("catalog:product_image_action", args=[product.pk, second.pk]), {"do": "main"})
    assert product.images.get(is_main=True) == second


@pytest.mark.parametrize(
    "upload,message",
    [
        (SimpleUploadedFile("evil.png", b"<?php echo 1; ?>", content_type="image/png"), "不是图片"),
        (SimpleUploadedFile("huge.jpg", b"\xff" * (5 * 1024 * 1024 + 1), content_type="image/jpeg"), "5 MB"),
    ],
)
def test_non_images_and_oversized_files_are_refused(owner_client, upload, message):
    product = ProductFactory()
    response = owner_client.post(
        reverse("catalog:product_images", args=[product.pk]), {"images": [png(), upload]}, follow=True
    )
    assert message in response.content.decode()
    assert not product.images.exists()  # nothing half-written: the good file was not kept either


def test_sku_matrix_generates_every_combination_once(owner):
    product = ProductFactory(code="TEE")
    colours, sizes = attribute("颜色", "红", "蓝"), attribute("尺码", "S", "M", "L")
    created = services.sku_matrix_generate(actor=owner, product=product, values=colours + sizes, price=Decimal("79.00"))
    assert len(created) == 6
    assert sorted(s.options for s in created)[0] == "red / L".replace("red", "红")
    assert {s.code for s in created} == {f"TEE-{i:02d}" for i in range(1, 7)}
    again = services.sku_matrix_generate(actor=owner, product=product, values=colours + sizes, price=Decimal("79"))
    assert again == []
    product.refresh_from_db()
    assert product.price_min == Decimal("79.00")


def _grid_post(product, rows):
    data = {
        "form-TOTAL_FORMS": len(rows),
        "form-INITIAL_FORMS": sum(1 for r in rows if r.get("id")),
        "form-MIN_NUM_FORMS": 0,
        "form-MAX_NUM_FORMS": 1000,
        "save": "1",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"form-{i}-{key}"] = value
    return data


def test_sku_grid_refuses_duplicate_codes_and_bad_prices_naming_the_row(owner_client):
    product = ProductFactory()
    colours = attribute("颜色", "红", "蓝", "黑")
    rows = [
        {"code": "A-1", "price": "10", "weight_g": 0, "is_active": "on", "values": [colours[0].pk]},
        {"code": "A-1", "price": "10", "weight_g": 0, "is_active": "on", "values": [colours[1].pk]},
        {"code": "A-3", "price": "-5", "weight_g": 0, "is_active": "on", "values": [colours[2].pk]},
        {"code": "A-4", "price": "99999999", "weight_g": 0, "is_active": "on", "values": [colours[2].pk]},
    ]
    response = owner_client.post(reverse("catalog:product_skus", args=[product.pk]), _grid_post(product, rows))
    html = response.content.decode()
    assert response.status_code == 200
    assert "第 2 行" in html and "A-1" in html
    assert "第 3 行" in html and "第 4 行" in html
    assert not Sku.objects.exists()


def test_sku_grid_refuses_a_row_missing_an_attribute(owner):
    product = ProductFactory()
    colours, sizes = attribute("颜色", "红", "蓝"), attribute("尺码", "S")
    with pytest.raises(services.RowErrors) as e:
        services.skus_save(
            actor=owner,
            product=product,
            rows=[
                {"pk": None, "code": "X1", "price": Decimal("1"), "values": [colours[0], sizes[0]]},
                {"pk": None, "code": "X2", "price": Decimal("1"), "values": [colours[1]]},
            ],
        )
    assert e.value.rows[0][0] == 2 and "尺码" in e.value.rows[0][1]


def test_sku_grid_saves_and_updates_prices(owner_client):
    product = ProductFactory()
    sku = SkuFactory(product=product, code="OLD", price=Decimal("10"))
    rows = [
        {"id": sku.pk, "code": "OLD", "price": "12.50", "weight_g": 5, "is_active": "on"},
        {"code": "NEW", "price": "20", "cost": "8", "weight_g": 5, "is_active": "on"},
    ]
    response = owner_client.post(reverse("catalog:product_skus", args=[product.pk]), _grid_post(product, rows))
    assert response.status_code == 302
    assert dict(product.skus.values_list("code", "price")) == {"OLD": Decimal("12.50"), "NEW": Decimal("20.00")}
    product.refresh_from_db()
    assert (product.price_min, product.price_max) == (Decimal("12.50"), Decimal("20.00"))


def test_an_absurd_matrix_price_is_refused(owner):
    with pytest.raises(DomainError):
        services.sku_matrix_generate(
            actor=owner, product=ProductFactory(), values=attribute("颜色", "红"), price=Decimal("-1")
        )


def test_image_factory_makes_publishable_products():
    assert ImageFactory().product.images.count() == 1


HUGE_IDS = ["99999999999999999999", str(2**63)]


@pytest.mark.parametrize("huge", HUGE_IDS)
def test_a_huge_tag_id_on_the_product_form_is_a_message_not_a_500(owner_client, huge):
    response = owner_client.post(
        reverse("catalog:product_create"),
        {
            "code": "TS-009",
            "name": "纯棉T恤",
            "weight_g": 0,
            "length_mm": 0,
            "width_mm": 0,
            "height_mm": 0,
            "tags": [huge],
        },
    )
    assert response.status_code == 200
    assert huge in response.content.decode()  # "选择一个有效的选项。…不在可用的选项中。"
    assert not Product.objects.filter(code="TS-009").exists()


@pytest.mark.parametrize("huge", HUGE_IDS)
def test_huge_matrix_values_on_the_sku_page_are_a_message_not_a_500(owner_client, huge):
    product = ProductFactory()
    colours = attribute("颜色", "红", "蓝")
    response = owner_client.post(
        reverse("catalog:product_skus", args=[product.pk]),
        {"generate": "1", "matrix-values": [colours[0].pk, huge], "matrix-price": "10"},
    )
    assert response.status_code == 200
    assert huge in response.content.decode()
    assert not Sku.objects.filter(product=product).exists()


def test_a_huge_product_id_in_the_path_is_404(owner_client):
    for huge in HUGE_IDS:
        assert owner_client.get(f"/catalog/products/{huge}/skus/").status_code == 404
