"""Bad files on every upload: what is not an image, decompression bombs, files over the limit, zip bombs posing as
workbooks, formulas in imported cells, a million-row import. Each is refused with a message on the page (or a 4xx),
never a 500, and writes nothing; memory stays bounded while refusing.

The upload fields (grep FileField/ImageField/request.FILES): product images, the store logo and after-sales photos
(shop.images.image_check; the API's base64 photos are tests/aftersales), the product import (catalog.transfer), the
bulk-shipping CSV and the provider statement (5 MB and a row limit each, tests/orders and tests/payments).
"""

import io
import re
import struct
import tracemalloc
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.urls import reverse

from catalog import transfer
from catalog.forms import ImportForm
from catalog.models import Product, ProductImage
from shop.models import JobRun, StoreSettings
from tests.catalog.factories import ProductFactory, png
from tests.shop.world import row_counts

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def owner_client(owner_client):
    owner_client.get("/")  # the first request creates the store settings row: not a write of the upload
    return owner_client


def _png_claiming(width, height) -> bytes:
    """A valid PNG header claiming width × height pixels, with a few bytes of data (a decompression bomb)."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )


def _gif() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("P", (2, 2)).save(buffer, "GIF")
    return buffer.getvalue()


DISGUISED = {
    "html.jpg": b"<html><body><script>alert(1)</script></body></html>",
    "shell.jpg": b"<?php system($_GET['c']); ?>",
    "vector.jpg": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>',
    "jpeg-magic.jpg": b"\xff\xd8\xff\xe0<script>alert(1)</script>",  # the JPEG magic, then junk
    "truncated.png": _png_claiming(4, 4)[:30],
}
BOMBS = {
    "bomb-50000.png": _png_claiming(50_000, 50_000),  # Pillow's own DecompressionBombError at open
    "bomb-9000.png": _png_claiming(9_000, 9_000),  # under Pillow's limit, over ours (8000 × 8000)
}


def _upload(name, data, content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.mark.parametrize("name", sorted(DISGUISED) + sorted(BOMBS))
def test_product_images_refuse_disguised_files_and_bombs_with_a_message(owner_client, name):
    product = ProductFactory()
    before = row_counts()
    data = DISGUISED.get(name) or BOMBS[name]
    response = owner_client.post(
        reverse("catalog:product_images", args=[product.pk]),
        {"images": [png(), _upload(name, data)]},
        follow=True,
        **EN,
    )
    assert response.status_code == 200
    expected = "has too many pixels" if name in BOMBS else "is not an image (JPEG, PNG, GIF or WebP)"
    assert f"{name} {expected}" in response.content.decode()
    assert row_counts() == before and not ProductImage.objects.exists()


def test_an_image_under_a_page_name_is_stored_with_its_real_extension(owner_client):
    """A GIF named x.html would be served as a page from /media/: it is stored as .gif."""
    product = ProductFactory()
    owner_client.post(reverse("catalog:product_images", args=[product.pk]), {"images": [_upload("x.html", _gif())]})
    image = ProductImage.objects.get(product=product)
    assert image.image.name.endswith(".gif") and ".html" not in image.image.name


def _multipart(field, name, data, boundary="XbadinputX"):
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize(
    "route,field,name,size,message",
    [
        ("catalog:product_images", "images", "big.jpg", 12 * 2**20, "big.jpg is larger than 5 MB."),
        ("store_settings", "logo_upload", "logo.png", 8 * 2**20, None),
        ("catalog:product_import", "file", "big.csv", 60 * 2**20, "The file is larger than 50 MB."),
    ],
)
def test_a_file_over_the_limit_is_refused_without_being_read_into_memory(
    owner_client, route, field, name, size, message
):
    """The body is built before measuring; handling it streams the file to a temporary file (over
    FILE_UPLOAD_MAX_MEMORY_SIZE) and refuses it by its size: beyond the test client's own copy of the body,
    memory grows by a small part of the file (reading it whole would double it)."""
    args = [ProductFactory().pk] if route == "catalog:product_images" else []
    body, content_type = _multipart(field, name, b"\xff" * size)
    before = row_counts()
    tracemalloc.start()
    try:
        response = owner_client.post(reverse(route, args=args), body, content_type=content_type, follow=True, **EN)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    del body
    assert response.status_code in (200, 400)
    text = response.content.decode()
    if message:
        assert message in text
    else:  # the store settings form needs its other fields: the logo is refused with them or by its size
        assert StoreSettings.objects.get().logo.name in ("", None)
    extra = peak - size  # the test client copies the body once (its FakePayload); the view must add little
    assert extra < size / 4, f"handling a {size >> 20} MB upload took {extra >> 20} MB besides the body"
    changed = {t: (before[t], n) for t, n in row_counts().items() if n != before[t]}
    assert changed == {}


@pytest.mark.parametrize("name", ["html.jpg", "vector.jpg", "bomb-50000.png"])
def test_the_store_logo_refuses_what_product_images_refuse(owner_client, name):
    from shop import services

    settings = StoreSettings.objects.get()
    with pytest.raises(services.DomainError) as refused:
        services.store_settings_update(
            actor=None,
            values={},
            business_hours=settings.business_hours,
            logo=_upload(name, DISGUISED.get(name) or BOMBS[name]),
        )
    assert refused.value.code in ("not_an_image", "image_too_large")
    big = _upload("big.png", b"\x89PNG" + b"\0" * (2 * 2**20 + 1))
    with pytest.raises(services.DomainError):
        services.store_settings_update(actor=None, values={}, business_hours=settings.business_hours, logo=big)
    assert not StoreSettings.objects.get().logo


# -- the product import --------------------------------------------------------------------------------
def _zip_bomb(unpacked_mb=1024) -> bytes:
    """An .xlsx-looking zip whose sheet XML expands to `unpacked_mb` MB (zeros compress ~1000:1)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            block = b"<row>" + b" " * (2**20 - 11) + b"</row>"
            for _i in range(unpacked_mb):
                sheet.write(block)
    return buffer.getvalue()


def _post_import(client, name, data):
    return client.post(reverse("catalog:product_import"), {"file": SimpleUploadedFile(name, data)}, **EN)


def test_an_xlsx_zip_bomb_is_refused_on_the_form_before_it_is_parsed(owner_client, capsys):
    bomb = _zip_bomb(1024)
    assert len(bomb) < 2 * 2**20  # a gigabyte of XML in a couple of MB
    tracemalloc.start()
    try:
        response = _post_import(owner_client, "products.xlsx", bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert response.status_code == 200
    assert "refused as a possible zip bomb" in response.content.decode()
    assert peak < 64 * 2**20 and not JobRun.objects.exists()
    with capsys.disabled():
        print(f"\nzip bomb: {len(bomb) / 2**20:.1f} MB packed, 1024 MB of XML: refused, peak {peak / 2**20:.1f} MB")
    with pytest.raises(transfer.FormatError):  # the background reader refuses it too
        transfer.read_rows(bomb, "products.xlsx")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_file_over_the_row_limit_is_refused_on_the_page(owner, owner_client, monkeypatch, fmt):
    monkeypatch.setattr(transfer, "MAX_ROWS", 50)

    def rows(n):
        return [
            dict(dict.fromkeys(transfer.COLUMNS, ""), product_code=f"P{i}", name=f"n{i}", sku_code=f"S{i}", price="1")
            for i in range(n)
        ]

    response = _post_import(owner_client, f"products.{fmt}", transfer.write_rows(rows(51), fmt))
    assert response.status_code == 200
    assert "The file has more than 50 rows; split it into smaller files." in response.content.decode()
    assert not JobRun.objects.exists() and not Product.objects.exists()
    ok = _post_import(owner_client, f"products.{fmt}", transfer.write_rows(rows(50), fmt))
    assert ok.status_code == 302
    if fmt == "xlsx":  # a workbook whose dimension lies passes the form; the reader counts and refuses it
        from tests.catalog.test_import_export import _import

        data = transfer.write_rows(rows(51), fmt)
        with zipfile.ZipFile(io.BytesIO(data)) as source:
            parts = {n: source.read(n) for n in source.namelist()}
        sheet = "xl/worksheets/sheet1.xml"
        parts[sheet] = re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:V2"', parts[sheet])
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
            for name, content in parts.items():
                target.writestr(name, content)
        lying = buffer.getvalue()
        assert transfer.declared_rows(io.BytesIO(lying)) == 2
        run = _import(owner, lying, "products.xlsx")
        assert run.state == JobRun.State.FAILED and "more than 50 rows" in run.error
        assert not Product.objects.filter(code__in=["P0", "P50"]).exists()  # all or nothing


MILLION = 10**6


def _million_rows(path):
    """A CSV of a million rows, written lazily (a few at a time) to disk."""
    with open(path, "w", encoding="utf-8") as f:
        f.write("product_code,name,sku_code,price\n")
        for start in range(0, MILLION, 10_000):
            f.write("".join(f"P{i},n,S{i},1\n" for i in range(start, start + 10_000)))
    return path


def test_a_million_row_import_is_refused_with_memory_bounded(tmp_path, capsys):
    """The form counts the rows in a stream; the reader stops past MAX_ROWS. Holding every row would take
    hundreds of MB; the peaks stay at a few MB (the form) and about MAX_ROWS rows (the reader)."""
    path = _million_rows(tmp_path / "million.csv")
    size = path.stat().st_size
    with open(path, "rb") as f:
        upload = UploadedFile(f, name="million.csv", size=size)
        tracemalloc.start()
        try:
            form = ImportForm({}, {"file": upload})
            valid = form.is_valid()
            form_peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert not valid and "100000" in str(form.errors["file"]).replace(",", "")
    assert form_peak < 8 * 2**20, f"the form peaked at {form_peak >> 20} MB"
    data = path.read_bytes()
    tracemalloc.start()
    try:
        with pytest.raises(transfer.FormatError):
            transfer.read_rows(data, "million.csv")
        reader_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert reader_peak < 80 * 2**20, f"the reader peaked at {reader_peak >> 20} MB"
    with capsys.disabled():
        print(
            f"\na million rows ({size >> 20} MB): the form peaked at {form_peak / 2**20:.1f} MB, "
            f"the reader at {reader_peak / 2**20:.1f} MB"
        )


FORMULAS = {
    "name": '=HYPERLINK("http://evil.example","点我")',
    "subtitle": "+1+1",
    "brand": "@SUM(A1:A9)",
    "keywords": "-2+3",
    "barcode": "=1+1",
}


def _formula_rows():
    row = dict.fromkeys(transfer.COLUMNS, "")
    row.update(product_code="FX", sku_code="FX-1", price="10.00", **FORMULAS)
    return [row]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_formulas_in_imported_cells_are_stored_as_text_and_escaped_again_on_export(owner, owner_client, fmt):
    from tests.catalog.test_import_export import _import

    data = transfer.write_rows(_formula_rows(), fmt)
    if fmt == "xlsx":  # a real formula cell, as Excel writes it: its text is stored, never its value
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.append(transfer.COLUMNS)
        sheet.append([_formula_rows()[0][c] for c in transfer.COLUMNS])
        sheet["P2"] = "=1+1"  # barcode: a formula cell
        buffer = io.BytesIO()
        book.save(buffer)
        data = buffer.getvalue()
    run = _import(owner, data, f"products.{fmt}")
    assert run.state == JobRun.State.DONE, run.error
    product = Product.objects.get(code="FX")
    sku = product.skus.get()
    assert (product.name, product.subtitle, product.brand.name, product.keywords, sku.barcode) == (
        FORMULAS["name"],
        FORMULAS["subtitle"],
        FORMULAS["brand"],
        FORMULAS["keywords"],
        "=1+1",
    )
    csv_text = owner_client.get(reverse("catalog:product_export") + "?format=csv").content.decode("utf-8-sig")
    for value in FORMULAS.values():
        assert "'" + value.replace('"', '""') in csv_text
    xlsx = owner_client.get(reverse("catalog:product_export") + "?format=xlsx").content
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml  # every cell is a value, none a formula
    again = _import(owner, csv_text.encode(), "products.csv")  # the escaped export imports back unchanged
    assert again.state == JobRun.State.DONE
    product.refresh_from_db()
    assert product.name == FORMULAS["name"]
