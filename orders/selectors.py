"""Reads shared by the order pages, the API and the jobs.

The order list pages by keyset on (placed_at, id) — or (total, id) when sorted by amount — so page
10,000 costs what page 1 costs, and it never counts the whole table.
"""
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Customer
from orders.models import Carrier, DispatchRule, FreightTemplate, Order, OrderEvent, Shipment
from shop.errors import NotFound

S = Order.Status
PAGE_SIZES = (20, 50, 100, 200)
SORTS = {"-placed_at": ("placed_at", True), "placed_at": ("placed_at", False),
         "-total": ("total", True), "total": ("total", False)}
QUEUES = {
    "allocate": ((S.PAID,), "allocate"),
    "pick": ((S.ALLOCATED,), "pick"),
    "ship": ((S.PICKING,), "ship"),
}


def orders():
    return Order.objects.all()


def order_for_api(number) -> Order:
    order = (Order.objects.filter(number=str(number)[:32])
             .prefetch_related("lines", Prefetch("shipments", Shipment.objects.select_related("carrier"))).first())
    if order is None:
        raise NotFound(_("Order not found."))
    return order


def order_detail(pk):
    return (Order.objects.select_related("customer", "merged_into", "preferred_carrier")
            .prefetch_related("lines", "merged_orders",
                              Prefetch("shipments", Shipment.objects.select_related("carrier")
                                       .prefetch_related("events")),
                              Prefetch("events", OrderEvent.objects.order_by("-created_at", "-id")))
            .filter(pk=pk).first())


def order_search(queryset, q):
    """Order-number prefix (digits), a mobile number, a tracking number, or the recipient's name."""
    q = (q or "").strip()[:40]
    if not q:
        return queryset
    # Ids are looked up first (one small indexed query) so that the database can OR two index scans.
    if q.isdigit() and len(q) == 11 and q.startswith("1"):
        customers = list(Customer.objects.filter(phone=q).values_list("pk", flat=True)[:5])
        return queryset.filter(Q(ship_phone=q) | Q(customer_id__in=customers))
    if q.isdigit():
        # Order numbers are digits of one length, so a prefix is a range on the unique index, whatever
        # the database collation is: "2026112" -> [2026112, 2026113).
        condition = Q(number__gte=q)
        if q.strip("9"):
            condition &= Q(number__lt=str(int(q) + 1).zfill(len(q)))
        return queryset.filter(condition)
    shipped = list(Shipment.objects.filter(tracking_number=q).values_list("order_id", flat=True)[:50])
    return queryset.filter(Q(pk__in=shipped) | Q(ship_name=q))


def _parse_cursor(raw, field):
    try:
        value, pk = str(raw).rsplit("|", 1)
        pk = int(pk)
        if field == "total":
            parsed = Decimal(value)
            if not parsed.is_finite():
                return None
            return parsed, pk
        parsed = datetime.fromisoformat(value)
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed, timezone.get_default_timezone())
        return parsed, pk
    except (ValueError, InvalidOperation, TypeError, OverflowError):
        return None


def _cursor(row, field):
    value = getattr(row, field)
    return f"{value.isoformat() if hasattr(value, 'isoformat') else value}|{row.pk}"


@dataclass
class KeysetPage:
    rows: list
    next_cursor: str | None
    previous_cursor: str | None
    per_page: int
    is_first: bool


def keyset_page(queryset, *, field, descending, per_page, after=None, before=None) -> KeysetPage:
    """One page of `queryset` ordered by (field, id); `after`/`before` are cursors of neighbouring pages."""
    after_key = _parse_cursor(after, field) if after else None
    before_key = _parse_cursor(before, field) if before and not after_key else None
    backwards = before_key is not None
    key = after_key or before_key
    # Walking backwards means reading in the opposite direction, then flipping the rows.
    forward_desc = descending != backwards
    if key is not None:
        value, pk = key
        op = "lt" if forward_desc else "gt"
        # `field <= value` bounds the index scan; the OR only sorts out the rows that tie on `value`.
        queryset = queryset.filter(Q(**{f"{field}__{op}e": value}),
                                   Q(**{f"{field}__{op}": value}) | Q(**{f"pk__{op}": pk}))
    sign = "-" if forward_desc else ""
    rows = list(queryset.order_by(f"{sign}{field}", f"{sign}pk")[: per_page + 1])
    more = len(rows) > per_page
    rows = rows[:per_page]
    if backwards:
        rows.reverse()
        next_cursor = _cursor(rows[-1], field) if rows else None
        previous_cursor = _cursor(rows[0], field) if rows and more else None
    else:
        next_cursor = _cursor(rows[-1], field) if rows and more else None
        previous_cursor = _cursor(rows[0], field) if rows and key is not None else None
    return KeysetPage(rows=rows, next_cursor=next_cursor, previous_cursor=previous_cursor, per_page=per_page,
                      is_first=key is None or (backwards and not more))


def list_rows(queryset):
    """What a list row shows: the order's own columns and its shipments, or for an order merged into another
    the lead's (it ships under the lead's tracking number): at most three extra queries per page."""
    shipments = Shipment.objects.select_related("carrier")
    return queryset.prefetch_related(Prefetch("shipments", shipments), Prefetch("merged_into__shipments", shipments))


def queue(name):
    """Orders waiting at one step of the warehouse flow, earliest priority first (not on hold, not merged)."""
    states, _action = QUEUES[name]
    return Order.objects.filter(status__in=states, is_abnormal=False, merged_into__isnull=True)


def queue_counts() -> dict:
    return {name: queue(name).count() for name in QUEUES}


def priority_explained(order, now=None) -> dict:
    """The work-queue score: hours since payment plus the dispatch rule's boost (1 point = 1 hour)."""
    now = now or timezone.now()
    waited = max(0.0, (now - (order.paid_at or order.placed_at)).total_seconds() / 3600)
    return {"score": round(waited + order.priority_boost, 1), "waited": round(waited, 1),
            "boost": order.priority_boost, "rule": order.dispatch_note}


def abnormal_orders():
    return Order.objects.filter(is_abnormal=True)


def merge_candidates():
    """Groups of paid, unshipped orders by one customer to one address that could ship together."""
    from django.db.models import Count

    keys = ("customer_id", "ship_name", "ship_phone", "ship_province", "ship_city", "ship_district", "ship_detail")
    groups = (Order.objects.filter(status__in=(S.PAID, S.ALLOCATED, S.PICKING), merged_into__isnull=True,
                                   merged_orders__isnull=True)
              .values(*keys).annotate(n=Count("id")).filter(n__gt=1).order_by("-n")[:50])
    result = []
    for group in groups:
        members = list(Order.objects.filter(status__in=(S.PAID, S.ALLOCATED, S.PICKING), merged_into__isnull=True,
                                            **{k: group[k] for k in keys}).order_by("placed_at", "pk")[:20])
        result.append(members)
    return result


def orders_by_ids(ids):
    return (Order.objects.filter(pk__in=ids).select_related("customer", "merged_into")
            .prefetch_related("lines", "merged_orders__lines",
                              Prefetch("shipments", Shipment.objects.select_related("carrier")))
            .order_by("placed_at", "pk"))


def carriers():
    return Carrier.objects.all()


def active_carriers():
    return Carrier.objects.filter(is_active=True)


def freight_templates():
    return FreightTemplate.objects.prefetch_related("regions")


def dispatch_rules():
    return DispatchRule.objects.select_related("carrier")


def dashboard_figures(now=None) -> dict:
    """Today's orders and paid sales, what waits to ship, and what is on hold: four small indexed reads."""
    from django.db.models import Count, Sum

    now = timezone.localtime(now or timezone.now())
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    placed = Order.objects.filter(placed_at__gte=today).aggregate(n=Count("id"))
    paid = Order.objects.filter(paid_at__gte=today).exclude(status__in=[Order.Status.CANCELLED, Order.Status.CLOSED]) \
        .aggregate(total=Sum("total"))
    return {"placed_today": placed["n"], "sales_today": paid["total"] or 0,
            "to_ship": queue("ship").count(), "abnormal": abnormal_orders().count()}
