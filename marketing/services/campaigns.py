"""Campaigns: coupons issued to a customer segment (or to one customer by phone) with a text to each, the
campaign report per promotion (orders, GMV, discount cost, new customers, ROI, per day) and the month calendar.

Issuing walks the segment's live members (customers.selectors.segment_customers) in keyset chunks of
`ISSUE_CHUNK` customer ids, one transaction per chunk with the template row locked, so memory stays bounded and
a concurrent claim cannot push the template over its total quantity. A coupon issued to a segment carries the
batch ``SEG<segment id>``: a rerun skips every customer who already got one from that segment (idempotent per
customer), and customers at the template's per-customer limit are skipped too. The texts go out after each
chunk commits (a failed text never undoes a coupon).

Report figures come from OrderPromotion rows (what each order got from the promotion) and the order facts the
orders app offers through ``OrdersConfig.promotion_order_facts`` (marketing never imports orders, DESIGN §1).
Only purchases count: paid orders not cancelled or closed.

- orders: purchases that got the promotion;
- GMV: the sum of those orders' totals (what the customers paid, after every discount);
- discount cost: the sum of the promotion's amounts on those orders;
- new customers: customers for whom that order was their first paid order;
- ROI = (GMV - discount cost) / discount cost, rounded to 2 places; none when the cost is zero.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Customer
from customers.selectors import segment_customers
from customers.services import customer_text_send
from marketing.models import Activity, Coupon, CouponTemplate, FlashSession, Kind, OrderPromotion, TimedDiscount
from marketing.services.coupons import _claim, _expiry
from shop.audit import record
from shop.china import mobile_digits, phone_clean
from shop.errors import DomainError
from shop.hooks import hook_answers

ISSUE_CHUNK = 500
ZERO = Decimal("0.00")


def _issue_text(template, coupon):
    text = _("You have received a coupon: %(name)s (%(value)s).") % {
        "name": template.name,
        "value": template.value_display(),
    }
    if coupon.expires_at:
        text += " " + _("Valid until %(d)s.") % {"d": timezone.localtime(coupon.expires_at).strftime("%Y-%m-%d")}
    return text


def _notify(template, coupons) -> int:
    sent = 0
    for coupon in coupons:
        try:
            outbound = customer_text_send(
                customer=coupon.customer, text=_issue_text(template, coupon), purpose="coupon_issue"
            )
        except DomainError:  # no channel to reach them: the coupon stands
            continue
        sent += outbound.status != "failed"
    return sent


def _check_issuable(template, now):
    if not template.is_enabled or now < template.valid_from or now >= template.valid_until:
        message = _("Coupon %(c)s cannot be issued now: it is disabled or outside its validity window.") % {
            "c": template.name
        }
        raise DomainError(message, code="coupon_not_claimable", fields={"segment": message})


def _issue_chunk(template, customer_ids, batch, now):
    """Issue one coupon to each of `customer_ids` who may still get one; returns (coupons, skipped, sold_out)."""
    with transaction.atomic():
        template = CouponTemplate.objects.select_for_update().get(pk=template.pk)
        held = dict(
            Coupon.objects.filter(template=template, customer_id__in=customer_ids)
            .values("customer_id")
            .annotate(n=Count("id"))
            .values_list("customer_id", "n")
        )
        already = set(
            Coupon.objects.filter(template=template, batch=batch, customer_id__in=customer_ids).values_list(
                "customer_id", flat=True
            )
        )
        eligible = [c for c in customer_ids if c not in already and held.get(c, 0) < template.per_customer_limit]
        skipped = len(customer_ids) - len(eligible)
        room = None if template.total_quantity is None else max(template.total_quantity - template.issued, 0)
        sold_out = 0
        if room is not None and len(eligible) > room:
            sold_out = len(eligible) - room
            eligible = eligible[:room]
        expires = _expiry(template, now)
        coupons = Coupon.objects.bulk_create(
            [
                Coupon(
                    template=template,
                    customer_id=cid,
                    batch=batch,
                    state=Coupon.State.CLAIMED,
                    claimed_at=now,
                    expires_at=expires,
                )
                for cid in eligible
            ]
        )
        if coupons:
            CouponTemplate.objects.filter(pk=template.pk).update(issued=F("issued") + len(coupons))
    return coupons, skipped, sold_out


def coupons_issue_to_segment(*, template, segment, actor, notify=True, now=None, chunk=ISSUE_CHUNK) -> dict:
    """Give one coupon of `template` to every member of `segment` within its total quantity and per-customer
    limit, and text each new holder. Returns {"members", "issued", "skipped", "sold_out", "texted"}.
    Runs one transaction per chunk (not durable as a whole: a crash midway leaves the chunks done, and a
    rerun completes the rest)."""
    now = now or timezone.now()
    _check_issuable(template, now)
    batch = f"SEG{segment.pk}"
    totals = {"members": 0, "issued": 0, "skipped": 0, "sold_out": 0, "texted": 0}
    members = segment_customers(segment).order_by("pk")
    last = 0
    while True:
        ids = list(members.filter(pk__gt=last).values_list("pk", flat=True)[:chunk])
        if not ids:
            break
        last = ids[-1]
        coupons, skipped, sold_out = _issue_chunk(template, ids, batch, now)
        totals["members"] += len(ids)
        totals["issued"] += len(coupons)
        totals["skipped"] += skipped
        totals["sold_out"] += sold_out
        if notify and coupons:
            holders = Customer.objects.in_bulk([c.customer_id for c in coupons])
            for coupon in coupons:
                coupon.customer = holders[coupon.customer_id]
            totals["texted"] += _notify(template, coupons)
    record(actor, "marketing.coupon_segment_issue", template, after={"segment": segment.name, **totals})
    return totals


def coupon_issue_to_phone(*, template, phone, actor, notify=True, now=None) -> Coupon:
    """Staff give one coupon of `template` to the customer with this phone (within the limits) and text them."""
    now = now or timezone.now()
    digits = mobile_digits(phone) or phone_clean(phone)
    customer = Customer.objects.filter(phone=digits).first() if digits else None
    if customer is None:
        message = _("No customer has this phone number.")
        raise DomainError(message, code="customer_not_found", fields={"phone": message})
    with transaction.atomic(durable=True):
        coupon = _claim(template, customer, now)
        record(actor, "marketing.coupon_issue", coupon, after={"customer": str(customer), "template": template.name})
    if notify:
        _notify(template, [coupon])
    return coupon


# -- the campaign report ---------------------------------------------------------------------------------
REPORT_KINDS = {"coupon": (CouponTemplate, Kind.COUPON), "activity": (Activity, Kind.THRESHOLD)}
REPORT_KINDS["timed"] = (TimedDiscount, Kind.TIMED_DISCOUNT)


def order_facts(order_ids) -> dict:
    """{order_id: {"total", "placed_at", "customer_id", "first_paid"}} for the purchases among `order_ids`,
    gathered from every app offering ``promotion_order_facts`` (the orders app)."""
    facts: dict = {}
    for offered in hook_answers("promotion_order_facts", order_ids):
        facts.update(offered)
    return facts


@dataclass
class Figures:
    day: date | None = None
    orders: int = 0
    gmv: Decimal = ZERO
    cost: Decimal = ZERO
    new_customers: int = 0
    customers: set = field(default_factory=set)

    @property
    def roi(self) -> Decimal | None:
        if not self.cost:
            return None
        return ((self.gmv - self.cost) / self.cost).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    def add(self, total, cost, customer_id, first):
        self.orders += 1
        self.gmv += total
        self.cost += cost
        self.new_customers += bool(first)
        if customer_id:
            self.customers.add(customer_id)


def campaign_report(kind, promotion) -> dict:
    """The promotion's figures in total and per day (the order's local placing date), days ascending."""
    _model, promotion_kind = REPORT_KINDS[kind]
    cost_by_order: dict = defaultdict(lambda: ZERO)
    for order_id, amount in OrderPromotion.objects.filter(kind=promotion_kind, promotion_id=promotion.pk).values_list(
        "order_id", "amount"
    ):
        cost_by_order[order_id] += amount
    facts = order_facts(list(cost_by_order))
    total = Figures()
    days: dict = {}
    for order_id, fact in facts.items():
        day = timezone.localtime(fact["placed_at"]).date()
        row = days.setdefault(day, Figures(day=day))
        for figures in (total, row):
            figures.add(fact["total"], cost_by_order[order_id], fact["customer_id"], fact["first_paid"])
    return {"total": total, "days": [days[d] for d in sorted(days)]}


# -- the calendar ------------------------------------------------------------------------------------------
@dataclass
class Bar:
    kind: str
    obj: object
    name: str
    starts_at: datetime
    ends_at: datetime
    first_day: int = 1
    last_day: int = 1
    exclusive: bool = False
    conflict: bool = False
    url_name: str = ""
    kind_label: str = ""
    offset: int = 0
    span: int = 1
    rest: int = 0


def month_bounds(year, month):
    """The month's start and the next month's start in the store's time zone."""
    zone = timezone.get_current_timezone()
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return datetime(year, month, 1, tzinfo=zone), datetime(nxt.year, nxt.month, 1, tzinfo=zone)


def calendar_month(year, month) -> dict:
    """What runs in the month: activities, timed discounts, coupon validity and flash sessions, as bars clipped
    to the month's days; an exclusive activity or timed discount overlapping another exclusive one is a conflict."""
    start, end = month_bounds(year, month)
    bars: list[Bar] = []
    sources: list[tuple[str, Any, str, str]] = [
        ("activity", Activity.objects.filter(starts_at__lt=end, ends_at__gt=start), "starts_at", "ends_at"),
        ("timed", TimedDiscount.objects.filter(starts_at__lt=end, ends_at__gt=start), "starts_at", "ends_at"),
        (
            "coupon",
            CouponTemplate.objects.filter(valid_from__lt=end, valid_until__gt=start),
            "valid_from",
            "valid_until",
        ),
        ("flash", FlashSession.objects.filter(starts_at__lt=end, ends_at__gt=start), "starts_at", "ends_at"),
    ]
    last_day = (end - timedelta(days=1)).day
    for kind, queryset, begin, finish in sources:
        for obj in queryset.order_by(begin, "pk")[:200]:
            s, e = getattr(obj, begin), getattr(obj, finish)
            first = 1 if s < start else timezone.localtime(s).day
            last = last_day if e >= end else timezone.localtime(e - timedelta(microseconds=1)).day
            bars.append(
                Bar(kind, obj, obj.name, s, e, first, last, bool(getattr(obj, "exclusive", False)) and kind != "flash")
            )
    exclusive = [b for b in bars if b.exclusive and b.kind in ("activity", "timed")]
    for a in exclusive:
        a.conflict = any(b is not a and a.starts_at < b.ends_at and b.starts_at < a.ends_at for b in exclusive)
    return {"start": start, "end": end, "days": list(range(1, last_day + 1)), "bars": bars}
