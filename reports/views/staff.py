"""Staff performance on the report framework: one row per staff user, one column per figure that a module offers
through the `staff_figures` hook (reports.queries.staff). Averages of times are shown in hours.

Who sees what (shop/roles.py): owner, operations and finance see every staff user (`reports.view_staff_reports`);
warehouse and customer service see their own row only (`reports.view_own_staff_figures`, the "My performance"
page); a money column (refunds approved, amount) only for those who may see refunds.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.framework import Measure, Report
from reports.queries.staff import staff_performance

KINDS = {"count": "count", "money": "money", "duration": "number"}


def hours(value) -> Decimal | None:
    """A timedelta as hours, one place, half up."""
    if value is None:
        return None
    return (Decimal(value.total_seconds()) / 3600).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


class StaffReport(Report):
    """Orders shipped, time to ship, messages answered and first-response times, refunds approved, per staff user."""

    slug = "staff-performance"
    title = gettext_lazy("Staff performance")
    description = gettext_lazy(
        "What each staff user did in the period: orders shipped and the average hours from payment to shipping, "
        "customer messages answered and the average hours to the first reply, refunds approved."
    )
    permission = "reports.view_staff_reports"
    dimension = gettext_lazy("Staff user")
    schedulable = True

    def only(self):
        return None

    def rows(self, period):
        report = staff_performance(
            start=period.since, end=period.until, user=getattr(self.request, "user", None), only=self.only()
        )
        if not self.measures:  # per instance: the columns the modules offer to this user
            self.measures = [  # type: ignore[misc]
                Measure(
                    c["key"],
                    c["label"] if c["kind"] != "duration" else _("%(figure)s (hours)") % {"figure": c["label"]},
                    kind=KINDS.get(c["kind"], "number"),
                    compare=c["kind"] == "count",
                    summable=c["kind"] != "duration",
                )
                for c in report.columns
            ]
        durations = {c["key"] for c in report.columns if c["kind"] == "duration"}
        rows = []
        for row in report.rows:
            user = row["user"]
            values = {k: hours(v) if k in durations else v for k, v in row["values"].items()}
            for c in report.columns:
                if values.get(c["key"]) is None and c["kind"] != "duration":
                    values[c["key"]] = Decimal("0.00") if c["kind"] == "money" else 0
            rows.append({"key": user.pk, "label": user.get_full_name() or user.get_username(), **values})
        return rows

    def table(self, period):
        self.rows(period)  # the hook's columns make the measures
        if not self.measures:
            self.measures = [Measure("none", _("Figures"), kind="count")]  # type: ignore[misc]
        return super().table(period)

    def key_figures(self, context) -> list:
        totals = context["table"]["totals"]
        return [(m.label, totals.get(m.key), m.kind) for m in self.measures if m.summable][:4]


class MyStaffReport(StaffReport):
    """The staff report narrowed to the signed-in user: their own figures."""

    slug = "staff-mine"
    title = gettext_lazy("My performance")
    permission = "reports.view_own_staff_figures"
    schedulable = False

    def only(self):
        user = getattr(self.request, "user", None)
        return user.pk if user is not None else -1
