"""One home for every report page: the period form, the charts, the table with its comparison, the export.

A report declares itself as a subclass of `Report` and is listed in its area's urls with `Report.path()`:

    class SalesByChannel(Report):
        slug = "sales-channel"                       # URL reports/sales-channel/, url name reports:sales-channel
        title = _("Sales by channel")
        permission = "reports.view_sales_reports"    # staff_view: other roles answer 403
        dimension = _("Channel")                     # the first column's heading
        measures = [Measure("net", _("Net sales"), compare=True), Measure("orders", _("Orders"), kind="count")]

        def rows(self, period):                      # one dict per table row: key, label, one value per measure
            return [{"key": "web", "label": "Web shop", "net": Decimal("12.00"), "orders": 3}, ...]

        def trend(self, period):                     # optional: {day: {measure: value}} for the line chart
            return {date(2026, 12, 1): {"net": Decimal("12.00")}}

The base class asks `rows` (and `trend`) for the period and for its comparison (previous period or the same
period last year), joins them on the key, adds the change in percent, the totals, a ranked bar chart of the
first measure and a trend line chart grouped by day / week / month with the comparison dashed, and answers
`?export=csv` / `?export=xlsx` with the table. Page template: templates/reports/report.html (a report may
name its own that extends it, block `report_extra`). Charts: static/reports/report.js reads json_script data.
Override `totals(rows)` when a measure does not add up (an average); `summable = False` on a Measure skips it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, ClassVar

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path as url_path
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.periods import Period, period_from_request
from shop.permissions import staff_view
from shop.xlsx import CONTENT_TYPE as XLSX_TYPE
from shop.xlsx import xlsx_bytes


@dataclass(frozen=True)
class Measure:
    key: str
    label: Any
    kind: str = "money"  # money | count | percent | number
    compare: bool = False  # show previous and change percent beside it
    summable: bool = True

    def zero(self):
        return Decimal("0.00") if self.kind == "money" else 0


def change_percent(value, previous) -> Decimal | None:
    """(value - previous) / previous in percent, one decimal, half-up; None when previous is zero."""
    if previous in (None, 0) or value is None:
        return None
    return (Decimal(value - previous) * 100 / Decimal(previous)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


class Report:
    slug: ClassVar[str] = ""
    title: ClassVar[Any] = ""
    description: ClassVar[Any] = ""
    permission: ClassVar[str | None] = None
    dimension: ClassVar[Any] = gettext_lazy("Name")
    measures: ClassVar[list[Measure]] = []
    template: ClassVar[str] = "reports/report.html"
    default_preset: ClassVar[str] = "30d"
    rank_limit: ClassVar[int] = 20  # bars in the ranked chart
    trend_measure: ClassVar[str | None] = None  # default: the first measure
    page_rows: ClassVar[int] = 200  # rows the page shows (ranked first); the export carries every row
    previous_only_rows: ClassVar[bool] = True  # list what the comparison period had and this one has not, at 0

    def __init__(self, request=None):
        self.request = request

    # -- what a report supplies ----------------------------------------------------------------
    def rows(self, period: Period) -> list[dict]:
        raise NotImplementedError

    def trend(self, period: Period) -> dict[date, dict] | None:
        """Per local day figures for the line chart; None draws no trend chart."""
        return None

    def label_rows(self, rows: list[dict]) -> None:
        """Set the label of `rows` where rows() left it None (a name read for the shown rows only: a report of
        every product would otherwise look up tens of thousands of names to show 200)."""

    def totals(self, rows: list[dict]) -> dict:
        return {m.key: sum((r.get(m.key) or m.zero() for r in rows), m.zero()) for m in self.measures if m.summable}

    # -- what the framework does ---------------------------------------------------------------
    @property
    def primary(self) -> Measure:
        return self.measures[0]

    def table(self, period: Period) -> dict:
        """Rows joined with the comparison period's rows, sorted by the first measure, with totals."""
        current = self.rows(period)
        other_period = period.comparison()
        previous = {r["key"]: r for r in self.rows(other_period)} if other_period else {}
        rows = []
        compared = [m for m in self.measures if m.compare] if other_period else []
        for row in current:
            before = previous.get(row["key"], {})
            row = dict(row)
            for m in compared:
                row[f"{m.key}__previous"] = before.get(m.key, m.zero())
                row[f"{m.key}__change"] = change_percent(row.get(m.key), row[f"{m.key}__previous"])
            rows.append(row)
        seen = {r["key"] for r in current}
        for key, before in previous.items():  # what sold before and not now still shows, at zero
            if key in seen or not self.previous_only_rows:
                continue
            row = {"key": key, "label": before.get("label", key)}
            for m in self.measures:
                row[m.key] = m.zero()
                if m.compare:
                    row[f"{m.key}__previous"] = before.get(m.key, m.zero())
                    row[f"{m.key}__change"] = None
            rows.append(row)
        rows.sort(key=lambda r: (-(r.get(self.primary.key) or 0), str(r["label"] or "")))
        totals = self.totals(current)
        if other_period:
            before_totals = self.totals(list(previous.values()))
            for m in self.measures:
                if m.compare and m.key in totals:
                    totals[f"{m.key}__previous"] = before_totals.get(m.key, m.zero())
                    totals[f"{m.key}__change"] = change_percent(totals[m.key], totals[f"{m.key}__previous"])
        return {"rows": rows, "totals": totals, "comparison": other_period}

    def columns(self, comparison: bool) -> list[dict]:
        cols = []
        for m in self.measures:
            cols.append({"key": m.key, "label": m.label, "kind": m.kind})
            if m.compare and comparison:
                cols.append({"key": f"{m.key}__previous", "label": _("%(m)s, before") % {"m": m.label}, "kind": m.kind})
                cols.append({"key": f"{m.key}__change", "label": _("Change (percent)"), "kind": "change"})
        return cols

    def trend_chart(self, period: Period) -> dict | None:
        key = self.trend_measure or self.primary.key
        days = self.trend(period)
        if days is None:
            return None
        buckets = period.buckets()
        values = dict.fromkeys(buckets, 0)
        for day, figures in days.items():
            values[period.bucket(day)] = values.get(period.bucket(day), 0) + (figures.get(key) or 0)
        label = self.measure(key).label
        datasets: list[dict] = [{"label": f"{label} · {period.label()}", "data": [_num(values[b]) for b in buckets]}]
        other = period.comparison()
        if other:
            other_days = self.trend(other) or {}
            other_buckets = other.buckets()
            other_values = dict.fromkeys(other_buckets, 0)
            for day, figures in other_days.items():
                b = other.bucket(day)
                other_values[b] = other_values.get(b, 0) + (figures.get(key) or 0)
            series = [_num(other_values[b]) for b in other_buckets][: len(buckets)]
            datasets.append({"label": f"{self.measure(key).label} · {other.label()}", "data": series, "dashed": True})
        return {"type": "line", "labels": [b.isoformat() for b in buckets], "datasets": datasets}

    def rank_chart(self, table: dict) -> dict:
        key = self.primary.key
        top = table["rows"][: self.rank_limit]
        datasets: list[dict] = [{"label": str(self.primary.label), "data": [_num(r.get(key)) for r in top]}]
        if table["comparison"] and self.primary.compare:
            datasets.append(
                {"label": _("Before"), "data": [_num(r.get(f"{key}__previous")) for r in top], "dashed": True}
            )
        return {"type": "bar", "horizontal": True, "labels": [str(r["label"]) for r in top], "datasets": datasets}

    def measure(self, key) -> Measure:
        return next(m for m in self.measures if m.key == key)

    def context(self, period: Period, form) -> dict:
        table = self.table(period)
        columns = self.columns(bool(table["comparison"]))
        self.label_rows(table["rows"][: self.page_rows])
        return {
            "report": self,
            "period": period,
            "form": form,
            "table": table,
            "columns": columns,
            "shown": _body(table["rows"][: self.page_rows], columns),  # the page's cells; the export makes all
            "hidden_rows": max(0, len(table["rows"]) - self.page_rows),
            "total_cells": _cells(table["totals"], columns),
            "rank_chart": self.rank_chart(table) if table["rows"] else None,
            "trend_chart": self.trend_chart(period),
            "query": period.query(),
        }

    def export_rows(self, context) -> tuple[list, list[list]]:
        header = [str(self.dimension)] + [str(c["label"]) for c in context["columns"]]
        self.label_rows(context["table"]["rows"])
        body = _body(context["table"]["rows"], context["columns"])
        rows = [[str(r["label"])] + [cell["value"] for cell in r["cells"]] for r in body]
        rows.append([_("Total")] + [cell["value"] for cell in context["total_cells"]])
        return header, rows

    def export_name(self, period: Period) -> str:
        return f"{slugify(self.slug) or 'report'}-{period.start.isoformat()}-{period.end.isoformat()}"

    def respond(self, request):
        period, form = period_from_request(request, default=self.default_preset)
        context = self.context(period, form)
        export = request.GET.get("export")
        if export in ("csv", "xlsx") and form.is_valid():
            header, rows = self.export_rows(context)
            name = self.export_name(period)
            if export == "csv":
                response = HttpResponse(csv_text(header, rows), content_type="text/csv; charset=utf-8")
                response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
            else:
                response = HttpResponse(xlsx_bytes(header, rows, sheet=self.slug or "report"), content_type=XLSX_TYPE)
                response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
            return response
        return render(request, self.template, context)

    @classmethod
    def as_view(cls):
        @staff_view(cls.permission)
        def view(request):
            return cls(request).respond(request)

        view.__name__ = view.__qualname__ = cls.__name__
        view.__doc__ = cls.__doc__
        view.report_class = cls
        return view

    @classmethod
    def path(cls):
        """The URL pattern of this report: reports/<slug>/, named reports:<slug>."""
        return url_path(f"{cls.slug}/", cls.as_view(), name=cls.slug)


def _num(value):
    if value is None:
        return 0
    if isinstance(value, Decimal):
        return float(value)  # chart data only; the table and the export keep the Decimal
    return value


def _body(rows: list[dict], columns: list[dict]) -> list[dict]:
    return [{"label": r["label"], "key": r["key"], "url": r.get("url"), "cells": _cells(r, columns)} for r in rows]


def _cells(row: dict, columns: list[dict]) -> list[dict]:
    return [{"value": row.get(c["key"]), "kind": c["kind"]} for c in columns]


def csv_text(header, rows) -> str:
    """A small table as CSV text (UTF-8 with BOM so Excel opens Chinese text); a cell that a spreadsheet
    would read as a formula starts with an apostrophe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_csv_cell(h) for h in header])
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
    return "\ufeff" + buffer.getvalue()


def _csv_cell(value) -> str:
    if value is None:
        return ""
    text = str(value)
    if text and text[0] in "=+-@\t\r" and not _is_number(text):
        return "'" + text
    return text


def _is_number(text) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True
