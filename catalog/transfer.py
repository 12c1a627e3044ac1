"""The product file format shared by import and export: one row per SKU, CSV or XLSX.

Exporting and importing the same file changes nothing (round trip). Categories are written as their
path of names ("服装 > 男装 > T恤"), tags joined with "|", SKU options as "颜色=红|尺码=M".
"""

import csv
import io

from django.utils.translation import gettext as _
from openpyxl import load_workbook

from shop.xlsx import xlsx_bytes

COLUMNS = [
    "product_code",
    "name",
    "subtitle",
    "category",
    "brand",
    "tags",
    "keywords",
    "description",
    "weight_g",
    "length_mm",
    "width_mm",
    "height_mm",
    "no_reason_returns",
    "exchange_only",
    "sku_code",
    "barcode",
    "price",
    "compare_at_price",
    "cost",
    "sku_weight_g",
    "options",
    "sku_active",
]
CATEGORY_SEPARATOR = " > "
LIST_SEPARATOR = "|"


class FormatError(ValueError):
    pass


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_rows(data: bytes, filename: str) -> list[tuple[int, dict]]:
    """[(line number, {column: text})] of a CSV or XLSX file; line 1 is the header."""
    if filename.lower().endswith(".xlsx"):
        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
        except Exception as e:
            raise FormatError(_("The file is not a readable XLSX workbook.")) from e
        rows = [[_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise FormatError(_("The CSV file is not UTF-8 text.")) from e
        rows = [[v.strip() for v in row] for row in csv.reader(io.StringIO(text))]
    if not rows:
        raise FormatError(_("The file is empty."))
    header = [h.strip() for h in rows[0]]
    missing = [c for c in ("product_code", "name", "sku_code", "price") if c not in header]
    if missing:
        raise FormatError(_("Columns missing from the header: %(cols)s") % {"cols": ", ".join(missing)})
    return [
        (line, dict(zip(header, row + [""] * (len(header) - len(row)), strict=False)))
        for line, row in enumerate(rows[1:], start=2)
        if any(row)
    ]


def write_rows(rows, fmt: str) -> bytes:
    """The rows (dicts keyed by COLUMNS) as a CSV (UTF-8 with BOM) or XLSX file."""
    if fmt == "xlsx":
        return xlsx_bytes(COLUMNS, ([row[c] for c in COLUMNS] for row in rows), sheet="products")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([row[c] for c in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_error_report(errors) -> bytes:
    """A CSV of [(line, message)] for staff to fix the file."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("line"), _("problem")])
    writer.writerows(errors)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
