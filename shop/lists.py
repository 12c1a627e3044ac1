"""The list page pipeline every module reuses (habit 6):
scope -> FilterSet -> search -> ordering -> bounded pagination -> export / bulk actions.

Pagination never counts the whole table: it fetches one row more than a page to know whether a
next page exists, and counts at most COUNT_LIMIT rows for the "n results" line.
"""
import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Callable

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from shop.errors import DomainError

PAGE_SIZES = (20, 50, 100, 200)
COUNT_LIMIT = 10_000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _Echo:
    def write(self, value):
        return value


class AllBooleanWidget(django_filters.widgets.BooleanWidget):
    """A yes/no filter whose empty choice reads "All" (django-filter's says "Unknown")."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", pgettext_lazy("filter", "All")), ("true", gettext_lazy("Yes")),
                        ("false", gettext_lazy("No"))]


class FilterSet(django_filters.FilterSet):
    """The base of every list filter: an unset filter reads "All" — on choice, model-choice and yes/no
    filters alike — instead of "---------" or "Unknown"."""

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            for field in form.fields.values():
                if isinstance(field, forms.NullBooleanField):
                    field.widget = AllBooleanWidget(attrs=field.widget.attrs)
                elif getattr(field, "empty_label", None) == "---------":
                    field.empty_label = pgettext_lazy("filter", "All")
                    field.widget.choices = field.choices
        return self._form


@dataclass
class Column:
    key: str                   # the ordering key, and the accessor unless `value` is given
    label: str
    sortable: bool = True
    value: Callable | None = None
    order_by: tuple = ()        # database fields for sorting; default (key,)

    def get(self, row):
        if self.value:
            return self.value(row)
        value = row
        for part in self.key.split("__"):
            value = getattr(value, part, None)
        return value


@dataclass
class BulkAction:
    name: str
    label: str
    permission: str | None
    run: Callable  # run(request, queryset) -> message


@dataclass
class ListPage:
    request: object
    queryset: object
    columns: list
    filterset_class: type | None = None
    search_fields: tuple = ()
    default_ordering: str = "-id"
    actions: list = field(default_factory=list)
    export_name: str = "export"

    def __post_init__(self):
        params = self.request.GET
        self.filterset = self.filterset_class(params, queryset=self.queryset) if self.filterset_class else None
        qs = self.filterset.qs if self.filterset is not None and self.filterset.is_valid() else self.queryset
        self.search = params.get("q", "").strip()[:100]
        if self.search and self.search_fields:
            condition = Q()
            for name in self.search_fields:
                condition |= Q(**{name: self.search})
            qs = qs.filter(condition)
        self.ordering = self._ordering(params.get("o", ""))
        self.results = qs.order_by(*self._order_fields(self.ordering), "-pk")
        try:
            self.per_page = int(params.get("per_page", PAGE_SIZES[0]))
        except ValueError:
            self.per_page = PAGE_SIZES[0]
        if self.per_page not in PAGE_SIZES:
            self.per_page = PAGE_SIZES[0]
        try:
            self.page_number = max(1, int(params.get("page", 1)))
        except ValueError:
            self.page_number = 1

    def _ordering(self, requested):
        keys = {c.key for c in self.columns if c.sortable}
        return requested if requested.lstrip("-") in keys else self.default_ordering

    def _order_fields(self, ordering):
        desc = ordering.startswith("-")
        column = next((c for c in self.columns if c.key == ordering.lstrip("-")), None)
        fields = (column.order_by or (column.key,)) if column else (ordering.lstrip("-"),)
        return [("-" if desc else "") + f for f in fields]

    # -- pagination --------------------------------------------------------------------------
    def page(self):
        start = (self.page_number - 1) * self.per_page
        rows = list(self.results[start:start + self.per_page + 1])
        has_next = len(rows) > self.per_page
        rows = rows[: self.per_page]
        return {"rows": rows, "number": self.page_number, "has_next": has_next,
                "has_previous": self.page_number > 1, "start": start + 1 if rows else 0,
                "end": start + len(rows)}

    def count(self):
        """(count, capped): the number of matching rows, counted up to COUNT_LIMIT."""
        n = self.results.order_by()[: COUNT_LIMIT + 1].count()
        return min(n, COUNT_LIMIT), n > COUNT_LIMIT

    def context(self):
        count, capped = self.count()
        sort_links = []
        for column in self.columns:
            current = self.ordering.lstrip("-") == column.key
            desc = self.ordering.startswith("-")
            sort_links.append({"column": column, "current": current, "desc": desc,
                               "next": ("" if current and desc else "-") + column.key if column.sortable else ""})
        return {"list": self, "page": self.page(), "count": count, "count_capped": capped,
                "filter": self.filterset, "sort_links": sort_links, "page_sizes": PAGE_SIZES,
                "actions": [a for a in self.actions if not a.permission or self.request.user.has_perm(a.permission)]}

    # -- export and bulk actions -------------------------------------------------------------
    def csv_response(self):
        """Stream every matching row as CSV (UTF-8 with BOM so Excel opens Chinese text)."""
        writer = csv.writer(_Echo())

        def rows():
            yield "\ufeff" + writer.writerow([str(c.label) for c in self.columns])
            for row in self.results.iterator(chunk_size=2000):
                yield writer.writerow([_cell(c.get(row)) for c in self.columns])

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.export_name}.csv"'
        return response

    def xlsx_response(self):
        """Every matching row as an XLSX workbook (openpyxl's write-only mode keeps memory flat)."""
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(self.export_name[:31])
        sheet.append([str(c.label) for c in self.columns])
        for row in self.results.iterator(chunk_size=2000):
            sheet.append([_xlsx_cell(c.get(row)) for c in self.columns])
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{self.export_name}.xlsx"'
        return response

    def run_action(self):
        """Run the posted bulk action on the posted ids, re-scoped through the list's queryset."""
        request = self.request
        action = next((a for a in self.actions if a.name == request.POST.get("action")), None)
        if action is None:
            messages.error(request, _("Choose an action."))
        elif action.permission and not request.user.has_perm(action.permission):
            raise PermissionDenied
        else:
            ids = [i for i in request.POST.getlist("ids") if i.isdigit()]
            if not ids:
                messages.error(request, _("Select at least one row."))
            else:
                try:
                    messages.success(request, action.run(request, self.queryset.filter(pk__in=ids)))
                except DomainError as e:
                    messages.error(request, e.message)
        return HttpResponseRedirect(request.get_full_path())


def _xlsx_cell(value):
    if isinstance(value, (int, float, Decimal, bool)) or value is None:
        return value
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    return str(value)


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def render_list(request, template, list_page: ListPage, extra=None):
    """Answer a list URL: export, bulk action, or the page (the results partial for htmx)."""
    from django.shortcuts import render

    if request.method == "POST":
        return list_page.run_action()
    if request.GET.get("export") == "csv":
        return list_page.csv_response()
    if request.GET.get("export") == "xlsx":
        return list_page.xlsx_response()
    context = list_page.context()
    context.update(extra or {})
    return render(request, template, context)
