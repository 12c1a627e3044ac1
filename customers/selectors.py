from datetime import datetime, time, timedelta

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from customers.models import Customer, CustomerAddress, Segment
from shop.china import province_spellings


def customer_list():
    return Customer.objects.prefetch_related("tags")


def customer_addresses(customer):
    return CustomerAddress.objects.filter(customer=customer).order_by("-is_default", "created_at", "id")


def customer_addresses_all():
    return CustomerAddress.objects.select_related("customer")


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
