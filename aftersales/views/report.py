"""The after-sales report page: a date range of received time, the figures (aftersales.selectors), CSV export."""

import csv
from datetime import timedelta

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales import selectors
from shop.exports import attachment, csv_row
from shop.permissions import staff_view

MAX_DAYS = 366


class RangeForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The end is before the start."))
            elif (end - start).days >= MAX_DAYS:
                self.add_error("end", _("At most %(n)s days.") % {"n": MAX_DAYS})
        return data


def _hours(value):
    return "" if value is None else f"{value:.2f}"


def _text(value):
    return "" if value is None else str(value)


class _EscapedWriter:
    """csv.writer whose text cells are escaped (shop.exports.csv_row): a product named "=HYPERLINK(...)" stays text."""

    def __init__(self, file):
        self.writer = csv.writer(file)

    def writerow(self, row):
        self.writer.writerow(csv_row(row))


def _csv(report, start, end):
    """Two tables in one file: the requests' rows (section, key, name, requests, units, sold, rate, amount), then
    the complaints' by category."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = attachment(f"aftersales-{start.isoformat()}-{end.isoformat()}.csv")
    response.write("\ufeff")
    writer = _EscapedWriter(response)
    requests = report["requests"]
    writer.writerow(["section", "key", "name", "requests", "units", "units_sold", "rate", "amount"])
    for row in requests["by_product"]:
        product = row["product"]
        writer.writerow(
            ["product", product.code, product.name, row["requests"], row["units"], row["sold"], _text(row["rate"]), ""]
        )
    for row in requests["by_category"]:
        category = row["category"]
        writer.writerow(
            [
                "category",
                category.pk if category else "",
                category.name if category else "",
                row["requests"],
                row["units"],
                row["sold"],
                _text(row["rate"]),
                "",
            ]
        )
    for row in requests["by_reason"]:
        writer.writerow(
            ["reason", row["code"], row["reason"], row["requests"], row["units"], "", _text(row["rate"]), ""]
        )
    for row in requests["refunds"]:
        writer.writerow(["refunds", row["kind"], "", "", "", "", "", row["amount"]])
    writer.writerow(
        [
            "requests",
            "total",
            "",
            requests["count"],
            requests["units"],
            requests["sold"],
            _text(requests["rate"]),
            requests["refund_total"],
        ]
    )
    writer.writerow(["inspection", "restocked", "", "", requests["restocked"], "", "", ""])
    writer.writerow(["inspection", "written_off", "", "", requests["written_off"], "", "", ""])
    for key in ("response_median", "response_p90", "resolution_median", "resolution_p90"):
        writer.writerow(["request_hours", key, "", "", "", "", _hours(requests[key]), ""])
    writer.writerow([])
    complaints = report["complaints"]
    writer.writerow(
        [
            "section",
            "key",
            "count",
            "resolved",
            "open",
            "overdue",
            "response_median_h",
            "response_p90_h",
            "resolution_median_h",
            "resolution_p90_h",
            "satisfaction_avg",
            "rated",
        ]
    )
    for row in [*complaints["categories"], {"category": "total", **complaints["total"]}]:
        writer.writerow(
            [
                "complaints",
                row["category"],
                row["count"],
                row["resolved"],
                row["open"],
                row["overdue"],
                _hours(row["response_median"]),
                _hours(row["response_p90"]),
                _hours(row["resolution_median"]),
                _hours(row["resolution_p90"]),
                "" if row["satisfaction_avg"] is None else row["satisfaction_avg"],
                row["rated"],
            ]
        )
    return response


@staff_view("aftersales.view_aftersales_report")
def report(request):
    today = timezone.localdate()
    default = {"start": today - timedelta(days=29), "end": today}
    form = RangeForm(request.GET if "start" in request.GET else None, initial=default)
    if form.is_bound and not form.is_valid():
        return render(request, "aftersales/report.html", {"form": form, "report": None}, status=400)
    start, end = (
        (form.cleaned_data["start"], form.cleaned_data["end"]) if form.is_bound else (default["start"], default["end"])
    )
    starts_at, ends_at = selectors.period_bounds(start, end)
    data = selectors.aftersales_report(starts_at=starts_at, ends_at=ends_at)
    if request.GET.get("export") == "csv":
        return _csv(data, start, end)
    return render(request, "aftersales/report.html", {"form": form, "report": data, "start": start, "end": end})
