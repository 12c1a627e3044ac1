"""The finance report: gross, discounts, refunds, fees and net per settlement batch, from payments' own rows
(to the cent against payments; reports.queries.finance reads them from their rollup), with one row per method
for what no batch holds yet. It replaces the payments module's "finance summary" (its page stays for the work
waiting: refunds, flags, risk holds)."""

from django.utils.translation import gettext_lazy

from reports.framework import Measure, Report
from reports.queries.finance import finance_rows, finance_trend, method_rows


class FinanceReport(Report):
    slug = "finance"
    title = gettext_lazy("Finance")
    description = gettext_lazy(
        "Per settlement batch, from the payments: gross received, the discounts of those orders, refunds confirmed "
        "on the batch's day, provider fees, and net = gross − fees − refunds; “settled” is the batch's own net."
    )
    permission = "reports.view_finance_report"
    schedulable = True  # may be emailed to owner / finance (reports.schedules, analytics)
    previous_only_rows = False
    dimension = gettext_lazy("Settlement batch")
    measures = [
        Measure("net", gettext_lazy("Net"), compare=True),
        Measure("gross", gettext_lazy("Gross"), compare=True),
        Measure("discounts", gettext_lazy("Discounts")),
        Measure("refunds", gettext_lazy("Refunds")),
        Measure("fees", gettext_lazy("Fees")),
        Measure("settled", gettext_lazy("Settled"), summable=False),
        Measure("payments", gettext_lazy("Payments"), kind="count"),
        Measure("refund_count", gettext_lazy("Refunds made"), kind="count"),
    ]

    def rows(self, period):
        return finance_rows(period)

    def table(self, period):
        """Batches read by their day, not ranked; the comparison is in the totals (batches differ by period)."""
        table = super().table(period)
        table["rows"].sort(key=lambda r: (r["key"].startswith("open"), str(r["label"])))
        return table

    def trend(self, period):
        return finance_trend(period)


class FinanceByMethod(FinanceReport):
    slug = "finance-method"
    title = gettext_lazy("Finance by payment method")
    description = gettext_lazy(
        "Payments received in the period per method (gross, fees, the discounts of those orders), refunds "
        "confirmed in the period, and net = gross − fees − refunds."
    )
    dimension = gettext_lazy("Payment method")
    previous_only_rows = True
    measures = [m for m in FinanceReport.measures if m.key != "settled"]

    def rows(self, period):
        return method_rows(period)


REPORTS = [FinanceReport, FinanceByMethod]
