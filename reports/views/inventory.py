"""Inventory reports on the report framework: turnover (inventory's turnover selector, moved here from
/inventory/turnover/), stock value at cost per warehouse or category, slow movers and dead stock over N days."""

from dataclasses import replace

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.framework import Measure, Report
from reports.queries import inventory as selectors
from shop.money import to_cents

INVENTORY_PERMISSION = "reports.view_inventory_reports"
PER_CHOICES = {"sku": gettext_lazy("SKU"), "category": gettext_lazy("Category"), "warehouse": gettext_lazy("Warehouse")}


def _option(request, name, choices, default):
    value = request.GET.get(name, "") if request is not None else ""
    return value if value in choices else default


def _days(request, name, default):
    raw = request.GET.get(name, "") if request is not None else ""
    return int(raw) if raw.isdigit() and 1 <= int(raw) <= 3650 else default


class NoComparison(Report):
    """A report of a state at the period's end: the comparison columns would compare unlike lists."""

    def table(self, period):
        return super().table(replace(period, compare="none"))

    def trend_chart(self, period):
        return None


class InventoryReport(Report):
    permission = INVENTORY_PERMISSION
    template = "reports/inventory_report.html"
    pers: tuple = ()

    @property
    def per(self):
        return _option(self.request, "per", self.pers, self.pers[0]) if self.pers else ""

    def context(self, period, form):
        context = super().context(period, form)
        context["pers"] = [(key, PER_CHOICES[key]) for key in self.pers]
        context["per"] = self.per
        context["query"] = {**context["query"], **({"per": self.per} if self.per else {})}
        return context


class TurnoverReport(InventoryReport):
    """Cost of goods sold, average stock value, turnover and days of inventory per SKU, category or warehouse."""

    schedulable = True
    slug = "inventory-turnover"
    title = gettext_lazy("Stock turnover")
    description = gettext_lazy(
        "Stock at cost: cost of goods sold in the period, the average of the stock value at its start and end, "
        "turnover (COGS / average value) and days of inventory."
    )
    pers = ("sku", "category", "warehouse")
    measures = [
        Measure("cogs", gettext_lazy("Cost of goods sold"), compare=True),
        Measure("sold_units", gettext_lazy("Units sold"), kind="count", compare=True),
        Measure("average_value", gettext_lazy("Average stock value")),
        Measure("closing_value", gettext_lazy("Stock value at cost")),
        Measure("turnover", gettext_lazy("Turnover"), kind="number", summable=False),
        Measure("days_of_inventory", gettext_lazy("Days of inventory"), kind="number", summable=False),
    ]

    @property
    def dimension(self):  # type: ignore[override]
        return PER_CHOICES[self.per]

    def __init__(self, request=None):
        super().__init__(request)
        self._stock_now: dict | None = None

    def rows(self, period):
        key, *names = selectors.TURNOVER_GROUPS[self.per]
        if self._stock_now is None:  # the same today's levels for the period and its comparison
            self._stock_now = selectors.stock_now(self.per)
        rows = []
        for row in selectors.turnover_rows(start=period.since, end=period.until, group=self.per, now=self._stock_now):
            figures = selectors.turnover_figures(row, days=period.days)
            label = " · ".join(str(row[n]) for n in names if row[n]) or _("(none)")
            rows.append(
                {
                    "key": row[key],
                    "label": label,
                    "cogs": to_cents(row["cogs"]),
                    "sold_units": row["sold_units"],
                    "average_value": figures["average_value"],
                    "closing_value": to_cents(row["closing_value"]),
                    "turnover": figures["turnover"],
                    "days_of_inventory": figures["days_of_inventory"],
                }
            )
        return rows

    def key_figures(self, context) -> list:
        totals = context["table"]["totals"]
        return [
            (_("Cost of goods sold"), totals.get("cogs"), "money"),
            (_("Stock value at cost"), totals.get("closing_value"), "money"),
        ]


class StockValueReport(InventoryReport):
    """On hand × cost per warehouse or category at the period's end, against the end of the comparison period."""

    schedulable = True
    slug = "inventory-stock-value"
    title = gettext_lazy("Stock value")
    description = gettext_lazy("Units on hand at the end of the period, valued at each SKU's cost (no cost: zero).")
    pers = ("warehouse", "category")
    measures = [
        Measure("value", gettext_lazy("Stock value at cost"), compare=True),
        Measure("units", gettext_lazy("Units on hand"), kind="count", compare=True),
    ]

    @property
    def dimension(self):  # type: ignore[override]
        return PER_CHOICES[self.per]

    def rows(self, period):
        key, name = selectors.STOCK_VALUE_GROUPS[self.per]
        if period.end >= timezone.localdate():  # now: the stock levels themselves (one grouped query)
            found = [(r[key], r[name], r["value"], r["units"]) for r in selectors.stock_value(group=self.per)]
        else:  # then: today's levels less the ledger since the end of that day
            rows = selectors.turnover_rows(start=period.until, end=period.until, group=self.per)
            found = [(r[key], r[name], r["closing_value"], r["closing_units"]) for r in rows]
        return [
            {"key": k, "label": label or _("(none)"), "value": to_cents(value), "units": units}
            for k, label, value, units in found
            if units
        ]

    def key_figures(self, context) -> list:
        totals = context["table"]["totals"]
        return [
            (_("Stock value at cost"), totals.get("value"), "money"),
            (_("Units on hand"), totals.get("units"), "count"),
        ]


class _Movers(NoComparison, InventoryReport):
    dimension = gettext_lazy("SKU")
    limit = 500  # rows in the table, highest value first
    measures = [
        Measure("value", gettext_lazy("Stock value at cost")),
        Measure("on_hand", gettext_lazy("Units on hand"), kind="count"),
        Measure("sold", gettext_lazy("Units sold in the window"), kind="count"),
        Measure("days_of_cover", gettext_lazy("Days of cover"), kind="number", summable=False),
    ]

    @property
    def days(self):
        return _days(self.request, "days", 90)

    def moment(self, period):
        return min(period.until, timezone.now())

    def stock_rows(self, period):
        raise NotImplementedError

    def rows(self, period):
        rows = []
        for level in self.stock_rows(period).order_by("-value", "pk")[: self.limit]:
            last = timezone.localtime(level.last_sale).date().isoformat() if level.last_sale else _("never")
            rows.append(
                {
                    "key": level.pk,
                    "label": f"{level.sku.code} · {level.sku.product.name} · {level.warehouse.name} · "
                    + _("last sale %(day)s") % {"day": last},
                    "value": to_cents(level.value),
                    "on_hand": level.on_hand,
                    "sold": level.sold,
                    "days_of_cover": selectors.days_of_cover(level, days=self.days),
                }
            )
        return rows

    def context(self, period, form):
        context = super().context(period, form)
        context["days"] = self.days
        context["query"] = {**context["query"], "days": self.days}
        return context

    def key_figures(self, context) -> list:
        totals = context["table"]["totals"]
        return [
            (_("Stock rows"), len(context["table"]["rows"]), "count"),
            (_("Stock value at cost"), totals.get("value"), "money"),
        ]


class DeadStockReport(_Movers):
    """Stock on hand with no sale in the N days before the period's end."""

    schedulable = True
    slug = "inventory-dead-stock"
    title = gettext_lazy("Dead stock")
    description = gettext_lazy("Stock on hand that has not sold in the window of days before the end of the period.")

    def stock_rows(self, period):
        return selectors.dead_stock(days=self.days, now=self.moment(period), top=self.limit)


class SlowMoversReport(_Movers):
    """Stock that sold in the window, too slowly: what is on hand lasts more than the cover days at that pace."""

    schedulable = True
    slug = "inventory-slow-movers"
    title = gettext_lazy("Slow movers")
    description = gettext_lazy(
        "Stock that sold in the window of days before the end of the period, but so slowly that what is on hand "
        "lasts longer than the days of cover at that pace."
    )

    @property
    def cover_days(self):
        return _days(self.request, "cover", 90)

    def stock_rows(self, period):
        return selectors.slow_movers(days=self.days, cover_days=self.cover_days, now=self.moment(period))

    def context(self, period, form):
        context = super().context(period, form)
        context["cover"] = self.cover_days
        context["query"] = {**context["query"], "cover": self.cover_days}
        return context
