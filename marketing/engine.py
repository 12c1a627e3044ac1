"""The promotion engine behind `marketing.pricing.price_cart`.

Steps, in this order, each on what the line costs after the steps before it:

    list price -> bundle -> member price -> timed discount -> 满减 / 满件折 -> coupon -> (points) -> (freight, orders)

- bundle (套餐): as many whole bundles as the cart's units fit, at list price; discount = those units' list
  total - bundle price × bundles, split over the bundle's lines with `allocate`. Several bundles take
  units in order of priority (then the older first); a unit belongs to one bundle.

- member price: the customer's tier's fixed price for the SKU (MemberPrice) or else the tier's
  discount rate; per line, discount = list total - member total.
- timed discount (限时折扣): per line, the best running discount covering the line's product.
- threshold activity (满减 / 满件折): the covered lines' amount (or pieces) reach a tier; one activity.
- coupon: the coupon of the code given, on its covered lines, after its minimum spend.

Stacking: a combination is a set of kinds (plus, alone, each exclusive promotion). A pair of kinds
combines unless a StackingRule of either leaves the other out. Every allowed combination is priced
(sharing the common steps) and the one that saves the customer most wins; ties go to free shipping,
then the higher priority (the kinds' rule priorities plus the promotions' own), then fewer promotions.
Each promotion that did not apply is listed with the reason.

Rounding (DESIGN §3): every amount is half-up to the cent at line level. A line-level discount is
rounded on its line. An order-level discount (满减 / 满件折 / coupon) is split over the lines it covers
in proportion to what they cost at that step with `shop.money.allocate`: each share half-up, the cents
left over on the largest line (the first of equals), so the shares add up to the discount exactly and
every line's stored discount is what a refund of that line gives back.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from marketing.models import Activity, Bundle, CouponTemplate, Kind, MemberPrice, StackingRule, TimedDiscount
from marketing.models.promotions import KIND_ORDER, Scope
from shop.money import ZERO, allocate, to_cents

HUNDRED = Decimal(100)


@dataclass
class Application:
    """One promotion and what became of it: applied (with the amount) or refused (with the reason)."""

    kind: str
    name: str
    applied: bool
    reason: str = ""
    amount: Decimal = ZERO
    promotion_id: int | None = None
    lines: dict = field(default_factory=dict)  # sku code -> amount, for applied order-level ones

    @property
    def kind_label(self):
        return Kind(self.kind).label


@dataclass
class Candidate:
    kind: str
    obj: object
    name: str
    exclusive: bool
    priority: int
    promotion_id: int | None
    key: tuple = ()

    def __post_init__(self):
        self.key = (self.kind, self.promotion_id)


class _Scope:
    """Which cart lines a Scoped promotion covers, computed once per promotion and cart."""

    def __init__(self, promo, lines, category_paths):
        excluded = set(_ids(promo, "excluded_products"))
        if promo.scope == Scope.PRODUCTS:
            products = set(_ids(promo, "products"))
            covered = [ln.product_id in products for ln in lines]
        elif promo.scope == Scope.CATEGORIES:
            paths = getattr(promo, "scope_paths", None)
            if paths is None:
                paths = {category_paths.get(c) for c in _ids(promo, "categories")} - {None}
            covered = [not ln.ancestors.isdisjoint(paths) for ln in lines]
        else:
            covered = [True] * len(lines)
        self.covered = [c and ln.product_id not in excluded for c, ln in zip(covered, lines, strict=True)]


def _ids(promo, name):
    if hasattr(promo, "scope_ids"):
        return promo.scope_ids[name]
    cache = getattr(promo, "_prefetched_objects_cache", {})
    if name in cache:
        return [o.pk for o in cache[name]]
    return list(getattr(promo, name).values_list("pk", flat=True))


@dataclass
class _Line:
    sku: object
    quantity: int
    base: Decimal
    product_id: int | None
    category_path: str
    ancestors: set = field(default_factory=set)


@dataclass
class _State:
    amounts: list
    applied: list  # [(Candidate, amount, {line index: share})]
    refusals: dict  # candidate key -> reason, from the steps of this run
    free_shipping: bool = False

    def child(self):
        return _State(list(self.amounts), list(self.applied), dict(self.refusals), self.free_shipping)

    @property
    def discount(self):
        return sum((a for _c, a, _s in self.applied), ZERO)


class Context:
    """Everything one pricing needs, loaded once: the lines, the customer's tier, running promotions."""

    def __init__(self, lines, customer, coupon, now=None, *, promotions=None):
        self.now = now or timezone.now()
        self.lines = [
            _Line(
                sku=sku,
                quantity=quantity,
                base=to_cents(to_cents(sku.price) * quantity),
                product_id=getattr(sku, "product_id", None),
                category_path="",
            )
            for sku, quantity in lines
        ]
        self.coupon = coupon  # (template, Coupon or None) or None
        loaded = promotions if promotions is not None else load_promotions(self.now)
        self.rules = loaded["rules"]
        self.timed = loaded["timed"]
        self.activities = loaded["activities"]
        self.bundles = loaded.get("bundles", [])
        self.tier = getattr(customer, "tier", None) if customer is not None else None
        self.member_prices = {}
        skus = [ln.sku.pk for ln in self.lines if getattr(ln.sku, "pk", None)]
        if self.tier is not None and skus:
            self.member_prices = dict(
                MemberPrice.objects.filter(tier=self.tier, sku_id__in=skus).values_list("sku_id", "price")
            )
        scoped = [*self.timed, *self.activities, *([coupon[0]] if coupon else [])]
        self.category_paths = _category_paths(self.lines, scoped)
        self.scopes = {id(p): _Scope(p, self.lines, self.category_paths).covered for p in scoped}
        self.cache: dict = {}  # per-pricing memo of the steps' fixed parts (best timed discount, tiers)

    def covered(self, promo):
        return self.scopes[id(promo)]


CACHE = {"data": None, "loaded_at": None}


def load_promotions(now):
    """The promotions running at `now` and the stacking rules.

    Kept per process for `PRICING_CACHE_SECONDS` (default 5; the test settings use 0): the rows whose
    window overlaps the next seconds are loaded once and filtered by the time of each pricing. Any save or
    delete of a promotion or rule drops them (marketing.apps): in this process at once, and in every other
    process and host through a version in the shared cache (Redis, REDIS_URL) that the copy must match, at
    the commit too. Without a shared cache (or with Redis down) another process sees the edit within those
    seconds.
    """
    from django.conf import settings

    seconds = getattr(settings, "PRICING_CACHE_SECONDS", 5)
    loaded_at = CACHE["loaded_at"]
    version = _promotions_version() if seconds else None
    if (
        not seconds
        or loaded_at is None
        or not loaded_at <= now < loaded_at + timedelta(seconds=seconds)
        or CACHE.get("version") != version
    ):
        data = _load(now, now + timedelta(seconds=seconds))
        if not seconds:
            return data
        CACHE.update(data=data, loaded_at=now, version=version)
    data = CACHE["data"]
    return {
        "rules": data["rules"],
        "timed": [t for t in data["timed"] if t.starts_at <= now < t.ends_at],
        "activities": [a for a in data["activities"] if a.starts_at <= now < a.ends_at],
        "bundles": [b for b in data["bundles"] if b.starts_at <= now < b.ends_at],
    }


VERSION_KEY = "pricing:promotions"


def _promotions_version():
    from django.core.cache import cache

    try:
        return cache.get(VERSION_KEY)
    except Exception:  # Redis down: the copy's age alone
        return None


def _promotions_bump():
    from django.core.cache import cache

    CACHE.update(data=None, loaded_at=None)
    try:
        cache.set(VERSION_KEY, uuid.uuid4().hex, 7 * 24 * 3600)
    except Exception:
        pass


def promotions_changed(**_kwargs):
    from django.db import transaction

    _promotions_bump()
    transaction.on_commit(_promotions_bump)


def _load(now, until):
    prefetch = ("categories", "products", "excluded_products")
    window = {"is_enabled": True, "starts_at__lte": until, "ends_at__gt": now}
    timed = list(TimedDiscount.objects.filter(**window).prefetch_related(*prefetch))
    activities = list(Activity.objects.filter(**window).prefetch_related(*prefetch))
    for promo in (*timed, *activities):
        promo.scope_ids = {name: [o.pk for o in getattr(promo, name).all()] for name in prefetch}
        promo.scope_paths = {c.path for c in promo.categories.all()}
    bundles = list(Bundle.objects.filter(**window).prefetch_related("items__sku"))
    for bundle in bundles:
        bundle.item_rows = [(i.sku_id, i.sku.code, i.quantity) for i in bundle.items.all()]
    return {
        "rules": {r.kind: r for r in StackingRule.objects.all()},
        "timed": timed,
        "activities": activities,
        "bundles": bundles,
    }


def _category_paths(lines, scoped):
    """Fill each line's category path and its ancestors' paths (treebeard's materialised path: every
    prefix of whole steps); {category id: path} for the categories promotions without cached paths name."""
    from catalog.models import Category, Product

    if not any(p.scope == Scope.CATEGORIES for p in scoped):
        return {}
    products = {ln.product_id for ln in lines if ln.product_id}
    by_product = dict(Product.objects.filter(pk__in=products).values_list("pk", "category__path"))
    step = Category.steplen
    for ln in lines:
        ln.category_path = by_product.get(ln.product_id) or ""
        ln.ancestors = {ln.category_path[:n] for n in range(step, len(ln.category_path) + 1, step)}
    wanted = {
        c
        for p in scoped
        if p.scope == Scope.CATEGORIES and not hasattr(p, "scope_paths")
        for c in _ids(p, "categories")
    }
    return dict(Category.objects.filter(pk__in=wanted).values_list("pk", "path")) if wanted else {}


# -- the steps -------------------------------------------------------------------------------------
class Reason:
    """A refusal reason, translated only when shown (the engine makes many it never shows)."""

    __slots__ = ("message", "params")

    def __init__(self, message, **params):
        self.message, self.params = message, params

    def __str__(self):
        return _(self.message) % self.params if self.params else _(self.message)


NOT_COVERED = Reason(gettext_noop("No product in the cart is covered."))


ANOTHER_BUNDLE = Reason(gettext_noop("Another bundle takes these units."))


def _bundle_shares(ctx, state, bundle, taken):
    """({line index: share}, units per line, refusal reason) of one bundle on the units not yet taken."""
    free: dict = {}  # sku id -> [(line index, units not in another bundle)]
    in_cart: dict = {}
    for i, ln in enumerate(ctx.lines):
        pk = getattr(ln.sku, "pk", None)
        in_cart[pk] = in_cart.get(pk, 0) + ln.quantity
        if ln.quantity - taken.get(i, 0) > 0:
            free.setdefault(pk, []).append((i, ln.quantity - taken.get(i, 0)))
    rows = getattr(bundle, "item_rows", None)
    if rows is None:
        rows = [(i.sku_id, i.sku.code, i.quantity) for i in bundle.items.all()]
    count = None
    for sku_id, code, quantity in rows:
        have = sum(u for _i, u in free.get(sku_id, []))
        if have < quantity:
            if not in_cart.get(sku_id):
                return {}, {}, Reason(gettext_noop("The cart lacks SKU %(sku)s."), sku=code)
            if in_cart[sku_id] >= quantity:
                return {}, {}, ANOTHER_BUNDLE
            return (
                {},
                {},
                Reason(
                    gettext_noop("The bundle needs %(need)s of SKU %(sku)s; the cart has %(have)s."),
                    need=quantity,
                    sku=code,
                    have=in_cart[sku_id],
                ),
            )
        count = have // quantity if count is None else min(count, have // quantity)
    if not count:
        return {}, {}, Reason(gettext_noop("The bundle has no SKUs."))
    units: dict = {}
    for sku_id, _code, quantity in rows:
        wanted = quantity * count
        for i, left in free[sku_id]:
            use = min(left, wanted)
            if use:
                units[i] = units.get(i, 0) + use
                wanted -= use
    indexes = sorted(units)
    weights = [to_cents(to_cents(ctx.lines[i].sku.price) * units[i]) for i in indexes]
    discount = sum(weights, ZERO) - to_cents(bundle.price * count)
    if discount <= 0:
        return {}, {}, Reason(gettext_noop("The bundle price is not below its items' list price."))
    shares = allocate(discount, weights)
    return {i: min(s, state.amounts[i]) for i, s in zip(indexes, shares, strict=True) if s}, units, ""


def _bundle_step(ctx, state, cands):
    """Each bundle, by priority (then the older first), takes as many whole bundles as the free units fit."""
    taken: dict = {}  # line index -> units already in a bundle
    for cand in sorted(cands, key=lambda c: (-c.priority, c.promotion_id or 0)):
        shares, units, reason = _bundle_shares(ctx, state, cand.obj, taken)
        if shares:
            for i, n in units.items():
                taken[i] = taken.get(i, 0) + n
        _apply(state, cand, shares, reason)


def _member_step(ctx, state, cand):
    shares = {}
    rate = Decimal(ctx.tier.discount_percent or 0)
    for i, ln in enumerate(ctx.lines):
        fixed = ctx.member_prices.get(getattr(ln.sku, "pk", None))
        if fixed is not None:
            share = max(ln.base - to_cents(fixed * ln.quantity), ZERO)
        else:
            share = to_cents(state.amounts[i] * rate / HUNDRED)
        share = min(share, state.amounts[i])
        if share > 0:
            shares[i] = share
    _apply(state, cand, shares, Reason(gettext_noop("No member price for these products.")))


def _best_timed(ctx, cands):
    """For each line the covering timed discount with the highest rate (ties: priority), computed once:
    a higher rate takes more off whatever the line costs at this step."""
    key = tuple(id(c) for c in cands)
    if key not in ctx.cache:
        best = [None] * len(ctx.lines)
        for cand in cands:
            for i, covered in enumerate(ctx.covered(cand.obj)):
                if covered and (
                    best[i] is None
                    or (cand.obj.percent_off, cand.priority) > (best[i].obj.percent_off, best[i].priority)
                ):
                    best[i] = cand
        ctx.cache[key] = best
    return ctx.cache[key]


def _timed_step(ctx, state, cands):
    """Each line takes its best covering timed discount."""
    per_cand: dict[int, dict] = {id(c): {} for c in cands}
    for i, cand in enumerate(_best_timed(ctx, cands)):
        if cand is not None:
            share = min(to_cents(state.amounts[i] * cand.obj.percent_off / HUNDRED), state.amounts[i])
            if share > 0:
                per_cand[id(cand)][i] = share
    for cand in cands:
        if any(ctx.covered(cand.obj)):
            reason = Reason(gettext_noop("Another timed discount takes more off these products."))
        else:
            reason = NOT_COVERED
        _apply(state, cand, per_cand[id(cand)], reason)


def _tiers(ctx, activity):
    key = ("tiers", id(activity))
    if key not in ctx.cache:
        ctx.cache[key] = (activity.tier_list(), [i for i, c in enumerate(ctx.covered(activity)) if c])
    return ctx.cache[key]


def _threshold_discount(ctx, state, activity):
    """(discount, covered line indexes, refusal reason) of one 满减 / 满件折 activity."""
    tiers, covered = _tiers(ctx, activity)
    if not covered:
        return ZERO, covered, NOT_COVERED
    amount = sum((state.amounts[i] for i in covered), ZERO)
    if activity.mode == Activity.Mode.AMOUNT:
        reached = [(t, v) for t, v in tiers if amount >= t]
        if not reached:
            return (
                ZERO,
                covered,
                Reason(
                    gettext_noop("Spend %(x)s more on covered products to reach %(t)s."),
                    x=to_cents(tiers[0][0] - amount),
                    t=to_cents(tiers[0][0]),
                ),
            )
        return min(to_cents(reached[-1][1]), amount), covered, ""
    pieces = sum(ctx.lines[i].quantity for i in covered)
    reached = [(t, v) for t, v in tiers if pieces >= t]
    if not reached:
        return (
            ZERO,
            covered,
            Reason(
                gettext_noop("Add %(n)s more covered pieces to reach %(t)s."),
                n=int(tiers[0][0]) - pieces,
                t=int(tiers[0][0]),
            ),
        )
    return min(to_cents(amount * reached[-1][1] / HUNDRED), amount), covered, ""


def _order_level(state, cand, discount, covered, reason):
    if discount <= 0:
        state.refusals[cand.key] = reason
        return
    shares = allocate(discount, [state.amounts[i] for i in covered])
    _apply(state, cand, {i: s for i, s in zip(covered, shares, strict=True) if s}, reason)


LOST_THRESHOLD = Reason(gettext_noop("Another spend or quantity discount takes more off."))


def _threshold_step(ctx, state, cands):
    """The one activity that takes most off (ties: higher priority); the others say why not."""
    results = [(cand, *_threshold_discount(ctx, state, cand.obj)) for cand in cands]
    best = max(
        (r for r in results if r[1] > 0), key=lambda r: (r[1], r[0].priority, -(r[0].promotion_id or 0)), default=None
    )
    for cand, _discount, _covered, reason in results:
        if best is None or cand is not best[0]:
            state.refusals[cand.key] = reason or LOST_THRESHOLD
    if best is not None:
        _order_level(state, best[0], best[1], best[2], "")


def coupon_discount(ctx, state, template):
    """(discount, covered line indexes, refusal reason, free shipping) of a coupon on the state."""
    covered = [i for i, c in enumerate(ctx.covered(template)) if c]
    if not covered:
        return ZERO, covered, Reason(gettext_noop("No product in the cart is covered by this coupon.")), False
    amount = sum((state.amounts[i] for i in covered), ZERO)
    if amount < template.min_spend:
        return (
            ZERO,
            covered,
            Reason(
                gettext_noop("Spend %(x)s more on covered products to use this coupon (minimum %(m)s)."),
                x=to_cents(template.min_spend - amount),
                m=template.min_spend,
            ),
            False,
        )
    if template.type == CouponTemplate.Type.FREE_SHIPPING:
        return ZERO, covered, "", True
    if template.type == CouponTemplate.Type.PERCENT:
        discount = to_cents(amount * template.percent_off / HUNDRED)
        if template.cap:
            discount = min(discount, template.cap)
    else:
        discount = template.amount or ZERO
    return min(discount, amount), covered, "", False


def _coupon_step(ctx, state, cand):
    discount, covered, reason, free = coupon_discount(ctx, state, cand.obj)
    if free:
        state.free_shipping = True
        state.applied.append((cand, ZERO, {}))
        return
    _order_level(state, cand, discount, covered, reason)


def _apply(state, cand, shares, reason):
    if not shares:
        state.refusals[cand.key] = reason
        return
    for i, share in shares.items():
        state.amounts[i] -= share
    state.applied.append((cand, sum(shares.values(), ZERO), shares))


# -- the combinations -----------------------------------------------------------------------------
def candidates(ctx) -> dict:
    """{kind: [Candidate]} of everything that could apply to this cart."""
    found: dict[str, list] = {k: [] for k in KIND_ORDER}
    tier = ctx.tier
    if tier is not None and (tier.discount_percent or ctx.member_prices):
        found[Kind.MEMBER_PRICE].append(
            Candidate(Kind.MEMBER_PRICE, tier, _("Member price: %(tier)s") % {"tier": tier.name}, False, 0, tier.pk)
        )
    for b in ctx.bundles:
        found[Kind.BUNDLE].append(Candidate(Kind.BUNDLE, b, b.name, b.exclusive, b.priority, b.pk))
    for t in ctx.timed:
        found[Kind.TIMED_DISCOUNT].append(Candidate(Kind.TIMED_DISCOUNT, t, t.name, t.exclusive, t.priority, t.pk))
    for a in ctx.activities:
        found[Kind.THRESHOLD].append(Candidate(Kind.THRESHOLD, a, a.name, a.exclusive, a.priority, a.pk))
    if ctx.coupon:
        template = ctx.coupon[0]
        found[Kind.COUPON].append(
            Candidate(Kind.COUPON, template, template.name, template.exclusive, template.priority, template.pk)
        )
    return found


def combines(rules, a, b) -> bool:
    """Whether kinds a and b may apply together (neither's rule leaves the other out)."""
    for x, y in ((a, b), (b, a)):
        rule = rules.get(x)
        if rule is not None and y not in rule.combines_with:
            return False
    return True


def _step(ctx, state, kind, cands):
    if kind == Kind.BUNDLE:
        _bundle_step(ctx, state, cands)
    elif kind == Kind.MEMBER_PRICE:
        _member_step(ctx, state, cands[0])
    elif kind == Kind.TIMED_DISCOUNT:
        _timed_step(ctx, state, cands)
    elif kind == Kind.THRESHOLD:
        _threshold_step(ctx, state, cands)
    else:
        _coupon_step(ctx, state, cands[0])


def _runs(ctx, found):
    """Every allowed combination of kinds, priced step by step; combinations sharing their first
    steps share those steps' work (a walk over include / leave out, in the engine's order)."""
    present = [(k, [c for c in found[k] if not c.exclusive]) for k in KIND_ORDER]
    present = [(k, cands) for k, cands in present if cands]
    runs = []

    def walk(index, state, kinds):
        if index == len(present):
            runs.append((state, set(kinds)))
            return
        kind, cands = present[index]
        if all(combines(ctx.rules, kind, k) for k in kinds):
            child = state.child()
            _step(ctx, child, kind, cands)
            walk(index + 1, child, [*kinds, kind])
        walk(index + 1, state, kinds)

    walk(0, _State([ln.base for ln in ctx.lines], [], {}), [])
    return runs


def _run_alone(ctx, cand):
    state = _State([ln.base for ln in ctx.lines], [], {})
    step = {
        Kind.BUNDLE: lambda: _bundle_step(ctx, state, [cand]),
        Kind.MEMBER_PRICE: lambda: _member_step(ctx, state, cand),
        Kind.TIMED_DISCOUNT: lambda: _timed_step(ctx, state, [cand]),
        Kind.THRESHOLD: lambda: _threshold_step(ctx, state, [cand]),
        Kind.COUPON: lambda: _coupon_step(ctx, state, cand),
    }[cand.kind]
    step()
    return state


def _score(ctx, state):
    priority = sum(getattr(ctx.rules.get(c.kind), "priority", 0) + c.priority for c, _a, _s in state.applied)
    return (state.discount, state.free_shipping, priority, -len(state.applied))


def choose(ctx):
    """The best allowed combination: (state, found candidates, the kinds it combined)."""
    found = candidates(ctx)
    runs = _runs(ctx, found)
    for kind in KIND_ORDER:
        for cand in found[kind]:
            if cand.exclusive:
                runs.append((_run_alone(ctx, cand), {kind}))
    best, kinds = max(runs, key=lambda r: _score(ctx, r[0]))
    return best, found, kinds, runs


def explain(ctx, best, found, runs) -> list[Application]:
    """An Application for every candidate: applied with its amount, or refused with the reason."""
    applied = {c.key: (c, amount, shares) for c, amount, shares in best.applied}
    codes = [ln.sku.code if hasattr(ln.sku, "code") else str(i) for i, ln in enumerate(ctx.lines)]
    winners = {c.kind for c, _a, _s in best.applied}
    exclusive_winner = next((c for c, _a, _s in best.applied if c.exclusive), None)
    anywhere = {c.key for state, _k in runs for c, _a, _s in state.applied}  # applied in some combination
    out = []
    for kind in KIND_ORDER:
        for cand in found[kind]:
            if cand.key in applied:
                _c, amount, shares = applied[cand.key]
                if best.free_shipping and kind == Kind.COUPON and not amount:
                    reason = _("Free shipping.")
                else:
                    reason = ""
                out.append(
                    Application(
                        kind,
                        cand.name,
                        True,
                        reason,
                        amount,
                        cand.promotion_id,
                        {codes[i]: s for i, s in shares.items()},
                    )
                )
                continue
            reason = _why_not(ctx, cand, best, winners, exclusive_winner, anywhere)
            out.append(Application(kind, cand.name, False, reason))
    return out


def _why_not(ctx, cand, best, winners, exclusive_winner, anywhere):
    if cand.key in best.refusals:
        return str(best.refusals[cand.key])
    if cand.key not in anywhere:  # it applies in no combination: say why on its own
        alone = _run_alone(ctx, cand)
        return str(alone.refusals.get(cand.key) or _("It takes nothing off this cart."))
    if exclusive_winner is not None:
        return _("%(name)s is exclusive and saves more.") % {"name": exclusive_winner.name}
    if cand.exclusive:
        return _("Exclusive: it combines with no other promotion, and the others together save more.")
    blocked = [k for k in winners if k != cand.kind and not combines(ctx.rules, cand.kind, k)]
    if blocked:
        return _("Does not combine with %(kinds)s (stacking rule); that combination saves more.") % {
            "kinds": ", ".join(str(Kind(k).label) for k in blocked)
        }
    return _("Another combination of promotions saves more.")
