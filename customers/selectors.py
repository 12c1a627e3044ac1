from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from itertools import islice
from typing import Any

from django.db.models import (
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from catalog.models import Product
from customers import privacy
from customers.models import (
    BestSeller,
    Customer,
    CustomerAddress,
    MemberTier,
    MessageReply,
    PointsEntry,
    ProductPair,
    RfmSegment,
    Segment,
    TierChange,
)
from customers.models.profile import PHONE_TAIL
from shop.china import province_spellings
from shop.hooks import hook_answers
from shop.money import to_cents


def customer_list():
    return Customer.objects.select_related("tier").prefetch_related("tags")


def search(customers, term, *, user):
    """The customers a search finds. Digits (spaces dropped: "186 0000 0123") are a phone number: the whole
    number, a prefix for those who may see full numbers (privacy.phone_search), or the last 4 digits (尾号,
    which the masked number shows everyone); each form has an index (the phone's unique and pattern indexes,
    customers_phone_tail), and names are not searched for digits. Any other term is a part of the name."""
    digits = term.replace(" ", "")
    if not digits:
        return customers
    if not (digits.isascii() and digits.isdigit()):
        return customers.filter(name__icontains=term)
    found = Q(**{privacy.phone_search(user, "phone"): digits})
    if len(digits) == 4:
        found |= Q(phone_tail=digits, erased_at__isnull=True)  # an erased customer's phone is no number
    return customers.alias(phone_tail=PHONE_TAIL).filter(found)


def customer_addresses(customer):
    return CustomerAddress.objects.filter(customer=customer).order_by("-is_default", "created_at", "id")


def customer_addresses_all():
    return CustomerAddress.objects.select_related("customer")


# -- member figures, tiers and RFM -------------------------------------------------------------------------
def order_facts(*, now, customer_ids=None) -> list:
    """The per-customer purchase figures later modules offer (AppConfig.customer_order_facts, DESIGN §1:
    customers never imports orders): values() querysets of ``customer_id, order_count, spend,
    first_order_at, last_order_at, orders_12m, spend_12m``, gathered as shop.related gathers panels."""
    return hook_answers("customer_order_facts", now=now, customer_ids=customer_ids)


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


# -- recommendations (the tables are rebuilt by services.recommendations_recompute) -------------------------
RECOMMENDATIONS = 10  # products on a customer's page
PUSH_PRODUCTS = 5  # products per customer in a push list
HALF_LIFE_DAYS = 90  # a product bought 90 days ago weighs half of one bought today
PUSH_CHUNK = 500  # customers per step of a push list: a handful of queries per step, whatever its length


def purchase_baskets() -> list:
    """The purchases later modules offer, one values queryset per module: rows of (basket_id, customer_id,
    product_id, placed_at) from `AppConfig.purchase_baskets()` (orders; customers never imports it, DESIGN §1)."""
    return hook_answers("purchase_baskets")


def bought_together(product):
    """The published products most often bought with `product`, best first (ProductPair.rank)."""
    return (
        ProductPair.objects.filter(product_id=product.pk, other__status=Product.Status.PUBLISHED)
        .select_related("other")
        .only("product_id", "together", "score", "lift", "rank", "computed_at", *_PRODUCT_FIELDS)
        .order_by("rank")
    )


_PRODUCT_FIELDS = ("other__id", "other__code", "other__name", "other__status", "other__price_min")


@dataclass
class Recommendation:
    product: Any  # catalog.Product (id, code, name, price_min loaded)
    score: float  # sum over the customer's products A of confidence(A -> this) x recency weight of A; 0: fallback
    because: Any = None  # the bought product contributing most, or None for a best seller

    @property
    def is_best_seller(self):
        return self.because is None


def _bought(customer_ids) -> dict:
    """{customer id: {product id: when they last bought it}} from every purchase source."""
    bought: dict = defaultdict(dict)
    for baskets in purchase_baskets():
        rows = (
            baskets.filter(customer_id__in=customer_ids)
            .values("customer_id", "product_id")
            .annotate(last=Max("placed_at"))
            .values_list("customer_id", "product_id", "last")
        )
        for customer_id, product_id, last in rows:
            mine = bought[customer_id]
            if product_id not in mine or last > mine[product_id]:
                mine[product_id] = last
    return bought


def _pairs_of(product_ids) -> dict:
    """{product id: [(other id, score), ...]} for the published others of these products."""
    pairs: dict = defaultdict(list)
    rows = ProductPair.objects.filter(product_id__in=product_ids, other__status=Product.Status.PUBLISHED).values_list(
        "product_id", "other_id", "score"
    )
    for product_id, other_id, score in rows:
        pairs[product_id].append((other_id, score))
    return pairs


def _best_sellers() -> list[int]:
    return list(
        BestSeller.objects.filter(product__status=Product.Status.PUBLISHED)
        .order_by("rank")
        .values_list("product_id", flat=True)
    )


def rank_recommendations(bought: dict, pairs: dict, best_sellers: list, *, now, limit) -> list[tuple]:
    """[(product id, score, because product id or None)] for a customer who bought `bought` ({product: last
    bought}): each product B they have not bought scores the sum, over their products A paired with it, of
    confidence(A -> B) x 0.5 ** (days since they last bought A / HALF_LIFE_DAYS). Highest score first (ties: lower
    product id); `because` is the A adding most. Short of `limit`, the best sellers they have not bought follow in
    best-seller order, with score 0."""
    scores: dict = defaultdict(float)
    because: dict = {}
    strongest: dict = defaultdict(float)
    for product_id, last in bought.items():
        days = max((now - last).total_seconds(), 0) / 86400
        weight = 0.5 ** (days / HALF_LIFE_DAYS)
        for other_id, score in pairs.get(product_id, ()):
            if other_id in bought:
                continue
            part = score * weight
            scores[other_id] += part
            if other_id not in because or (part, -product_id) > (strongest[other_id], -because[other_id]):
                strongest[other_id], because[other_id] = part, product_id
    ranked = sorted(scores, key=lambda p: (-scores[p], p))[:limit]
    picks = [(p, scores[p], because[p]) for p in ranked]
    chosen = set(ranked)
    for product_id in best_sellers:
        if len(picks) >= limit:
            break
        if product_id not in bought and product_id not in chosen:
            picks.append((product_id, 0.0, None))
            chosen.add(product_id)
    return picks


def _products(ids) -> dict:
    return {p.pk: p for p in Product.objects.filter(pk__in=ids).only("id", "code", "name", "status", "price_min")}


def _recommendations(picks, products) -> list[Recommendation]:
    return [
        Recommendation(product=products[p], score=score, because=products.get(because) if because else None)
        for p, score, because in picks
        if p in products
    ]


def customer_recommendations(customer, *, limit=RECOMMENDATIONS, now=None) -> list[Recommendation]:
    """Products to offer this customer, best first (rank_recommendations): four queries, whatever they bought."""
    now = now or timezone.now()
    bought = _bought([customer.pk]).get(customer.pk, {})
    picks = rank_recommendations(bought, _pairs_of(list(bought)), _best_sellers(), now=now, limit=limit)
    return _recommendations(picks, _products({p for pick in picks for p in pick[::2] if p}))


def push_list_rows(customers, *, limit=PUSH_PRODUCTS, now=None, chunk=PUSH_CHUNK):
    """(customer, [Recommendation]) for every customer of the queryset, in its order: read `chunk` customers
    at a time with four queries per chunk (customers, what they bought, the pairs, the products)."""
    now = now or timezone.now()
    best_sellers = _best_sellers()
    rows = customers.select_related(None).prefetch_related(None).only("id", "name", "phone").iterator(chunk_size=chunk)
    while batch := list(islice(rows, chunk)):
        bought = _bought([c.pk for c in batch])
        pairs = _pairs_of({p for products in bought.values() for p in products})
        picks = {
            c.pk: rank_recommendations(bought.get(c.pk, {}), pairs, best_sellers, now=now, limit=limit) for c in batch
        }
        products = _products({p for ranked in picks.values() for pick in ranked for p in pick[::2] if p})
        for customer in batch:
            yield customer, _recommendations(picks[customer.pk], products)


# -- the points ledger --------------------------------------------------------------------------------
def points_entries():
    """Every points ledger row with its customer, newest first (index points_created_keyset)."""
    return PointsEntry.objects.select_related("customer")


def customer_points_entries(customer):
    """One customer's ledger rows, newest first (index points_customer_created)."""
    return PointsEntry.objects.filter(customer=customer).order_by("-created_at", "-id")


def points_ledger_mismatches():
    """Customers whose points balance is not the sum of their ledger, or not the sum of their open lots
    (the invariant; empty when all is well), each annotated with `ledger_sum` and `lots_sum`."""

    def total(field, **where):
        rows = (
            PointsEntry.objects.filter(customer=OuterRef("pk"), **where)
            .order_by()
            .values("customer")
            .annotate(s=Sum(field))
            .values("s")
        )
        return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))

    return (
        Customer.objects.annotate(ledger_sum=total("points"), lots_sum=total("remaining", remaining__gt=0))
        .filter(~Q(points_balance=F("ledger_sum")) | ~Q(points_balance=F("lots_sum")))
        .order_by("pk")
    )


# -- CRM: the inbox and the customer's timeline -------------------------------------------------------
def messages():
    """The inbox rows: each message with its customer and assignee."""
    from customers.models import CustomerMessage

    return CustomerMessage.objects.select_related("customer", "assignee")


WAITING_STATUSES = ("new", "open")  # CustomerMessage.Status.NEW, OPEN: the shop owes the customer an answer


def messages_waiting():
    """Messages the shop still owes an answer to (new or open): the inbox's `waiting` filter and the dashboard."""
    from customers.models import CustomerMessage

    return CustomerMessage.objects.filter(status__in=WAITING_STATUSES)


def message_thread(message):
    """The staff replies of a message, oldest first, with how each was sent."""
    from customers.models import MessageReply

    return (
        MessageReply.objects.filter(message=message).select_related("author", "outbound").order_by("created_at", "id")
    )


def notes():
    from customers.models import InteractionNote

    return InteractionNote.objects.select_related("customer")


TIMELINE_KINDS = ("note", "message", "reply", "text", "tier")


def _timeline_sources(customer):
    """(kind, queryset of this customer's rows) for each source of the timeline, in a fixed rank order."""
    from customers.models import CustomerMessage, InteractionNote, MessageReply, OutboundMessage, TierChange

    return [
        ("note", InteractionNote.objects.filter(customer=customer).select_related("author", "assignee")),
        ("message", CustomerMessage.objects.filter(customer=customer).select_related("assignee")),
        (
            "reply",
            MessageReply.objects.filter(message__customer=customer).select_related("message", "author", "outbound"),
        ),
        # texts that carried a reply are shown with their reply
        ("text", OutboundMessage.objects.filter(customer=customer, reply__isnull=True)),
        ("tier", TierChange.objects.filter(customer=customer).select_related("from_tier", "to_tier")),
    ]


def timeline_cursor(entry) -> str:
    kind, row = entry
    return f"{row.created_at.isoformat()}|{TIMELINE_KINDS.index(kind)}|{row.pk}"


def _parse_cursor(raw):
    from django.utils.dateparse import parse_datetime

    try:
        when, rank, pk = str(raw or "").split("|")
        moment = parse_datetime(when)
        rank, pk = int(rank), int(pk)
    except (ValueError, TypeError):
        return None
    if moment is None or not 0 <= rank < len(TIMELINE_KINDS) or not 0 < pk < 2**63:
        return None
    return moment, rank, pk


def customer_timeline(customer, *, limit=20, before="", kinds=()):
    """(entries, more): the customer's newest `limit` timeline entries [(kind, row)] older than the cursor
    `before`, across notes, messages, replies, texts and tier changes. One query per source, each reading
    at most limit + 1 rows; entries are ordered by (time, source rank, id), newest first."""
    from django.db.models import Q

    cursor = _parse_cursor(before) if before else None
    entries = []
    for rank, (kind, queryset) in enumerate(_timeline_sources(customer)):
        if kinds and kind not in kinds:
            continue
        if cursor is not None:
            moment, cursor_rank, cursor_pk = cursor
            if rank < cursor_rank:
                older = Q(created_at__lte=moment)
            elif rank == cursor_rank:
                older = Q(created_at__lt=moment) | Q(created_at=moment, pk__lt=cursor_pk)
            else:
                older = Q(created_at__lt=moment)
            queryset = queryset.filter(older)
        # (time, rank, id) descending: a row of a lower rank at the cursor's time comes after it
        entries += [(kind, row) for row in queryset.order_by("-created_at", "-pk")[: limit + 1]]
    entries.sort(key=lambda e: (e[1].created_at, TIMELINE_KINDS.index(e[0]), e[1].pk), reverse=True)
    return entries[:limit], len(entries) > limit


def customer_timeline_total(customer) -> int:
    return sum(queryset.order_by().count() for _kind, queryset in _timeline_sources(customer))


# -- segments (客户分群) ------------------------------------------------------------------------------
def _day_start(day):
    return timezone.make_aware(datetime.combine(datetime.fromisoformat(day).date(), time.min))


def _range_q(field, bounds) -> Q:
    q = Q()
    if "min" in bounds:
        q &= Q(**{f"{field}__gte": bounds["min"]})
    if "max" in bounds:
        q &= Q(**{f"{field}__lte": bounds["max"]})
    return q


def segment_q(rules) -> Q:
    """The condition on Customer that canonical segment rules (customers.services.clean_rules) stand for.

    The one place the rules are interpreted: every rule narrows (AND), a list's values are alternatives (OR),
    tags with "all" need every tag. Relative rules ("within 30 days") are evaluated now.
    """
    q = Q()
    if "spend_12m" in rules:
        q &= _range_q("spend_12m", rules["spend_12m"])
    if "lifetime_spend" in rules:
        q &= _range_q("lifetime_spend", rules["lifetime_spend"])
    if "order_count" in rules:
        q &= _range_q("order_count", rules["order_count"])
    last = rules.get("last_order")
    if last:
        if last["mode"] == "within":
            q &= Q(last_order_at__gte=timezone.now() - timedelta(days=last["days"]))
        elif last["mode"] == "before":
            q &= Q(last_order_at__lt=_day_start(last["date"]))
        else:
            start, end = _day_start(last["from"]), _day_start(last["to"]) + timedelta(days=1)
            q &= Q(last_order_at__gte=start, last_order_at__lt=end)
    if "tiers" in rules:
        q &= Q(tier_id__in=rules["tiers"])
    if "tags" in rules:
        through = Customer.tags.through.objects.filter(customer_id=OuterRef("pk"))
        ids = rules["tags"]["ids"]
        if rules["tags"]["match"] == "all":
            for tag_id in ids:
                q &= Q(Exists(through.filter(customertag_id=tag_id)))
        else:
            q &= Q(Exists(through.filter(customertag_id__in=ids)))
    if "provinces" in rules:
        addresses = CustomerAddress.objects.filter(
            customer_id=OuterRef("pk"), is_default=True, province__in=province_spellings(rules["provinces"])
        )
        q &= Q(Exists(addresses))
    if "rfm_segments" in rules:
        q &= Q(rfm_segment__in=rules["rfm_segments"])
    if "birthday_months" in rules:
        q &= Q(birthday__month__in=rules["birthday_months"])
    if "genders" in rules:
        q &= Q(gender__in=rules["genders"])
    if "sources" in rules:
        q &= Q(source__in=rules["sources"])
    return q


def segment_customers(segment_or_rules, queryset=None):
    """The customers in a saved segment, or matching rules (a dict, validated here: DomainError if bad).

    Marketing (coupons to a segment) and the message tools call this; it is the one interpreter of the rules.
    `queryset` narrows a given customer queryset (the customer list's) instead of all customers.
    """
    if isinstance(segment_or_rules, Segment):
        rules = segment_or_rules.rules
    else:
        from customers.services.segments import clean_rules

        rules = clean_rules(segment_or_rules)
    base = Customer.objects.all() if queryset is None else queryset
    return base.filter(segment_q(rules))


def segment_members(segment, queryset=None):
    """The customers in the segment when it was last counted (`segment.counted_at`), the fast way: an indexed join
    to its SegmentMember rows, so the customer list and the member list stay keyset-fast for narrow and broad
    segments alike. For the live set (what the rules select now) use `segment_customers`."""
    base = Customer.objects.all() if queryset is None else queryset
    return base.filter(segment_memberships__segment_id=segment.pk)


def segment_list():
    return Segment.objects.select_related("created_by")


def staff_reply_figures(*, start, end) -> dict:
    """{user_id: {"messages": messages they replied to, "replies": their replies, "first_response": average time
    from a message's arrival to its first reply, over the messages whose first reply was theirs}} for the replies
    written in [start, end) (the customers_reply_created index)."""
    first = Q(created_at=F("message__first_reply_at"))
    waited = ExpressionWrapper(F("created_at") - F("message__created_at"), output_field=DurationField())
    rows = (
        MessageReply.objects.filter(created_at__gte=start, created_at__lt=end, author__isnull=False)
        .order_by()
        .values("author_id")
        .annotate(
            messages=Count("message_id", distinct=True),
            replies=Count("id"),
            first_replies=Count("id", filter=first),
            first_response=Avg(waited, filter=first),
        )
    )
    return {
        row["author_id"]: {
            "messages": row["messages"],
            "replies": row["replies"],
            "first_replies": row["first_replies"],
            "first_response": row["first_response"],
        }
        for row in rows
    }
