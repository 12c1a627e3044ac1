"""The dashboard (the first page after login; shop's root view shows it through the `dashboard_page` hook)."""

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from reports.dashboard import PERIODS, dashboard_figures, dashboard_period, top_products, work_waiting
from shop.permissions import staff_view
from shop.selectors import current_announcements


@staff_view()
def dashboard(request):
    period = dashboard_period(request.GET.get("period", ""), timezone.localdate())
    data = dashboard_figures(request.user, period)
    trend = data["trend"]
    chart = None
    if trend:
        label = _("GMV") if trend["measure"] == "paid" else _("Paid orders")
        previous = period.previous()
        chart = {
            "type": "line",
            "labels": trend["labels"],
            "datasets": [
                {"label": f"{label} · {period.label()}", "data": trend["current"]},
                {"label": f"{label} · {previous.label()}", "data": trend["previous"], "dashed": True},
            ],
        }
    return render(
        request,
        "reports/dashboard.html",
        {
            "period": period,
            "previous": period.previous(),
            "periods": PERIODS,
            "figures": data["figures"],
            "trend_chart": chart,
            "top_products": top_products(request.user, period),
            "work": work_waiting(request.user),
            "announcements": current_announcements()[:5],
        },
    )
