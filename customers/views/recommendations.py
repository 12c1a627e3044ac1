"""The push list: the customers of the customer list (its filters and search as they are), each with the
products to offer them, as CSV (streamed) or XLSX."""

import csv

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _

from customers import selectors
from customers.views.profile import customer_list_page
from shop.exports import csv_escape
from shop.permissions import staff_view
from shop.xlsx import CONTENT_TYPE as XLSX_TYPE
from shop.xlsx import xlsx_bytes

MAX_PRODUCTS = 10


class _Echo:
    def write(self, value):
        return value


def _top(raw) -> int:
    """Products per customer from ?top= (1 to 10); anything else gives the default."""
    raw = str(raw or "")
    return min(int(raw), MAX_PRODUCTS) if raw.isascii() and raw.isdigit() and int(raw) >= 1 else selectors.PUSH_PRODUCTS


def _rows(customers, top):
    for customer, picks in selectors.push_list_rows(customers, limit=top):
        yield [
            customer.name,
            customer.phone,
            "、".join(r.product.name for r in picks),
            ",".join(r.product.code for r in picks),
        ]


@staff_view("customers.view_productpair")
def push_list(request):
    customers = customer_list_page(request).results
    top = _top(request.GET.get("top"))
    header = [_("Customer"), _("Mobile phone"), _("Recommended products"), _("Product codes")]
    if request.GET.get("export") == "xlsx":
        content = xlsx_bytes(header, _rows(customers, top), sheet="push-list")
        response = HttpResponse(content, content_type=XLSX_TYPE)
        response["Content-Disposition"] = 'attachment; filename="push-list.xlsx"'
        return response
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff" + writer.writerow(header)
        for row in _rows(customers, top):
            yield writer.writerow([csv_escape(cell or "") for cell in row])  # a name like "=HYPERLINK(...)" stays text

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="push-list.csv"'
    return response
