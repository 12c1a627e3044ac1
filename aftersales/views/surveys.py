"""Satisfaction survey results (满意度): CSAT and NPS by week or month and by kind, response rate, comments."""

import json
from datetime import timedelta

from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from aftersales import selectors
from aftersales.forms import SurveyResultsForm
from shop.permissions import staff_view


@staff_view("aftersales.view_survey")
def survey_results(request):
    form = SurveyResultsForm(request.GET or None)
    choice = form.cleaned_data if form.is_valid() else {}
    period = choice.get("period") or "week"
    kind = choice.get("kind") or ""
    days = int(choice.get("days") or 90)
    since = timezone.now() - timedelta(days=days)
    results = selectors.survey_results(period=period, kind=kind, since=since)
    for row in results["periods"]:
        row["label"] = formats.date_format(timezone.localtime(row["period"]), "SHORT_DATE_FORMAT")
    chart = {
        "type": "line",
        "label": _("NPS"),
        "labels": [row["label"] for row in results["periods"]],
        "values": [row["nps"] for row in results["periods"]],
    }
    return render(
        request,
        "aftersales/survey_results.html",
        {
            "form": form,
            "period": period,
            "results": results,
            "comments": selectors.survey_comments(kind=kind, since=since),
            "chart_json": json.dumps(chart),
        },
    )
