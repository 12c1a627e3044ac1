"""The anomaly pages: the findings of the `anomaly_watch` job, one with its chart, band and explanation."""

import django_filters
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from reports import services
from reports.anomalies import anomalies
from reports.models import Anomaly
from reports.services.monitoring import anomaly_chart, explain, format_value
from shop.lists import Column, FilterSet, ListPage, render_list
from shop.permissions import staff_view
from shop.selectors import audit_for_object
from shop.web import message_submit


class AnomalyFilter(FilterSet):
    metric = django_filters.ChoiceFilter(label=gettext_lazy("Metric"), choices=Anomaly.Metric.choices)
    direction = django_filters.ChoiceFilter(label=gettext_lazy("Direction"), choices=Anomaly.Direction.choices)
    open = django_filters.BooleanFilter(
        label=gettext_lazy("Not acknowledged"), field_name="acknowledged_at", lookup_expr="isnull"
    )

    class Meta:
        model = Anomaly
        fields: list[str] = []


class AnomalyList(ListPage):
    filterset_class = AnomalyFilter
    default_ordering = "-hour"
    export_name = "anomalies"
    columns = [
        Column("hour", gettext_lazy("Hour"), value=lambda a: timezone.localtime(a.hour)),
        Column("metric", gettext_lazy("Metric"), sortable=False, value=lambda a: a.get_metric_display()),
        Column("direction", gettext_lazy("Direction"), sortable=False, value=lambda a: a.get_direction_display()),
        Column(
            "observed", gettext_lazy("Observed"), sortable=False, value=lambda a: format_value(a.metric, a.observed)
        ),
        Column(
            "expected", gettext_lazy("Expected"), sortable=False, value=lambda a: format_value(a.metric, a.expected)
        ),
        Column("score", gettext_lazy("Score")),
        Column(
            "acknowledged_at",
            gettext_lazy("Acknowledged"),
            sortable=False,
            value=lambda a: timezone.localtime(a.acknowledged_at) if a.acknowledged_at else None,
        ),
    ]

    def scope(self):
        return anomalies()


@staff_view("reports.view_anomaly")
def anomaly_list(request):
    return render_list(request, "reports/anomaly_list.html", AnomalyList(request))


@staff_view("reports.view_anomaly")
def anomaly_detail(request, pk):
    anomaly = get_object_or_404(anomalies(), pk=pk)
    chart = anomaly_chart(anomaly)
    return render(
        request,
        "reports/anomaly_detail.html",
        {
            "anomaly": anomaly,
            "explanation": explain(anomaly),
            "observed": format_value(anomaly.metric, anomaly.observed),
            "expected": format_value(anomaly.metric, anomaly.expected),
            "band_low": format_value(anomaly.metric, anomaly.band_low),
            "band_high": format_value(anomaly.metric, anomaly.band_high),
            "baseline": [(h, format_value(anomaly.metric, v)) for h, v in anomaly.baseline],
            "chart": chart,
            "chart_data": {
                "type": "line",
                "labels": chart["labels"],
                "datasets": [
                    {"label": _("Observed"), "data": chart["observed"]},
                    {"label": _("Expected"), "data": chart["expected"], "dashed": True},
                    {"label": _("Band low"), "data": chart["low"], "dashed": True},
                    {"label": _("Band high"), "data": chart["high"], "dashed": True},
                ],
            },
            "may_acknowledge": anomaly.is_open and request.user.has_perm("reports.change_anomaly"),
            "history": audit_for_object(anomaly),
        },
    )


@staff_view("reports.change_anomaly")
@require_POST
def anomaly_acknowledge(request, pk):
    anomaly = get_object_or_404(anomalies(), pk=pk)
    message_submit(
        request,
        lambda: services.anomaly_acknowledge(anomaly=anomaly, actor=request.user, note=request.POST.get("note", "")),
        _("Anomaly acknowledged."),
    )
    return redirect(anomaly)
