"""Campaign pages: issue a coupon to a segment or to one customer, the report per promotion (with a CSV), and
the month calendar of what runs when."""

import csv
from datetime import date

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customers.models import Segment
from marketing.models import CouponTemplate
from marketing.services import campaigns
from shop.permissions import staff_view
from shop.web import form_submit


class SegmentIssueForm(forms.Form):
    segment = forms.ModelChoiceField(Segment.objects.order_by("name"), label=gettext_lazy("Customer segment"))


class PhoneIssueForm(forms.Form):
    phone = forms.CharField(label=gettext_lazy("Customer phone"), max_length=20)


@staff_view("marketing.change_coupontemplate")
def coupon_issue(request, pk):
    template = get_object_or_404(CouponTemplate, pk=pk)
    action = request.POST.get("action")
    segment_form = SegmentIssueForm(request.POST if action == "segment" else None, prefix="seg")
    phone_form = PhoneIssueForm(request.POST if action == "phone" else None, prefix="one")
    result: dict = {}

    def issue_segment():
        result.update(
            campaigns.coupons_issue_to_segment(
                template=template, segment=segment_form.cleaned_data["segment"], actor=request.user
            )
        )

    def issue_phone():
        result["coupon"] = campaigns.coupon_issue_to_phone(
            template=template, phone=phone_form.cleaned_data["phone"], actor=request.user
        )

    if action == "segment" and form_submit(segment_form, issue_segment):
        messages.success(
            request,
            _("%(issued)s coupons issued, %(skipped)s members skipped, %(sold_out)s over the total quantity.") % result,
        )
        return render(
            request,
            "marketing/campaign_issue.html",
            {
                "template": template,
                "segment_form": SegmentIssueForm(prefix="seg"),
                "phone_form": phone_form,
                "result": result,
            },
        )
    if action == "phone" and form_submit(phone_form, issue_phone):
        messages.success(request, _("Coupon issued to %(c)s.") % {"c": result["coupon"].customer.name})
        return redirect("marketing:coupon_issue", pk=template.pk)
    return render(
        request,
        "marketing/campaign_issue.html",
        {"template": template, "segment_form": segment_form, "phone_form": phone_form, "result": None},
    )


def _report(request, kind, pk):
    model, _kind = campaigns.REPORT_KINDS[kind]
    promotion = get_object_or_404(model, pk=pk)
    report = campaigns.campaign_report(kind, promotion)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="campaign-{kind}-{pk}.csv"'
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow(["date", "orders", "gmv", "discount_cost", "new_customers", "roi"])
        for row in [*report["days"], report["total"]]:
            writer.writerow(
                [
                    row.day.isoformat() if row.day else "total",
                    row.orders,
                    row.gmv,
                    row.cost,
                    row.new_customers,
                    "" if row.roi is None else row.roi,
                ]
            )
        return response
    return render(
        request,
        "marketing/campaign_report.html",
        {"promotion": promotion, "kind": kind, "report": report, "list_url": f"marketing:{kind}_list"},
    )


@staff_view("marketing.view_coupontemplate")
def coupon_report(request, pk):
    return _report(request, "coupon", pk)


@staff_view("marketing.view_activity")
def activity_report(request, pk):
    return _report(request, "activity", pk)


@staff_view("marketing.view_timeddiscount")
def timed_report(request, pk):
    return _report(request, "timed", pk)


EDIT_URLS = {
    "activity": "marketing:activity_edit",
    "timed": "marketing:timed_edit",
    "coupon": "marketing:coupon_edit",
    "flash": "marketing:flash_session_detail",
}


@staff_view("marketing.view_activity")
def promotion_calendar(request):
    today = timezone.localdate()
    try:
        year, month = (int(x) for x in request.GET.get("month", "").split("-"))
        date(year, month, 1)
    except ValueError:
        year, month = today.year, today.month
    year = min(max(year, 2000), 2100)
    data = campaigns.calendar_month(year, month)
    kinds = {
        "activity": _("Spend or quantity discount"),
        "timed": _("Timed discount"),
        "coupon": _("Coupon"),
        "flash": _("Flash sale"),
    }
    for bar in data["bars"]:
        bar.url_name = EDIT_URLS[bar.kind]
        bar.kind_label = kinds[bar.kind]
        bar.offset = bar.first_day - 1
        bar.span = bar.last_day - bar.first_day + 1
        bar.rest = len(data["days"]) - bar.last_day
    prev = date(year - (month == 1), (month - 2) % 12 + 1, 1)
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return render(
        request,
        "marketing/calendar.html",
        {
            **data,
            "month": date(year, month, 1),
            "prev": f"{prev:%Y-%m}",
            "next": f"{nxt:%Y-%m}",
        },
    )
