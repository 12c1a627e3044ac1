"""Sales reports, every one from the rollups (reports.selectors), none scanning the orders table.

Sales land on the local day of payment, refunds on the day of the refund (reports/models/rollups.py).
Net sales = gross - discounts - refunds.
"""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from catalog.models import Category
from orders.models import Order
from reports import selectors
from reports.framework import Measure, Report
from shop.china import province_key

PERMISSION = "reports.view_sales_reports"
NET = Measure("net", _("Net sales"), compare=True)
MONEY_MEASURES = [
    NET,
    Measure("gross", _("Gross sales")),
    Measure("discounts", _("Discounts")),
    Measure("refunds", _("Refunds")),
]


class SalesReport(Report):
    """A sales report: the trend is net sales per day (order-level rollup)."""

    permission = PERMISSION
    description = _("Sales by the day of payment, refunds by the day of the refund. Net = gross − discounts − refunds.")

    def trend(self, period):
        return selectors.sales_per_day(period)


class OrderSalesReport(SalesReport):
    """Order-level rollup grouped by one field of the order."""

    field = ""
    measures = [
        *MONEY_MEASURES,
        Measure("shipping", _("Shipping")),
        Measure("orders_paid", _("Orders paid"), kind="count", compare=True),
        Measure("units", _("Units"), kind="count"),
        Measure("cancellations", _("Cancellations"), kind="count"),
    ]

    def label(self, value):
        return value

    def rows(self, period):
        rows = selectors.sales_by(period, self.field)
        return [{"key": r[self.field], "label": self.label(r[self.field]), **r} for r in rows]


class SalesByChannel(OrderSalesReport):
    slug = "sales-channel"
    schedulable = True  # the daily sales email (reports.schedules, analytics)
    title = _("Sales by channel")
    dimension = _("Channel")
    field = "channel"

    def label(self, value):
        return dict(Order.Channel.choices).get(value, value)


class SalesByProvince(OrderSalesReport):
    slug = "sales-province"
    title = _("Sales by province")
    dimension = _("Province")
    field = "province"
    rank_limit = 34

    def rows(self, period):
        """Provinces as the address gave them (上海 / 上海市) are one row."""
        merged: dict = {}
        for row in super().rows(period):
            key = province_key(row["key"]) or row["key"]
            if key in merged:
                for m in self.measures:
                    merged[key][m.key] += row[m.key]
            else:
                merged[key] = {**row, "key": key, "label": key}
        return list(merged.values())


class SalesByPaymentMethod(OrderSalesReport):
    slug = "sales-payment-method"
    title = _("Sales by payment method")
    dimension = _("Payment method")
    field = "payment_method"

    def label(self, value):
        return dict(Order.PaymentMethod.choices).get(value, value)


class SkuSalesReport(SalesReport):
    """Line-level rollup (per SKU) grouped by a catalogue field; refunds allocated to the lines."""

    field = ""
    measures = [
        *MONEY_MEASURES,
        Measure("units", _("Units"), kind="count", compare=True),
        Measure("refund_units", _("Units refunded"), kind="count"),
        Measure("orders_paid", _("Orders"), kind="count"),
    ]

    def names(self, ids) -> dict:
        return {}

    def rows(self, period):
        """Labelled in label_rows, for the rows shown (ties in the ranking keep the order of the keys)."""
        return [
            {**r, "label": None if r["key"] is not None else _("None")}
            for r in selectors.sku_sales_by(period, self.field)
        ]

    def label_rows(self, rows):
        unnamed = [r for r in rows if r["label"] is None]
        names = self.names([r["key"] for r in unnamed])
        for r in unnamed:
            r["label"] = names.get(r["key"], r["key"])


class SalesByProduct(SkuSalesReport):
    slug = "sales-product"
    title = _("Sales by product")
    dimension = _("Product")
    field = "sku__product_id"

    def names(self, ids):
        return selectors.product_names(ids)


class SalesByBrand(SkuSalesReport):
    slug = "sales-brand"
    title = _("Sales by brand")
    dimension = _("Brand")
    field = "sku__product__brand_id"

    def names(self, ids):
        return selectors.brand_names(ids)


class SalesByCategory(SkuSalesReport):
    """Each category with everything below it; `?category=<id>` opens its children."""

    slug = "sales-category"
    title = _("Sales by category")
    dimension = _("Category")

    def parent(self):
        raw = (self.request.GET.get("category") or "") if self.request else ""
        return get_object_or_404(Category, pk=raw) if raw.isdigit() else None

    def rows(self, period):
        parent = self.parent()
        rows = selectors.category_rollup(period, parent)
        base = reverse(f"reports:{self.slug}")
        for row in rows:
            if row["key"] == "self":
                row["label"] = _("%(name)s (directly)") % {"name": row["label"]}
            elif row["key"] == "none":
                row["label"] = _("No category")
            else:
                row["url"] = f"{base}?category={row['key']}"
        return rows

    def context(self, period, form):
        context = super().context(period, form)
        parent = self.parent()
        context["query"] = {**context["query"], **({"category": parent.pk} if parent else {})}
        context["breadcrumbs"] = [(reverse(f"reports:{self.slug}"), _("All categories"))] + (
            [
                (f"{reverse(f'reports:{self.slug}')}?category={a.pk}", a.name)
                for a in Category.objects.get_ancestors(parent)
            ]
            + [(None, parent.name)]
            if parent
            else []
        )
        return context


class SalesByHour(SalesReport):
    """Hour of day (local), summed over the period: when the store sells."""

    slug = "sales-hour"
    title = _("Sales by hour of day")
    dimension = _("Hour")
    rank_limit = 24
    measures = [
        Measure("paid", _("GMV paid"), compare=True),
        Measure("orders_paid", _("Orders paid"), kind="count", compare=True),
        Measure("orders_placed", _("Orders placed"), kind="count"),
        Measure("refunds", _("Refunds")),
        Measure("payment_failures", _("Payment failures"), kind="count"),
    ]
    trend_measure = "paid"

    def rows(self, period):
        found = {r["hour"]: r for r in selectors.hours_of_day(period)}
        return [
            {
                "key": hour,
                "label": f"{hour:02d}:00",
                **{m.key: (found.get(hour) or {}).get(m.key) or m.zero() for m in self.measures},
            }
            for hour in range(24)
            if hour in found
        ]

    def table(self, period):
        table = super().table(period)
        table["rows"].sort(key=lambda r: r["key"])  # a day's shape reads in hour order, not ranked
        return table


REPORTS = [
    SalesByChannel,
    SalesByCategory,
    SalesByProduct,
    SalesByBrand,
    SalesByProvince,
    SalesByPaymentMethod,
    SalesByHour,
]
