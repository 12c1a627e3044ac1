"""Reads shared by the order pages, the API and the jobs (the list pages are declared in orders/lists.py)."""

import calendar
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Avg,
    Count,
    DecimalField,
    DurationField,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Customer
from orders import signals
from orders.models import Carrier, DispatchRule, FreightTemplate, Order, OrderEvent, Shipment
from shop.errors import NotFound
from shop.money import allocate

S = Order.Status
QUEUES = {
    "allocate": ((S.PAID,), "allocate"),
    "pick": ((S.ALLOCATED,), "pick"),
    "ship": ((S.PICKING,), "ship"),
}


def orders():
    return Order.objects.all()


def order_for_api(number) -> Order:
    order = (
        Order.objects.filter(number=str(number)[:32])
        .prefetch_related("lines", Prefetch("shipments", Shipment.objects.select_related("carrier")))
        .first()
    )
    if order is None:
        raise NotFound(_("Order not found."))
    return order


def order_payments(order) -> dict:
    """What was paid and refunded on this order and its payments, as the payments module answers
    (`order_payments_requested`; orders never imports payments). Nothing answering: nothing paid."""
    summary: dict[str, Any] = {"paid_amount": Decimal("0.00"), "refunded_amount": Decimal("0.00"), "payments": []}
    answer: Any  # each receiver's reply: a dict, or None when it has nothing to say
    for _receiver, answer in signals.order_payments_requested.send(sender=Order, order=order):
        if answer:
            summary["paid_amount"] += answer.get("paid_amount", 0)
            summary["refunded_amount"] += answer.get("refunded_amount", 0)
            summary["payments"] += answer.get("payments", [])
    return summary


def order_detail(pk):
    return (
        Order.objects.select_related("customer", "merged_into", "preferred_carrier")
        .prefetch_related(
            "lines",
            "merged_orders",
            Prefetch("shipments", Shipment.objects.select_related("carrier").prefetch_related("events")),
        )
        .filter(pk=pk)
        .first()
    )


def customer_orders(customer):
    """One customer's orders, newest first (index orders_customer_placed)."""
    return Order.objects.filter(customer=customer).order_by("-placed_at", "-id")


def purchases():
    """Orders that count as purchases: paid (``paid_at`` set) and not cancelled or closed. A cancelled paid order
    was refunded in full; partial refunds of after-sales live in payments and aftersales, which orders does not
    read, so a purchase counts at its order total."""
    return Order.objects.filter(paid_at__isnull=False).exclude(status__in=(S.CANCELLED, S.CLOSED))


def customer_purchase_facts(*, now, customer_ids=None):
    """Per customer with at least one purchase: ``customer_id, order_count, spend, first_order_at,
    last_order_at, orders_12m, spend_12m`` (times are ``placed_at``; 12 months = the 365 days before `now`).

    One aggregate over the purchases (a full scan for everyone; the orders_customer_placed index for a few
    `customer_ids`). It is a values() queryset, so the customers module can read it or embed its SQL.
    """
    rows = purchases()
    if customer_ids is not None:
        rows = rows.filter(customer_id__in=list(customer_ids))
    recent = Q(placed_at__gte=now - timedelta(days=365))
    zero = Value(Decimal("0.00"), output_field=DecimalField(max_digits=14, decimal_places=2))
    return (
        rows.order_by()
        .values("customer_id")
        .annotate(
            order_count=Count("id"),
            spend=Coalesce(Sum("total"), zero),
            first_order_at=Min("placed_at"),
            last_order_at=Max("placed_at"),
            orders_12m=Count("id", filter=recent),
            spend_12m=Coalesce(Sum("total", filter=recent), zero),
        )
    )


def promotion_order_facts(order_ids) -> dict:
    """{order_id: {"total", "placed_at", "customer_id", "first_paid"}} for the purchases among `order_ids`;
    ``first_paid``: no earlier purchase of the same customer (by placed_at). Chunked by 1,000 ids."""
    ids = sorted(set(order_ids))
    facts: dict = {}
    for i in range(0, len(ids), 1000):
        rows = list(purchases().filter(pk__in=ids[i : i + 1000]).values("id", "total", "placed_at", "customer_id"))
        customers = {r["customer_id"] for r in rows if r["customer_id"]}
        first = dict(
            purchases()
            .filter(customer_id__in=customers)
            .order_by()
            .values("customer_id")
            .annotate(first_at=Min("placed_at"))
            .values_list("customer_id", "first_at")
        )
        for r in rows:
            facts[r["id"]] = {
                "total": r["total"],
                "placed_at": r["placed_at"],
                "customer_id": r["customer_id"],
                "first_paid": bool(r["customer_id"]) and first.get(r["customer_id"]) == r["placed_at"],
            }
    return facts


ORDER_DATA_FIELDS = (
    "number",
    "status",
    "channel",
    "placed_at",
    "paid_at",
    "shipped_at",
    "delivered_at",
    "completed_at",
    "cancelled_at",
    "payment_method",
    "subtotal",
    "discount",
    "shipping_fee",
    "adjustment",
    "total",
    "coupon_code",
    "points_used",
    "note",
    "ship_name",
    "ship_phone",
    "ship_province",
    "ship_city",
    "ship_district",
    "ship_detail",
    "ship_postcode",
)
LINE_DATA_FIELDS = ("sku_code", "name", "options", "quantity", "unit_price", "discount", "line_total")


def customer_data_orders(customer) -> list[dict]:
    """The customer's orders with their lines and shipping addresses, for their data file (JSON-safe values)."""
    from shop.audit import snapshot

    rows = customer_orders(customer).prefetch_related("lines")
    return [
        {
            **snapshot(order, fields=ORDER_DATA_FIELDS),
            "lines": [snapshot(line, fields=LINE_DATA_FIELDS) for line in order.lines.all()],
        }
        for order in rows.iterator(chunk_size=500)
    ]


def order_events(order):
    """The order's timeline, latest first (the order page shows the first rows: shop.related)."""
    return OrderEvent.objects.filter(order=order).order_by("-created_at", "-id")


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
        return queryset.filter(condition & _placed_near(q))
    shipped = list(Shipment.objects.filter(tracking_number=q).values_list("order_id", flat=True)[:50])
    return queryset.filter(Q(pk__in=shipped) | Q(ship_name=q))


NUMBER_DAY_MARGIN = timedelta(days=2)  # wider than any time zone's offset from UTC


def _number_day(digits: str) -> date | None:
    """The first day whose YYYYMMDD is at or after these 8 digits (None: past year 9999)."""
    year, month, day = int(digits[:4]), int(digits[4:6]), int(digits[6:8])
    if month > 12:
        year, month, day = year + 1, 1, 1
    if year > 9999 or year < 1:
        return None if year > 9999 else date.min
    month = max(month, 1)
    if day > calendar.monthrange(year, month)[1]:
        return _number_day(f"{year:04d}{month + 1:02d}01")
    return date(year, month, max(day, 1))


def _placed_near(prefix: str) -> Q:
    """The placement times an order-number prefix allows. A number starts with the day its order was placed
    (intake's `_new_number(now)` beside `placed_at=now`, in the store's zone), so "20260" can only be an
    order placed in January–September 2026, give or take the zone: the list's (placed_at, id) index then
    starts at that period instead of walking every newer order past the filter (EXPLAIN: 18 ms -> 0.3 ms for
    a 5-digit prefix over 50k orders; the walk grows with the table, BENCHMARKS.md)."""
    head = prefix[:8]
    low = _number_day(head.ljust(8, "0"))
    high = _number_day(str(int(head) + 1).zfill(len(head)).ljust(8, "0")) if head.strip("9") else None
    condition = Q()
    if low is not None and low > date.min + NUMBER_DAY_MARGIN:
        condition &= Q(placed_at__gte=datetime.combine(low - NUMBER_DAY_MARGIN, time.min, tzinfo=UTC))
    if high is not None and high < date.max - NUMBER_DAY_MARGIN:
        condition &= Q(placed_at__lt=datetime.combine(high + NUMBER_DAY_MARGIN, time.min, tzinfo=UTC))
    return condition


def list_rows(queryset):
    """What a list row shows: the order's own columns and its shipments, or for an order merged into another
    the lead's (it ships under the lead's tracking number): at most three extra queries per page."""
    shipments = Shipment.objects.select_related("carrier")
    return queryset.prefetch_related(Prefetch("shipments", shipments), Prefetch("merged_into__shipments", shipments))


def _waiting(name) -> Q:
    states, _action = QUEUES[name]
    waiting = Q(status__in=states)
    if name == "allocate":  # cash on delivery ships before it is paid
        waiting |= Q(status=S.PENDING_PAYMENT, payment_method=Order.PaymentMethod.COD, paid_at__isnull=True)
    return waiting & Q(is_abnormal=False, merged_into__isnull=True)


def queue(name):
    """Orders waiting at one step of the warehouse flow, earliest priority first (not on hold, not merged)."""
    return Order.objects.filter(_waiting(name))


def work_counts() -> dict:
    """{queue name: orders waiting in it, "abnormal": orders on hold} in one read: the status indexes and the
    partial index of abnormal orders serve it (the waiting orders are a sliver of the table)."""
    waiting = {name: _waiting(name) for name in QUEUES}
    where = Q(is_abnormal=True)
    for q in waiting.values():
        where |= q
    counts = Order.objects.filter(where).aggregate(
        abnormal=Count("id", filter=Q(is_abnormal=True)), **{name: Count("id", filter=q) for name, q in waiting.items()}
    )
    return {key: n or 0 for key, n in counts.items()}


def queue_counts() -> dict:
    return {name: queue(name).count() for name in QUEUES}


def priority_explained(order, now=None) -> dict:
    """The work-queue score: hours since payment plus the dispatch rule's boost (1 point = 1 hour)."""
    now = now or timezone.now()
    waited = max(0.0, (now - (order.paid_at or order.placed_at)).total_seconds() / 3600)
    return {
        "score": round(waited + order.priority_boost, 1),
        "waited": round(waited, 1),
        "boost": order.priority_boost,
        "rule": order.dispatch_note,
    }


def abnormal_orders():
    return Order.objects.filter(is_abnormal=True)


def merge_candidates():
    """Groups of paid, unshipped orders by one customer to one address that could ship together."""
    from django.db.models import Count

    keys = ("customer_id", "ship_name", "ship_phone", "ship_province", "ship_city", "ship_district", "ship_detail")
    groups = (
        Order.objects.filter(
            status__in=(S.PAID, S.ALLOCATED, S.PICKING), merged_into__isnull=True, merged_orders__isnull=True
        )
        .values(*keys)
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .order_by("-n")[:50]
    )
    result = []
    for group in groups:
        members = list(
            Order.objects.filter(
                status__in=(S.PAID, S.ALLOCATED, S.PICKING), merged_into__isnull=True, **{k: group[k] for k in keys}
            ).order_by("placed_at", "pk")[:20]
        )
        result.append(members)
    return result


def orders_by_ids(ids):
    return (
        Order.objects.filter(pk__in=ids)
        .select_related("customer", "merged_into")
        .prefetch_related(
            "lines", "merged_orders__lines", Prefetch("shipments", Shipment.objects.select_related("carrier"))
        )
        .order_by("placed_at", "pk")
    )


def pick_list_rows(orders) -> list[dict]:
    """What to take off the shelves for these orders (from `orders_by_ids`): one row per SKU with the quantity
    summed over the orders and the orders merged into them, and the order numbers it goes to, by SKU code."""
    totals: dict[str, dict] = {}
    for order in orders:
        for line in [*order.lines.all(), *(ln for m in order.merged_orders.all() for ln in m.lines.all())]:
            row = totals.setdefault(
                line.sku_code,
                {"sku_code": line.sku_code, "name": line.name, "options": line.options, "quantity": 0, "orders": []},
            )
            row["quantity"] += line.quantity
            row["orders"].append(order.number)
    return sorted(totals.values(), key=lambda r: r["sku_code"])


def order_shipments(order):
    """The shipments the order left in: a merged order ships under its lead's shipment."""
    return order.merged_into.shipments.all() if order.merged_into_id else order.shipments.all()


def carriers():
    return Carrier.objects.all()


def active_carriers():
    return Carrier.objects.filter(is_active=True)


def freight_templates():
    return FreightTemplate.objects.prefetch_related("regions")


def dispatch_rules():
    return DispatchRule.objects.select_related("carrier")


def line_charges(order, lines=None) -> dict:
    """{line id: what the customer was charged for that line}, summing exactly to the order's goods amount.

    The goods amount is the total less shipping (never below zero; a reduction larger than the goods
    comes off the shipping). Order-level changes — the price adjustment and any discount beyond the
    lines' own discounts — are shared by the lines in proportion to their line totals: each line gets
    goods × line total / sum of line totals, rounded half-up to the cent, and the largest line (the
    first of equals) takes the remainder, so the lines add up to the goods amount to the cent
    (shop.money.allocate).
    Refunds per line are computed from these amounts.
    """
    lines = list(order.lines.all() if lines is None else lines)
    if not lines:
        return {}
    goods = min(max(order.total - order.shipping_fee, Decimal("0")), order.total)
    shares = allocate(goods, [line.line_total for line in lines])
    return {line.pk: share for line, share in zip(lines, shares, strict=True)}


def purchase_baskets():
    """Every line of every order that counts as a purchase, as (basket_id, customer_id, product_id, placed_at):
    the order went past awaiting payment (paid, or a cash-on-delivery order sent to the warehouse) and was
    not cancelled or closed. customers reads it through `OrdersConfig.purchase_baskets` (recommendations)."""
    from django.db.models import F

    from orders.models import OrderLine

    return (
        OrderLine.objects.exclude(order__status__in=[S.PENDING_PAYMENT, S.CANCELLED, S.CLOSED])
        .order_by()
        .values(
            basket_id=F("order_id"),
            customer_id=F("order__customer_id"),
            product_id=F("sku__product_id"),
            placed_at=F("order__placed_at"),
        )
    )


def staff_shipping_figures(*, start, end) -> dict:
    """{user_id: {"shipped": orders shipped, "time_to_ship": average time from payment (placing, for cash on
    delivery) to shipping}} for the staff who shipped orders in [start, end): the orders' "ship" timeline
    entries, read through the orders_event_kind_created index."""
    waited = ExpressionWrapper(
        F("created_at") - Coalesce(F("order__paid_at"), F("order__placed_at")), output_field=DurationField()
    )
    rows = (
        OrderEvent.objects.filter(kind="ship", created_at__gte=start, created_at__lt=end, actor__isnull=False)
        .order_by()
        .values("actor_id")
        .annotate(shipped=Count("order_id", distinct=True), time_to_ship=Avg(waited))
    )
    return {row["actor_id"]: {"shipped": row["shipped"], "time_to_ship": row["time_to_ship"]} for row in rows}


# -- invariants (DESIGN §3; shop.invariants) -----------------------------------------------------------------
def timeline_mismatches():
    """Orders whose status is not where their timeline's last status change left them: always empty unless
    something bypassed the state machine."""
    last = OrderEvent.objects.filter(order=OuterRef("pk")).exclude(to_status="").order_by("-created_at", "-id")
    return (
        Order.objects.annotate(timeline_status=Subquery(last.values("to_status")[:1]))
        .exclude(status=Coalesce("timeline_status", Value("")))
        .order_by("pk")
    )
