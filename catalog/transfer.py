"""The product file format shared by import and export: one row per SKU, CSV or XLSX.

Exporting and importing the same file changes nothing (round trip). Categories are written as their
path of names ("服装 > 男装 > T恤"), tags joined with "|", SKU options as "颜色=红|尺码=M".

Bad files: an upload is checked before it is kept (`upload_check`): an XLSX whose parts would expand past
shop.xlsx's limits (a zip bomb) and a file of more than MAX_ROWS rows are refused on the form. Reading counts
rows as it goes and stops past MAX_ROWS, so a file that lied about its size never lands in memory whole.
Text is text: a cell starting with = + - @ is stored as it is (an XLSX formula as its formula's text, never
its value) and the CSV export puts a quote before it (shop.exports.csv_escape), which the import takes off.
"""

import csv
import io
from itertools import islice

from django.utils.translation import gettext as _
from openpyxl import load_workbook

from shop.exports import DANGER, csv_escape
from shop.xlsx import XlsxRefused, declared_rows, xlsx_bytes, xlsx_check

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
MAX_ROWS = 100_000  # rows of one import (one transaction, all or nothing); split a longer file
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


def _unescape(value: str) -> str:
    """Take off the quote our CSV export puts before a formula-like text (shop.exports.csv_escape)."""
    return value[1:] if value[:1] == "'" and value[1:2] and value[1] in DANGER else value


def _too_many():
    return FormatError(_("The file has more than %(max)s rows; split it into smaller files.") % {"max": MAX_ROWS})


def _is_xlsx(filename):
    return filename.lower().endswith(".xlsx")


def upload_check(upload) -> None:
    """Refuse (FormatError) an uploaded file that is a zip bomb or has more than MAX_ROWS rows, reading it in a
    stream (a CSV's rows are counted, an XLSX's declared sizes and sheet dimension read) and rewinding it."""
    upload.seek(0)
    try:
        if _is_xlsx(upload.name):
            try:
                xlsx_check(upload)
            except XlsxRefused as e:
                raise FormatError(str(e)) from e
            upload.seek(0)
            rows = (declared_rows(upload) or 1) - 1
        else:
            text = io.TextIOWrapper(upload.file, encoding="utf-8-sig", newline="")
            try:
                rows = sum(1 for _row in csv.reader(text)) - 1
            except UnicodeDecodeError as e:
                raise FormatError(_("The CSV file is not UTF-8 text.")) from e
            except csv.Error as e:
                raise FormatError(_("The CSV file cannot be read: %(e)s") % {"e": e}) from e
            finally:
                text.detach()
        if rows > MAX_ROWS:
            raise _too_many()
    finally:
        upload.seek(0)


def read_rows(data: bytes, filename: str) -> list[tuple[int, dict]]:
    """[(line number, {column: text})] of a CSV or XLSX file; line 1 is the header. More than MAX_ROWS rows:
    FormatError, found while reading (at most MAX_ROWS + 1 rows are ever held)."""
    if _is_xlsx(filename):
        try:
            xlsx_check(io.BytesIO(data))
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=False).active
            sheet.reset_dimensions()  # read every row there is, not the rows the sheet's dimension claims
            source = ([_text(v) for v in row] for row in sheet.iter_rows(values_only=True))
        except XlsxRefused as e:
            raise FormatError(str(e)) from e
        except Exception as e:
            raise FormatError(_("The file is not a readable XLSX workbook.")) from e
    else:
        text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")  # decoded as it is read
        source = ([_unescape(v.strip()) for v in row] for row in csv.reader(text))
    try:
        rows = list(islice(source, MAX_ROWS + 2))
    except UnicodeDecodeError as e:
        raise FormatError(_("The CSV file is not UTF-8 text.")) from e
    except csv.Error as e:
        raise FormatError(_("The CSV file cannot be read: %(e)s") % {"e": e}) from e
    except Exception as e:
        raise FormatError(_("The file is not a readable XLSX workbook.")) from e
    if len(rows) > MAX_ROWS + 1:
        raise _too_many()
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
        writer.writerow([csv_escape(v) if isinstance(v, str) else v for v in (row[c] for c in COLUMNS)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_error_report(errors) -> bytes:
    """A CSV of [(line, message)] for staff to fix the file."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("line"), _("problem")])
    writer.writerows(errors)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
