"""Marketing reads shared by the engine, the pages and other modules; flash-sale sessions with their SKUs' live
counts, group-buy activities with their groups and members."""

from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from marketing.models import (
    Activity,
    Coupon,
    CouponTemplate,
    FlashSaleItem,
    FlashSession,
    GroupBuy,
    GroupBuyGroup,
    GroupBuyMember,
    OrderPromotion,
    TimedDiscount,
)
from shop.errors import RuleRefused
from shop.hooks import hook_answers


def _refuse(message, code):
    raise RuleRefused(message, code=code, fields={"coupon_code": message})


def coupon_for_code(code, *, customer=None, now=None):
    """(template, coupon or None) a cart may use for `code`, or RuleRefused saying why not.

    The code is a coupon's unique code, or a template's public claim code: then the customer's own
    claimed coupon of that template, or none yet (one is claimed when the order is placed).
    """
    now = now or timezone.now()
    code = str(code or "").strip().upper()[:40]
    coupon = Coupon.objects.select_related("template").filter(code=code).first() if code else None
    if coupon is not None:
        template = coupon.template
        if coupon.customer_id and (customer is None or coupon.customer_id != getattr(customer, "pk", None)):
            _refuse(_("Coupon %(c)s belongs to another customer.") % {"c": code}, "coupon_not_yours")
    else:
        template = CouponTemplate.objects.filter(claim_code=code).first() if code else None
        if template is None:
            _refuse(_("Unknown coupon %(c)s.") % {"c": code}, "coupon_invalid")
        if customer is not None and getattr(customer, "pk", None):
            coupon = (
                Coupon.objects.filter(template=template, customer=customer, state=Coupon.State.CLAIMED)
                .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
                .order_by("expires_at", "pk")
                .first()
            )
    _check_template(template, code, now, claimed=bool(coupon and coupon.customer_id))
    if coupon is not None:
        if coupon.state == Coupon.State.USED:
            _refuse(
                _("Coupon %(c)s was already used (order %(o)s).") % {"c": code, "o": coupon.order_number},
                "coupon_used",
            )
        if coupon.state == Coupon.State.EXPIRED or (coupon.expires_at and coupon.expires_at <= now):
            _refuse(_("Coupon %(c)s has expired.") % {"c": code}, "coupon_expired")
    if coupon is None or coupon.customer_id is None:  # it would be claimed at intake: the claim limits
        if template.total_quantity is not None and coupon is None and template.issued >= template.total_quantity:
            _refuse(_("Coupon %(c)s has all been claimed.") % {"c": code}, "coupon_sold_out")
        if customer is not None and getattr(customer, "pk", None):
            held = Coupon.objects.filter(template=template, customer=customer).count()
            if held >= template.per_customer_limit:
                _refuse(
                    _("Coupon %(c)s: at most %(n)s per customer.") % {"c": code, "n": template.per_customer_limit},
                    "coupon_limit",
                )
    return template, coupon


def _check_template(template, code, now, claimed):
    if not template.is_enabled:
        _refuse(_("Coupon %(c)s is not available.") % {"c": code}, "coupon_disabled")
    if now < template.valid_from:
        _refuse(
            _("Coupon %(c)s is valid from %(d)s.")
            % {"c": code, "d": timezone.localtime(template.valid_from).strftime("%Y-%m-%d %H:%M")},
            "coupon_not_started",
        )
    # N days after claim: a claimed coupon runs to its own expiry; the window bounds the claiming.
    if now >= template.valid_until and not (claimed and template.valid_days):
        _refuse(_("Coupon %(c)s has expired.") % {"c": code}, "coupon_expired")


def coupon_templates():
    return CouponTemplate.objects.all()


def coupons():
    return Coupon.objects.select_related("template", "customer")


def customer_coupons(customer):
    """A customer's coupons, newest first: claimed, used (with the order), expired."""
    return coupons().filter(customer=customer).order_by("-created_at", "-pk")


def timed_discounts():
    return TimedDiscount.objects.all()


def activities():
    return Activity.objects.all()


def order_promotions(order_id):
    """The promotions an order got (OrderPromotion rows), in the order the engine applied them."""
    return list(OrderPromotion.objects.filter(order_id=order_id))


def exclusive_overlaps(promotion):
    """Other enabled exclusive timed discounts and activities whose window overlaps this one's."""
    if not (promotion.exclusive and promotion.is_enabled and promotion.starts_at and promotion.ends_at):
        return []
    found = []
    for model in (TimedDiscount, Activity):
        rows = model.objects.filter(
            exclusive=True, is_enabled=True, starts_at__lt=promotion.ends_at, ends_at__gt=promotion.starts_at
        )
        if isinstance(promotion, model):
            rows = rows.exclude(pk=promotion.pk)
        found.extend(rows)
    return found


def flash_sessions():
    return FlashSession.objects.annotate(
        sku_count=Count("items"),
        units=Sum("items__quantity"),
        left=Sum("items__remaining"),
        back=Sum("items__returned"),
        sold=Sum(F("items__quantity") - F("items__remaining") - F("items__returned")),
    )


def flash_items(session):
    """The session's SKUs, with what is left and sold read now (the page polls them)."""
    return FlashSaleItem.objects.filter(session=session).select_related("sku__product").order_by("pk")


def group_buys():
    return GroupBuy.objects.select_related("sku").annotate(
        group_count=Count("groups"),
        filled=Count("groups", filter=Q(groups__status=GroupBuyGroup.Status.SUCCEEDED)),
    )


def groups_of(activity, limit=50):
    """The activity's latest groups, each with its members."""
    groups = list(GroupBuyGroup.objects.filter(activity=activity).order_by("-opened_at", "-pk")[:limit])
    members: dict = {}
    for member in GroupBuyMember.objects.filter(group__in=groups).select_related("customer").order_by("joined_at"):
        members.setdefault(member.group_id, []).append(member)
    for group in groups:
        group.member_rows = members.get(group.pk, [])
    return groups


# -- A/B experiments ---------------------------------------------------------------------------------
def experiments():
    from marketing.models import Experiment

    return Experiment.objects.annotate(variant_count=Count("variants", distinct=True)).select_related("winner")


def _window_purchases(customer_ids, starts_at, ends_at):
    """The purchases the later modules offer (AppConfig.customer_purchases_between; marketing never imports orders)."""
    offered = hook_answers(
        "customer_purchases_between", customer_ids=customer_ids, starts_at=starts_at, ends_at=ends_at
    )
    return [row for rows in offered for row in rows]


SIGNIFICANCE = 0.05


def conversion_test(table):
    """The p-value of the conversion difference in a [[converted, not converted], ...] table (scipy.stats):
    Fisher's exact test for two variants when an expected count is under 5, else the chi-squared test.
    (test name, p-value), or (None, None) when there is nothing to compare."""
    from scipy import stats

    table = [row for row in table if sum(row)]
    if len(table) < 2 or not any(row[0] for row in table) or not any(row[1] for row in table):
        return None, None
    total = sum(sum(row) for row in table)
    converted = sum(row[0] for row in table)
    expected_min = min(min(sum(row) * converted, sum(row) * (total - converted)) / total for row in table)
    if len(table) == 2 and expected_min < 5:
        return "fisher", float(stats.fisher_exact(table).pvalue)
    return "chi2", float(stats.chi2_contingency(table).pvalue)


def experiment_report(experiment):
    """Per variant: customers assigned, converted customers (a purchase in the window), orders, GMV, discount
    cost (the OrderPromotion rows of the variant's coupon on those orders) and conversion rate; with the
    significance test of the conversion difference, its p-value and a verdict."""
    from decimal import Decimal

    from marketing.models import ExperimentAssignment, ExperimentVariant, Kind

    variants = list(ExperimentVariant.objects.filter(experiment=experiment).select_related("template"))
    customer_of = dict(
        ExperimentAssignment.objects.filter(experiment=experiment).values_list("customer_id", "variant_id")
    )
    end = min(experiment.ends_at, experiment.ended_at) if experiment.ended_at else experiment.ends_at
    orders = _window_purchases(list(customer_of), experiment.starts_at, end)
    variant_of_order = {o["id"]: customer_of[o["customer_id"]] for o in orders}
    template_of = {v.pk: v.template_id for v in variants}
    cost: dict = {}
    coupon_rows = OrderPromotion.objects.filter(order_id__in=list(variant_of_order), kind=Kind.COUPON)
    for order_id, promotion_id, amount in coupon_rows.values_list("order_id", "promotion_id", "amount"):
        variant_id = variant_of_order[order_id]
        if promotion_id == template_of[variant_id]:
            cost[variant_id] = cost.get(variant_id, Decimal("0.00")) + amount
    rows = []
    for v in variants:
        assigned = sum(1 for vid in customer_of.values() if vid == v.pk)
        mine = [o for o in orders if variant_of_order[o["id"]] == v.pk]
        converted = len({o["customer_id"] for o in mine})
        rows.append(
            {
                "variant": v,
                "assigned": assigned,
                "converted": converted,
                "orders": len(mine),
                "gmv": sum((o["total"] for o in mine), Decimal("0.00")),
                "cost": cost.get(v.pk, Decimal("0.00")),
                "rate": (Decimal(converted) / assigned * 100).quantize(Decimal("0.01")) if assigned else None,
            }
        )
    test, p_value = conversion_test([[r["converted"], r["assigned"] - r["converted"]] for r in rows])
    best = max((r for r in rows if r["rate"] is not None), key=lambda r: r["rate"], default=None)
    if p_value is None:
        verdict = _("Not enough data yet: no variant can be compared.")
    elif p_value < SIGNIFICANCE:
        verdict = _("The difference is significant (p < 0.05): %(v)s converts best.") % {"v": best["variant"].name}
    else:
        verdict = _(
            "No significant difference yet (p ≥ 0.05): keep the experiment running or treat the variants as equal."
        )
    return {
        "rows": rows,
        "test": test,
        "p_value": p_value,
        "significant": p_value is not None and p_value < SIGNIFICANCE,
        "best": best["variant"] if best and p_value is not None and p_value < SIGNIFICANCE else None,
        "verdict": verdict,
    }
