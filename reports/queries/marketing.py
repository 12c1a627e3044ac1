"""The marketing report: every promotion's figures over a period, ranked by ROI, from marketing's own campaign
report (marketing.services.campaigns.campaign_report, per promotion and per day): the days inside the period are
summed into marketing's `Figures`, so orders, GMV, discount cost, new customers and ROI mean exactly what the
campaign page says.

The promotions read are those whose window (an activity's or timed discount's run, a coupon template's validity
plus its coupons' days after claim) overlaps the period; each one's campaign report is one read of its order
promotions.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from marketing.models import Activity, CouponTemplate, TimedDiscount
from marketing.services.campaigns import REPORT_KINDS, Figures, campaign_report

WINDOWS: dict[str, tuple[Any, str, str]] = {
    "coupon": (CouponTemplate, "valid_from", "valid_until"),
    "activity": (Activity, "starts_at", "ends_at"),
    "timed": (TimedDiscount, "starts_at", "ends_at"),
}


@dataclass
class PromotionRow:
    kind: str
    promotion: Any
    figures: Figures

    @property
    def name(self):
        return self.promotion.name


def _overlapping(kind, start, end) -> list:
    """The promotions of `kind` whose window overlaps [start, end); a coupon stays usable `valid_days` after its
    template's window closes."""
    model, begin, finish = WINDOWS[kind]
    found = model.objects.filter(**{f"{begin}__lt": end}).order_by("pk")
    if kind != "coupon":
        return list(found.filter(**{f"{finish}__gt": start}))
    return [t for t in found if t.valid_until + timedelta(days=t.valid_days or 0) > start]


def promotion_figures(*, start, end) -> list[PromotionRow]:
    """Each promotion with at least one purchase placed in [start, end) (local days), best ROI first (promotions
    without a discount cost last), then by GMV."""
    first, last = timezone.localtime(start).date(), timezone.localtime(end).date()
    rows = []
    for kind in REPORT_KINDS:
        for promotion in _overlapping(kind, start, end):
            total = Figures()
            for day in campaign_report(kind, promotion)["days"]:
                if first <= day.day < last:
                    total.orders += day.orders
                    total.gmv += day.gmv
                    total.cost += day.cost
                    total.new_customers += day.new_customers
            if total.orders:
                rows.append(PromotionRow(kind, promotion, total))
    rows.sort(key=lambda r: (r.figures.roi is None, -(r.figures.roi or 0), -r.figures.gmv, r.kind, r.promotion.pk))
    return rows


def promotion_totals(rows) -> Figures:
    """The period's figures over every promotion (an order with two promotions counts in both)."""
    total = Figures()
    for row in rows:
        total.orders += row.figures.orders
        total.gmv += row.figures.gmv
        total.cost += row.figures.cost
        total.new_customers += row.figures.new_customers
    return total
