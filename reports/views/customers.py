"""The customers report on the report framework: new and returning buyers in the period (against the comparison
period), new buyers per day / week / month in the chart, today's member tier mix, the tier changes of the period
and today's RFM segments (customers keeps only each customer's current segment: there is no RFM history)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.framework import Measure, Report
from reports.queries import customers as selectors


class CustomersReport(Report):
    """New vs returning customers, the tier mix and its movement, RFM segments."""

    slug = "customers"
    title = gettext_lazy("Customers")
    description = gettext_lazy(
        "New customers made their first purchase ever in the period; returning customers bought in the period and "
        "had bought before it. A purchase is a paid order that was not cancelled or closed."
    )
    permission = "reports.view_customers_report"
    dimension = gettext_lazy("Customers")
    template = "reports/customers_report.html"
    schedulable = True
    trend_measure = "customers"
    measures = [Measure("customers", gettext_lazy("Customers"), kind="count", compare=True)]

    def __init__(self, request=None):
        super().__init__(request)
        self._per_day: dict = {}

    def per_day(self, period) -> dict:
        """buyers_per_day of the period, read once a request (the table and the chart both use it)."""
        if period not in self._per_day:
            self._per_day[period] = selectors.buyers_per_day(start=period.since, end=period.until)
        return self._per_day[period]

    def rows(self, period):
        found = selectors.buyers(start=period.since, end=period.until, per_day=self.per_day(period))
        return [
            {"key": "new", "label": _("New customers"), "customers": found["new"]},
            {"key": "returning", "label": _("Returning customers"), "customers": found["returning"]},
        ]

    def trend(self, period):
        """New customers per local day (the chart adds them up per week or month)."""
        return {day: {"customers": figures["new"]} for day, figures in self.per_day(period).items() if figures["new"]}

    def trend_chart(self, period):
        chart = super().trend_chart(period)
        if chart:
            for dataset in chart["datasets"]:
                dataset["label"] = f"{_('New customers')} · {dataset['label'].split(' · ', 1)[-1]}"
        return chart

    def table(self, period):
        table = super().table(period)
        table["rows"].sort(key=lambda r: r["key"] != "new")  # new first, then returning
        return table

    def context(self, period, form):
        context = super().context(period, form)
        context["tiers"] = selectors.tier_mix()
        context["movement"] = selectors.tier_movement(start=period.since, end=period.until)
        context["segments"] = selectors.rfm_segments()
        return context

    def key_figures(self, context) -> list:
        by_key = {row["key"]: row for row in context["table"]["rows"]}
        return [
            (_("New customers"), by_key.get("new", {}).get("customers", 0), "count"),
            (_("Returning customers"), by_key.get("returning", {}).get("customers", 0), "count"),
            (_("Tier upgrades"), context["movement"]["upgrades"], "count"),
            (_("Tier downgrades"), context["movement"]["downgrades"], "count"),
        ]
