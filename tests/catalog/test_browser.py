"""A real Chromium: create a product, add a SKU and an image, publish it from the product page."""

import io

import pytest
from PIL import Image

from catalog.models import Product

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_create_a_product_then_publish_it(make_staff, login_page, tmp_path):
    page = login_page(make_staff("operations").username)
    page.wait_for_url("**/")
    page.click(".sidebar >> text=商品列表")
    page.click("[data-testid=product-create]")
    page.fill("input[name=code]", "TEE-001")
    page.fill("input[name=name]", "纯棉圆领T恤")
    page.locator("[data-testid=rich-text-editor]").fill("舒适")  # the sanitiser: tests/catalog/test_rich_text.py
    page.click("[data-testid=save-product]")
    page.wait_for_selector("[data-testid=status]")
    assert "纯棉圆领T恤" in page.locator("h1").inner_text()

    page.click("[data-testid=publish]")  # refused: no SKU and no image, and the page says why
    assert "不能上架" in page.locator(".messages").inner_text()

    page.click("text=SKU 与价格")
    page.fill("[data-testid=sku-row-1] input[name$=code]", "TEE-001-M")
    page.fill("[data-testid=sku-row-1] input[name$=price]", "79.00")
    page.click("text=保存全部 SKU")
    assert "SKU 已保存" in page.locator(".messages").inner_text()
    page.click("text=返回商品")

    photo = tmp_path / "tee.png"
    buffer = io.BytesIO()
    Image.new("RGB", (300, 300), "#1565c0").save(buffer, "PNG")
    photo.write_bytes(buffer.getvalue())
    page.set_input_files("input[name=images]", str(photo))
    page.click("text=上传")
    assert page.locator(".images figure img").count() == 1

    page.fill("input[name=reason]", "新品上架")
    page.click("[data-testid=publish]")
    assert page.locator("[data-testid=status]").inner_text() == "已上架"
    product = Product.objects.get(code="TEE-001")
    assert product.status == Product.Status.PUBLISHED and "script" not in product.description
