"""Member use cases: the tier set-up, the purchase figures, RFM scores and each customer's tier.

Purchase figures come from the order facts later modules offer (customers.selectors.order_facts; customers
never imports orders): purchases are paid orders that were not cancelled or closed, timed by placement.

RFM (rfm_and_tiers_recompute, nightly; customers with at least one purchase, the others have no scores):
- R ranks the last purchase (older = lower), F the lifetime purchase count, M the lifetime spend.
- Each score is the customer's quintile 1–5 by rank: ``1 + 5 * (rank - 1) // (n - 1)`` with the top rank 5
  (rank = SQL RANK(), so equal values share a score: with NTILE two customers with one order each could get
  different F scores). One customer alone scores 1.
- A score of 3 or more is "high" (RFM_HIGH). The eight classic segments follow from high/low R, F, M:
  R F M all high 重要价值, R M high 重要发展, F M high 重要保持, M high only 重要挽留;
  R F high (M low) 一般价值, R high only 一般发展, F high only 一般保持, all low 一般挽留.

Tiers: a customer's tier is the highest-ranked tier whose threshold their 12-month spend (or 12-month
purchase count, per tier) reaches. The nightly job moves customers up and down; an order's completion
(member_order_completed) only moves them up. Every change is a TierChange row plus the `tier_changed`
signal on commit. On PostgreSQL the two writers of Customer.tier serialise on an advisory lock (the job
exclusively, completions shared), so a completion never interleaves with the job's set-based update.
"""

import time
from decimal import Decimal
from functools import partial

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customers import selectors
from customers.models import Customer, MemberTier, RfmSegment, TierChange
from customers.signals import tier_changed
from shop.audit import audited_save, record, snapshot
from shop.errors import Conflict, DomainError

RFM_HIGH = 3  # a score of RFM_HIGH or more counts as high for the segment
TIER_FIELDS = (
    "name",
    "rank",
    "threshold_kind",
    "threshold",
    "discount_percent",
    "free_shipping",
    "points_multiplier",
    "birthday_points",
)
TIER_LOCK = 7_310_412  # pg_advisory_xact_lock key of the Customer.tier writers
SIGNAL_CHUNK = 2000

# (R high, F high, M high) -> segment
SEGMENTS = {
    (True, True, True): RfmSegment.CHAMPION,
    (True, False, True): RfmSegment.DEVELOP,
    (False, True, True): RfmSegment.KEEP,
    (False, False, True): RfmSegment.WIN_BACK,
    (True, True, False): RfmSegment.GENERAL_VALUE,
    (True, False, False): RfmSegment.GENERAL_DEVELOP,
    (False, True, False): RfmSegment.GENERAL_KEEP,
    (False, False, False): RfmSegment.GENERAL_WIN_BACK,
}


def rfm_segment(r, f, m) -> str:
    """The segment of three scores (RFM_HIGH and above is high)."""
    return SEGMENTS[(r >= RFM_HIGH, f >= RFM_HIGH, m >= RFM_HIGH)].value


# -- the tier set-up -----------------------------------------------------------------------------------
def _clean_tier(tier, fields) -> dict:
    unknown = set(fields) - set(TIER_FIELDS)
    if unknown:
        raise DomainError(_("These fields cannot be edited: %(f)s") % {"f": ", ".join(sorted(unknown))}, code="invalid")
    clean = {k: fields[k] for k in TIER_FIELDS if k in fields}
    errors = {}
    name = str(clean.get("name", tier.name) or "").strip()
    clean["name"] = name
    others = MemberTier.objects.exclude(pk=tier.pk)
    if not name:
        errors["name"] = _("Give the tier a name.")
    elif others.filter(name=name).exists():
        errors["name"] = _("Another tier is already called %(name)s.") % {"name": name}
    rank = clean.get("rank", tier.rank)
    if rank is None or rank < 0:
        errors["rank"] = _("The rank is a whole number, 0 or more.")
    elif others.filter(rank=rank).exists():
        errors["rank"] = _("Another tier already has rank %(rank)s: each tier needs its own rank.") % {"rank": rank}
    threshold = clean.get("threshold", tier.threshold)
    if threshold is None or Decimal(threshold) < 0:
        errors["threshold"] = _("The threshold cannot be negative.")
    elif clean.get("threshold_kind", tier.threshold_kind) == MemberTier.ThresholdKind.ORDERS and (
        Decimal(threshold) != Decimal(threshold).to_integral_value()
    ):
        errors["threshold"] = _("An order-count threshold is a whole number of orders.")
    discount = clean.get("discount_percent", tier.discount_percent)
    if discount is None or not 0 <= Decimal(discount) <= 100:
        errors["discount_percent"] = _("The member discount is between 0 and 100 percent.")
    if errors:
        raise DomainError(" ".join(errors.values()), code="invalid_tier", fields=errors)
    return clean


@transaction.atomic(durable=True)
def member_tier_save(*, actor, tier=None, **fields) -> MemberTier:
    """Create or change a member tier (unique name and rank, threshold ≥ 0, discount 0–100 %).

    Customers move to their new tier at the next recomputation (nightly, or "Recompute now")."""
    tier = MemberTier.objects.select_for_update().get(pk=tier.pk) if tier is not None else MemberTier()
    return audited_save(tier, actor=actor, action="customers.tier_save", fields=_clean_tier(tier, fields))


@transaction.atomic(durable=True)
def member_tier_delete(*, actor, tier) -> None:
    """Delete a member tier nobody holds; a tier customers hold is refused (their tier would vanish)."""
    tier = MemberTier.objects.select_for_update().get(pk=tier.pk)
    holders = Customer.objects.filter(tier=tier).count()
    if holders:
        raise Conflict(
            _(
                "%(n)s customers hold the tier %(name)s, so it cannot be deleted. Lower its rank or raise its "
                "threshold and recompute, so that they move to another tier first."
            )
            % {"n": holders, "name": tier.name},
            code="tier_in_use",
        )
    before = snapshot(tier)
    record(actor, "customers.tier_delete", tier, before=before)
    tier.delete()


# -- tier changes ----------------------------------------------------------------------------------------
def _tier_lock(*, exclusive):
    if connection.vendor == "postgresql":
        fn = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {fn}(%s)", [TIER_LOCK])


def _send_tier_changes(moves, reason):
    """Send tier_changed for each (customer id, from tier id, to tier id), a chunk of customers at a time."""
    tiers = MemberTier.objects.in_bulk()
    for start in range(0, len(moves), SIGNAL_CHUNK):
        chunk = moves[start : start + SIGNAL_CHUNK]
        customers = Customer.objects.in_bulk([m[0] for m in chunk])
        for customer_id, from_id, to_id in chunk:
            customer = customers.get(customer_id)
            if customer is not None:
                tier_changed.send(
                    sender=Customer,
                    customer=customer,
                    from_tier=tiers.get(from_id),
                    to_tier=tiers.get(to_id),
                    reason=reason,
                )


FIGURE_FIELDS = {  # Customer field -> order-facts key
    "order_count": "order_count",
    "lifetime_spend": "spend",
    "orders_12m": "orders_12m",
    "spend_12m": "spend_12m",
    "first_order_at": "first_order_at",
    "last_order_at": "last_order_at",
}


@transaction.atomic(durable=True)
def member_order_completed(*, customer, reference, now=None) -> Customer:
    """Refresh the customer's purchase figures and move them up to the best tier they now reach.

    Called when an order completes (orders.receivers); never moves a customer down (the nightly job does).
    Safe to repeat for the same order: the figures are read afresh and a reached tier is not reached twice."""
    now = now or timezone.now()
    _tier_lock(exclusive=False)
    customer = Customer.objects.select_for_update(of=("self",)).select_related("tier").get(pk=customer.pk)
    figures = selectors.customer_figures(customer, now=now)
    changed = [f for f, key in FIGURE_FIELDS.items() if getattr(customer, f) != figures[key]]
    for field in changed:
        setattr(customer, field, figures[FIGURE_FIELDS[field]])
    if changed:
        customer.save(update_fields=[*changed, "updated_at"])
    best = selectors.best_tier(spend_12m=customer.spend_12m, orders_12m=customer.orders_12m)
    current = customer.tier
    if best is not None and (current is None or best.rank > current.rank):
        TierChange.objects.create(
            customer=customer, from_tier=current, to_tier=best, reason=TierChange.Reason.ORDER, reference=reference
        )
        customer.tier = best
        customer.save(update_fields=["tier", "updated_at"])
        moves = [(customer.pk, current.pk if current else None, best.pk)]
        transaction.on_commit(partial(_send_tier_changes, moves, TierChange.Reason.ORDER.value))
    return customer


# -- the nightly recomputation ------------------------------------------------------------------------
def _q(name) -> str:
    return connection.ops.quote_name(name)


def _facts_sql(now) -> tuple[str, list]:
    """One SELECT of the per-customer purchase figures (several offering modules: added up)."""
    parts = [qs.query.sql_with_params() for qs in selectors.order_facts(now=now)]
    if not parts:
        return (
            "SELECT NULL AS customer_id, 0 AS order_count, 0 AS spend, NULL AS first_order_at, "
            "NULL AS last_order_at, 0 AS orders_12m, 0 AS spend_12m WHERE 1 = 0",
            [],
        )
    if len(parts) == 1:
        return parts[0][0], list(parts[0][1])
    union = " UNION ALL ".join(f"SELECT * FROM ({sql}) part{i}" for i, (sql, _p) in enumerate(parts))
    params = [p for _sql, ps in parts for p in ps]
    return (
        "SELECT customer_id, SUM(order_count) AS order_count, SUM(spend) AS spend, MIN(first_order_at) AS "
        "first_order_at, MAX(last_order_at) AS last_order_at, SUM(orders_12m) AS orders_12m, SUM(spend_12m) AS "
        f"spend_12m FROM ({union}) parts GROUP BY customer_id",
        params,
    )


def _score(rank) -> str:
    """The quintile score 1–5 of a RANK() column `rank` among `n` rows (integer division on both databases)."""
    return f"CASE WHEN n = 1 THEN 1 WHEN {rank} = n THEN 5 ELSE 1 + (5 * ({rank} - 1)) / (n - 1) END"


def _segment_case() -> str:
    whens = " ".join(
        f"WHEN r {'>=' if rh else '<'} {RFM_HIGH} AND f {'>=' if fh else '<'} {RFM_HIGH} "
        f"AND m {'>=' if mh else '<'} {RFM_HIGH} THEN '{segment.value}'"
        for (rh, fh, mh), segment in SEGMENTS.items()
    )
    return f"CASE {whens} END"


def _tier_case(tiers) -> str:
    """The id of the best tier a customer row reaches, as SQL (the few tiers are inlined, best first)."""
    if not tiers:
        return "CAST(NULL AS BIGINT)"
    whens = " ".join(
        f"WHEN {'spend_12m' if t.threshold_kind == MemberTier.ThresholdKind.SPEND else 'orders_12m'} "
        f">= {Decimal(t.threshold):f} THEN {int(t.pk)}"
        for t in tiers
    )
    return f"CASE {whens} ELSE CAST(NULL AS BIGINT) END"


@transaction.atomic(durable=True)
def rfm_and_tiers_recompute(*, now=None, actor=None) -> dict:
    """Refresh every customer's purchase figures, RFM scores and segment, and move each to the tier they reach.

    A few set-based statements (no loop over customers): the figures, scores and reached tier go into a
    temporary table; the tier moves are read from it; one UPDATE writes the buyers whose row differs, one the
    customers without purchases; one INSERT writes the TierChange rows. Run twice, the second run changes nothing.
    """
    started = time.monotonic()
    now = now or timezone.now()
    _tier_lock(exclusive=True)
    customers, changes, tiers_table = (
        _q(Customer._meta.db_table),
        _q(TierChange._meta.db_table),
        _q(MemberTier._meta.db_table),
    )
    stamp = connection.ops.adapt_datetimefield_value(now)
    facts, params = _facts_sql(now)
    tiers = list(MemberTier.objects.order_by("-rank"))
    figures = ("order_count", "lifetime_spend", "orders_12m", "spend_12m", "first_order_at", "last_order_at")
    steps: dict[str, float] = {}
    mark = [time.monotonic()]

    def lap(name):
        now_ = time.monotonic()
        steps[name] = round(now_ - mark[0], 3)
        mark[0] = now_

    zero = selectors.best_tier(spend_12m=0, orders_12m=0, tiers=tiers)  # the tier of a customer who never bought
    zero_tier = str(int(zero.pk)) if zero is not None else "CAST(NULL AS BIGINT)"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The aggregate and the three rank sorts of ~200k rows stay in memory instead of spilling to disk.
            cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute("DROP TABLE IF EXISTS houtai_rfm")
        cursor.execute("DROP TABLE IF EXISTS houtai_tier_moves")
        cursor.execute(
            f"""CREATE TEMP TABLE houtai_rfm AS
            SELECT customer_id, order_count, lifetime_spend, orders_12m, spend_12m, first_order_at, last_order_at,
                   r, f, m, {_segment_case()} AS segment, {_tier_case(tiers)} AS to_tier
            FROM (
                SELECT customer_id, order_count, lifetime_spend, orders_12m, spend_12m, first_order_at,
                       last_order_at, {_score("r_rank")} AS r, {_score("f_rank")} AS f, {_score("m_rank")} AS m
                FROM (
                    SELECT customer_id, order_count, ROUND(spend, 2) AS lifetime_spend, orders_12m,
                           ROUND(spend_12m, 2) AS spend_12m, first_order_at, last_order_at,
                           RANK() OVER (ORDER BY last_order_at) AS r_rank,
                           RANK() OVER (ORDER BY order_count) AS f_rank,
                           RANK() OVER (ORDER BY spend) AS m_rank,
                           COUNT(*) OVER () AS n
                    FROM ({facts}) facts
                    WHERE customer_id IS NOT NULL
                ) ranked
            ) scored""",
            params,
        )
        cursor.execute("CREATE INDEX houtai_rfm_customer ON houtai_rfm (customer_id)")
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE houtai_rfm")  # a temporary table has no statistics until analysed
        lap("scores")
        # The tier moves, read before the customers are written: buyers to the tier they reach, the others
        # to the tier of no purchases.
        cursor.execute(
            f"""CREATE TEMP TABLE houtai_tier_moves AS
            SELECT c.id AS customer_id, c.tier_id AS from_tier, s.to_tier AS to_tier
            FROM {customers} c JOIN houtai_rfm s ON s.customer_id = c.id
            WHERE c.tier_id IS DISTINCT FROM s.to_tier
            UNION ALL
            SELECT c.id, c.tier_id, {zero_tier} FROM {customers} c
            WHERE c.tier_id IS DISTINCT FROM {zero_tier}
              AND NOT EXISTS (SELECT 1 FROM houtai_rfm s WHERE s.customer_id = c.id)"""
        )
        lap("tiers")
        stored = {
            **{f: f for f in figures},
            "rfm_r": "r",
            "rfm_f": "f",
            "rfm_m": "m",
            "rfm_segment": "segment",
            "tier_id": "to_tier",
        }
        sets = ", ".join(f"{_q(col)} = s.{src}" for col, src in stored.items())
        differs = " OR ".join(f"{customers}.{_q(col)} IS DISTINCT FROM s.{src}" for col, src in stored.items())
        cursor.execute(
            f"UPDATE {customers} SET {sets}, {_q('updated_at')} = %s FROM houtai_rfm s "
            f"WHERE {customers}.{_q('id')} = s.customer_id AND ({differs})",
            [stamp],
        )
        refreshed = cursor.rowcount
        lap("figures")
        cursor.execute(
            f"""UPDATE {customers} SET order_count = 0, lifetime_spend = 0, orders_12m = 0, spend_12m = 0,
                first_order_at = NULL, last_order_at = NULL, rfm_r = NULL, rfm_f = NULL, rfm_m = NULL,
                rfm_segment = '', tier_id = {zero_tier}, updated_at = %s
            WHERE (order_count <> 0 OR lifetime_spend <> 0 OR orders_12m <> 0 OR spend_12m <> 0
                   OR first_order_at IS NOT NULL OR last_order_at IS NOT NULL OR rfm_r IS NOT NULL
                   OR rfm_f IS NOT NULL OR rfm_m IS NOT NULL OR rfm_segment <> ''
                   OR tier_id IS DISTINCT FROM {zero_tier})
              AND NOT EXISTS (SELECT 1 FROM houtai_rfm s WHERE s.customer_id = {customers}.{_q("id")})""",
            [stamp],
        )
        cleared = cursor.rowcount
        cursor.execute("SELECT COUNT(*) FROM houtai_rfm")
        scored = cursor.fetchone()[0]
        lap("cleared")
        cursor.execute(
            f"INSERT INTO {changes} (customer_id, from_tier_id, to_tier_id, reason, reference, created_at) "
            f"SELECT customer_id, from_tier, to_tier, %s, '', %s FROM houtai_tier_moves",
            [TierChange.Reason.RECOMPUTE.value, stamp],
        )
        cursor.execute(
            f"""SELECT COALESCE(SUM(CASE WHEN COALESCE(t.rank, -1) > COALESCE(f.rank, -1) THEN 1 ELSE 0 END), 0),
                       COALESCE(SUM(CASE WHEN COALESCE(t.rank, -1) < COALESCE(f.rank, -1) THEN 1 ELSE 0 END), 0)
            FROM houtai_tier_moves m LEFT JOIN {tiers_table} f ON f.id = m.from_tier
            LEFT JOIN {tiers_table} t ON t.id = m.to_tier"""
        )
        upgraded, downgraded = cursor.fetchone()
        lap("tier_changes")
        moves = []
        if tier_changed.has_listeners(Customer) and upgraded + downgraded:
            cursor.execute("SELECT customer_id, from_tier, to_tier FROM houtai_tier_moves ORDER BY customer_id")
            moves = [tuple(row) for row in cursor.fetchall()]
        cursor.execute("DROP TABLE houtai_rfm")
        cursor.execute("DROP TABLE houtai_tier_moves")
    if moves:
        transaction.on_commit(partial(_send_tier_changes, moves, TierChange.Reason.RECOMPUTE.value))
    result = {
        "customers_with_purchases": scored,
        "figures_updated": refreshed,
        "figures_cleared": cleared,
        "upgraded": int(upgraded),
        "downgraded": int(downgraded),
        "seconds": round(time.monotonic() - started, 2),
        "steps": steps,
    }
    if actor is not None:
        record(actor, "customers.rfm_recompute", None, after=result, module="customers")
    return result
