from decimal import Decimal

from django.apps import apps
from django.db.models import Count, Sum
from django.utils import timezone

from customers.models import Customer, CustomerAddress, MemberTier, RfmSegment, TierChange
from shop.money import to_cents


def customer_list():
    return Customer.objects.select_related("tier").prefetch_related("tags")


def customer_addresses(customer):
    return CustomerAddress.objects.filter(customer=customer).order_by("-is_default", "created_at", "id")


def customer_addresses_all():
    return CustomerAddress.objects.select_related("customer")


# -- member figures, tiers and RFM -------------------------------------------------------------------------
def order_facts(*, now, customer_ids=None) -> list:
    """The per-customer purchase figures later modules offer (AppConfig.customer_order_facts, DESIGN §1:
    customers never imports orders): values() querysets of ``customer_id, order_count, spend,
    first_order_at, last_order_at, orders_12m, spend_12m``, gathered as shop.related gathers panels."""
    return [
        config.customer_order_facts(now=now, customer_ids=customer_ids)
        for config in apps.get_app_configs()
        if hasattr(config, "customer_order_facts")
    ]


FIGURE_KEYS = ("order_count", "spend", "first_order_at", "last_order_at", "orders_12m", "spend_12m")


def customer_figures(customer, *, now=None) -> dict:
    """The customer's purchase figures read live: one aggregate query per offering module (one: orders),
    bounded by the customer's own orders. Adds ``average_order`` (lifetime spend / orders)."""
    now = now or timezone.now()
    figures: dict = {
        "order_count": 0,
        "spend": Decimal("0.00"),
        "first_order_at": None,
        "last_order_at": None,
        "orders_12m": 0,
        "spend_12m": Decimal("0.00"),
    }
    for facts in order_facts(now=now, customer_ids=[customer.pk]):
        for row in facts:
            figures["order_count"] += row["order_count"]
            figures["orders_12m"] += row["orders_12m"]
            figures["spend"] += row["spend"] or 0
            figures["spend_12m"] += row["spend_12m"] or 0
            for key, pick in (("first_order_at", min), ("last_order_at", max)):
                if row[key] is not None:
                    figures[key] = row[key] if figures[key] is None else pick(figures[key], row[key])
    count = figures["order_count"]
    figures["average_order"] = to_cents(figures["spend"] / count) if count else None
    return figures


def member_tiers() -> list:
    """Every tier, best first, with the number of customers holding it (`customer_count`): one grouped count
    that the customers_tier_keyset index answers, not a join of every customer."""
    counts = dict(
        Customer.objects.filter(tier__isnull=False)
        .order_by()
        .values_list("tier")
        .annotate(n=Count("id"))
        .values_list("tier", "n")
    )
    tiers = list(MemberTier.objects.order_by("-rank"))
    for tier in tiers:
        tier.customer_count = counts.get(tier.pk, 0)  # type: ignore[attr-defined]
    return tiers


def best_tier(*, spend_12m, orders_12m, tiers=None):
    """The highest-ranked tier whose threshold these 12-month figures reach (None: none reached)."""
    for tier in tiers if tiers is not None else MemberTier.objects.order_by("-rank"):
        reached = spend_12m if tier.threshold_kind == MemberTier.ThresholdKind.SPEND else orders_12m
        if reached >= tier.threshold:
            return tier
    return None


def tier_history(customer):
    """The customer's tier changes, latest first (index on customer, -created_at)."""
    return TierChange.objects.filter(customer=customer).select_related("from_tier", "to_tier")


def rfm_segments() -> list[dict]:
    """Each RFM segment, in the classic order, with its customers' count, total and average lifetime spend."""
    totals: dict[str, dict] = {
        row["rfm_segment"]: dict(row)
        for row in Customer.objects.exclude(rfm_segment="")
        .order_by()
        .values("rfm_segment")
        .annotate(customers=Count("id"), total=Sum("lifetime_spend"))
    }
    segments = []
    for code, label in RfmSegment.choices:
        row = totals.get(code, {})
        n, total = row.get("customers", 0), row.get("total") or Decimal("0.00")
        average = to_cents(Decimal(total) / n) if n else None
        segments.append({"code": code, "label": label, "customers": n, "total": total, "average": average})
    return segments
