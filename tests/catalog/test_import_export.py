import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from catalog import selectors, services
from catalog.models import Product, Sku
from catalog.transfer import COLUMNS, write_rows
from shop import progress
from shop.models import AuditEntry, JobRun
from tests.catalog.factories import attribute, category

pytestmark = pytest.mark.django_db


def _row(**values):
    row = dict.fromkeys(COLUMNS, "")
    row.update(values)
    return row


def _rows():
    return [
        _row(
            product_code="TEE",
            name="纯棉T恤",
            category="服装 > T恤",
            brand="优衣库",
            tags="新品|热卖",
            description="<p>好<script>x</script></p>",
            weight_g="200",
            sku_code="TEE-R-S",
            price="79.00",
            barcode="6900000000011",
            options="颜色=红|尺码=S",
            cost="30",
        ),
        _row(
            product_code="TEE",
            name="纯棉T恤",
            category="服装 > T恤",
            brand="优衣库",
            tags="新品|热卖",
            sku_code="TEE-R-M",
            price="79.5",
            options="颜色=红|尺码=M",
        ),
        _row(
            product_code="TEA",
            name="龙井",
            sku_code="TEA-250",
            price="128",
            compare_at_price="168",
            no_reason_returns="0",
        ),
    ]


def _import(owner, data, filename="products.csv"):
    run = progress.start(kind="catalog.import", label="import", user=owner)
    services.products_import(actor=owner, run_id=run.pk, data=data, filename=filename)
    return JobRun.objects.get(pk=run.pk)


@pytest.fixture
def tree():
    category("T恤", category("服装"))


def test_import_creates_products_and_skus(owner, tree):
    run = _import(owner, write_rows(_rows(), "csv"))
    assert run.state == JobRun.State.DONE, run.error
    tee = Product.objects.get(code="TEE")
    assert tee.category.name == "T恤" and tee.brand.name == "优衣库"
    assert sorted(tee.tags.values_list("name", flat=True)) == ["新品", "热卖"]
    assert "script" not in tee.description
    assert dict(tee.skus.values_list("code", "price")) == {"TEE-R-S": Decimal("79.00"), "TEE-R-M": Decimal("79.50")}
    assert Sku.objects.get(code="TEE-R-M").options == "红 / M"
    assert (tee.price_min, tee.price_max) == (Decimal("79.00"), Decimal("79.50"))
    assert not Product.objects.get(code="TEA").no_reason_returns


def test_a_bad_file_imports_nothing_and_reports_every_line(owner, tree):
    rows = _rows() + [
        _row(product_code="BAD", name="坏价格", sku_code="B1", price="-3"),
        _row(product_code="BAD2", name="没价格", sku_code="B2", price=""),
        _row(product_code="BAD3", name="重复", sku_code="TEE-R-S", price="1"),
        _row(product_code="BAD4", name="分类", sku_code="B4", price="1", category="不存在"),
        _row(product_code="TEE", name="纯棉T恤", sku_code="TEE-X", price="1", options="颜色=蓝"),
    ]
    run = _import(owner, write_rows(rows, "csv"))
    assert not Product.objects.exists() and not Sku.objects.exists()
    report = list(csv.reader(io.StringIO(run.output.read().decode("utf-8-sig"))))[1:]
    lines = sorted({int(line) for line, _message in report})
    assert lines == [5, 6, 7, 8, 9]
    messages = dict((int(line), message) for line, message in report)
    assert "TEE-R-S" in messages[7] and "第 2 行" in messages[7]
    assert "不存在" in messages[8]


def test_an_unreadable_file_fails_the_run_with_a_message(owner):
    run = _import(owner, b"just,some\n1,2\n")
    assert run.state == JobRun.State.FAILED and "product_code" in run.error


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_changes_nothing(owner, tree, fmt):
    _import(owner, write_rows(_rows(), "csv"))
    first = write_rows(selectors.export_rows(Product.objects.all()), fmt)
    audited = AuditEntry.objects.filter(action="catalog.product_import").count()
    run = _import(owner, first, f"products.{fmt}")
    assert run.state == JobRun.State.DONE
    assert AuditEntry.objects.filter(action="catalog.product_import").count() == audited  # nothing changed
    second = write_rows(selectors.export_rows(Product.objects.all()), fmt)
    if fmt == "xlsx":
        first, second = (
            [list(r) for r in load_workbook(io.BytesIO(b)).active.iter_rows(values_only=True)] for b in (first, second)
        )
    assert first == second
    assert Product.objects.count() == 2 and Sku.objects.count() == 3


def test_import_page_runs_the_task_and_shows_progress(owner_client, tree, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("p.csv", write_rows(_rows(), "csv"), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("catalog:product_import"), {"file": upload})
    run = JobRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("jobrun_detail", args=[run.pk])
    assert owner_client.get(response["Location"]).status_code == 200
    assert Product.objects.count() == 2


def test_export_view_gives_the_import_format(owner_client):
    attribute("颜色", "红")
    product = Product.objects.create(code="X", name="x")
    Sku.objects.create(product=product, code="X1", price=Decimal("1.50"))
    response = owner_client.get(reverse("catalog:product_export"), {"format": "csv"})
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0] == ",".join(COLUMNS) and "X1" in text and "1.50" in text
    xlsx = owner_client.get(reverse("catalog:product_export"), {"format": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
