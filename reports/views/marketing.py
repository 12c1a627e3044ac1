"""The marketing report on the report framework: every promotion that had purchases in the period, ranked by ROI,
with orders, GMV, discount cost and new customers (reports.queries.marketing sums marketing's own campaign
report per day, so the figures are the campaign page's)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marketing.models import Kind
from marketing.services.campaigns import Figures
from reports.framework import Measure, Report
from reports.queries.marketing import promotion_figures

KIND_LABELS = {"coupon": Kind.COUPON.label, "activity": Kind.THRESHOLD.label, "timed": Kind.TIMED_DISCOUNT.label}


class MarketingReport(Report):
    """Each promotion's ROI over the period, from the marketing module."""

    slug = "marketing-roi"
    title = gettext_lazy("Promotion ROI")
    description = gettext_lazy(
        "Each promotion with purchases in the period: orders, GMV (what those orders paid), discount cost (what "
        "the promotion took off) and ROI = (GMV - discount cost) / discount cost. An order with two promotions "
        "counts in both."
    )
    permission = "reports.view_marketing_report"
    previous_only_rows = False  # a promotion without purchases in the period is not ranked at zero
    dimension = gettext_lazy("Promotion")
    schedulable = True
    measures = [
        Measure("roi", gettext_lazy("ROI"), kind="number", summable=False),
        Measure("gmv", gettext_lazy("GMV"), compare=True),
        Measure("orders", gettext_lazy("Orders"), kind="count", compare=True),
        Measure("cost", gettext_lazy("Discount cost"), compare=True),
        Measure("new_customers", gettext_lazy("New customers"), kind="count"),
    ]

    def rows(self, period):
        return [
            {
                "key": f"{row.kind}-{row.promotion.pk}",
                "label": f"{row.name} ({KIND_LABELS[row.kind]})",
                "roi": row.figures.roi,
                "gmv": row.figures.gmv,
                "orders": row.figures.orders,
                "cost": row.figures.cost,
                "new_customers": row.figures.new_customers,
            }
            for row in promotion_figures(start=period.since, end=period.until)
        ]

    def totals(self, rows):
        totals = super().totals(rows)
        totals["roi"] = Figures(gmv=totals["gmv"], cost=totals["cost"]).roi  # marketing's ROI, on the sums
        return totals

    def table(self, period):
        table = super().table(period)
        # ranked by ROI (the framework sorts by the first measure; no ROI, no cost: last)
        table["rows"].sort(key=lambda r: (r.get("roi") is None, -(r.get("roi") or 0), -(r.get("gmv") or 0)))
        return table

    def key_figures(self, context) -> list:
        totals = context["table"]["totals"]
        return [
            (_("Promotions"), len(context["table"]["rows"]), "count"),
            (_("GMV"), totals.get("gmv"), "money"),
            (_("Discount cost"), totals.get("cost"), "money"),
            (_("ROI"), totals.get("roi"), "number"),
        ]
