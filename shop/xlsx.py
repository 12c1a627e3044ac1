"""XLSX files for every export (list pages, the catalogue file), written with XlsxWriter.

XlsxWriter in constant-memory mode writes each row straight into the sheet's XML: memory stays flat and a
row costs a fraction of openpyxl's write-only mode, which builds an element tree for every cell (3,060 stock
rows: 3.3 s with openpyxl, see BENCHMARKS.md). openpyxl stays for reading imported files.

Cells keep their types: numbers and money are numbers (money with two places), times are Excel date-times in
the store's time zone, text is always text (never turned into a formula or a link).
"""

import io
import re
import zipfile
from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_TEXT = 32767  # Excel's limit for one cell
MAX_ROWS = 1_048_575  # Excel's rows under the header
# An uploaded workbook (shop.xlsx.xlsx_check) may expand to this much XML in all, and no part more than this ratio.
MAX_UNPACKED = 256 * 1024 * 1024
MAX_RATIO = 200


# Text is text: even a cell written with the generic write() never becomes a formula, a link or a number.
OPTIONS = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


class XlsxRows:
    """One worksheet written row by row to a path or a binary file (constant memory: each row goes straight
    into the sheet's XML), the header in bold."""

    def __init__(self, file, header: Iterable, *, sheet: str = "export"):
        self.book = xlsxwriter.Workbook(file, OPTIONS)
        self.formats = {
            "datetime": self.book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
            "date": self.book.add_format({"num_format": "yyyy-mm-dd"}),
            "money": self.book.add_format({"num_format": "#,##0.00"}),
            "bold": self.book.add_format({"bold": True}),
        }
        self.sheet = self.book.add_worksheet(sheet_name(sheet))
        for col, label in enumerate(header):
            self.sheet.write_string(0, col, str(label), self.formats["bold"])
        self.row = 0

    def write_rows(self, rows: Iterable[Iterable]):
        sheet, formats = self.sheet, self.formats
        for row in rows:
            self.row += 1
            for col, value in enumerate(row):
                _write(sheet, self.row, col, value, formats)

    def close(self):
        self.book.close()


def sheet_name(name: str) -> str:
    """A name Excel takes for a sheet (it may come from data, e.g. an order number): no []:*?/\\, no quote at
    either end, at most 31 characters, never empty."""
    clean = "".join(c for c in str(name) if c not in "[]:*?/\\" and c.isprintable()).strip("'")[:31].strip("'")
    return clean or "export"


def xlsx_bytes(header: Iterable, rows: Iterable[Iterable], *, sheet: str = "export") -> bytes:
    """Write the header and rows as one worksheet and return the file's bytes."""
    buffer = io.BytesIO()
    book = XlsxRows(buffer, header, sheet=sheet)
    book.write_rows(rows)
    book.close()
    return buffer.getvalue()


def _write(worksheet, row, col, value, formats):
    if value is None or value == "":
        return
    if isinstance(value, bool):
        worksheet.write_boolean(row, col, value)
    elif isinstance(value, Decimal):
        if value.is_finite():
            worksheet.write_number(row, col, value, formats["money"] if value.as_tuple().exponent == -2 else None)
        else:
            worksheet.write_string(row, col, str(value))
    elif isinstance(value, int | float):
        worksheet.write_number(row, col, value)
    elif isinstance(value, datetime):
        local = timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
        worksheet.write_datetime(row, col, local, formats["datetime"])
    elif isinstance(value, date):
        worksheet.write_datetime(row, col, datetime.combine(value, time.min), formats["date"])  # naive: Excel
    else:
        worksheet.write_string(row, col, str(value)[:MAX_TEXT])


class XlsxRefused(ValueError):
    """An uploaded workbook refused before it is parsed; the message says why, in the user's language."""


def xlsx_check(file) -> None:
    """Refuse an upload that is not a zip or whose parts would expand past MAX_UNPACKED bytes in all or MAX_RATIO
    times their packed size (a zip bomb), from the zip's directory alone, before any XML is parsed.

    The sizes in the directory are what zipfile (and so openpyxl) will deliver at most: it stops a part at its
    declared size and fails its CRC, so a part that lies about its size cannot expand further."""
    try:
        with zipfile.ZipFile(file) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise XlsxRefused(_("The file is not a readable XLSX workbook.")) from e
    unpacked = sum(p.file_size for p in parts)
    worst = max((p.file_size / max(p.compress_size, 1) for p in parts if p.file_size > 1024 * 1024), default=0)
    if unpacked > MAX_UNPACKED or worst > MAX_RATIO:
        raise XlsxRefused(
            _(
                "The workbook would unpack to %(mb)s MB, up to %(ratio)s times its packed size: refused as a possible "
                "zip bomb (at most %(max)s MB and %(limit)s times)."
            )
            % {
                "mb": unpacked // (1024 * 1024),
                "ratio": int(worst),
                "max": MAX_UNPACKED // (1024 * 1024),
                "limit": MAX_RATIO,
            }
        )


def declared_rows(file) -> int | None:
    """The rows a one-sheet workbook says it has (its sheet's `<dimension ref="A1:V1001"/>`), read from the first
    bytes of the sheet's XML without parsing the workbook (openpyxl would load every shared string first); None
    when there are several sheets or no dimension (the reader then counts as it goes)."""
    try:
        with zipfile.ZipFile(file) as archive:
            sheets = [n for n in archive.namelist() if re.fullmatch(r"xl/worksheets/[^/]+\.xml", n)]
            if len(sheets) != 1:
                return None
            with archive.open(sheets[0]) as sheet:
                head = sheet.read(4096).decode("utf-8", "replace")
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    found = re.search(r'<(?:\w+:)?dimension ref="[A-Z]*\d*:?[A-Z]*(\d+)"', head)
    return int(found.group(1)) if found else None
