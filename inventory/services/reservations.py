"""Reservations for orders: reserve, release, ship (commit). They join the caller's transaction, because
order intake and shipping call them inside their own."""

from collections import defaultdict

from django.db import connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.models import (
    SkuStock,
    StockLevel,
    StockMovement,
)
from inventory.services.ledger import InvalidQuantity, Kind, OutOfStock, _check_quantity, _post, lock_levels
from inventory.services.rollup import _lock_rollups
from shop.actors import Actor
from shop.audit import record
from shop.china import province_key
from shop.errors import Conflict, DomainError


@transaction.atomic
def stock_reserve(
    *, items, reference, reference_type="order", province="", warehouse=None, actor=None
) -> list[StockMovement]:
    """Reserve stock for an order's lines, or raise OutOfStock listing every short line.

    Each line comes from one warehouse when one can serve it whole, else it is split; warehouses in the
    order's province come first, then by priority. `warehouse` restricts it to that warehouse.
    """
    if not reference or len(reference) > 64:
        raise DomainError(_("A reservation needs a reference of at most 64 characters."), code="invalid_reference")
    wanted: defaultdict[int, int] = defaultdict(int)
    skus = {}
    for sku, quantity in items:
        _check_quantity(quantity)
        wanted[sku.pk] += quantity
        skus[sku.pk] = sku
    if not wanted:
        raise InvalidQuantity(_("Nothing to reserve."))
    # Audited before locking, so the hot rows stay locked only for the ledger work.
    record(
        actor,
        "inventory.reserve",
        None,
        after={
            "reference": f"{reference_type}:{reference}",
            "lines": [[skus[s].code, n] for s, n in wanted.items()],
        },
    )
    where = Q(sku_id__in=wanted, warehouse__is_active=True)
    where = where if warehouse is None else where & Q(warehouse=warehouse)
    home = province_key(province)

    def rank(level):
        w = level.warehouse
        return (not home or province_key(w.province) != home, w.priority, w.pk)

    codes = {pk: sku.code for pk, sku in skus.items()}
    # Set-based first: plan from an unlocked read, then one guarded UPDATE takes every planned row or none.
    # When another reservation took the stock meanwhile (or a line is short), the locking path below
    # decides, exactly as before.
    plan, short = _plan(
        StockLevel.objects.select_related("warehouse").filter(where).order_by("pk"), wanted, rank, codes
    )
    if not short:
        one_go = _reserve_in_one_statement if connection.vendor == "postgresql" else _reserve_set_based
        movements = one_go(plan, actor=actor, reference_type=reference_type, reference=reference)
        if movements is not None:
            return movements
    plan, short = _plan(lock_levels(where=where).values(), wanted, rank, codes)
    if short:
        raise OutOfStock(
            _("Not enough stock: %(lines)s.")
            % {"lines": "; ".join(_("%(sku)s wants %(requested)s, %(available)s available") % s for s in short)},
            items=short,
        )
    return [
        _post(
            level,
            kind=Kind.RESERVATION,
            reserved=quantity,
            actor=actor,
            reference_type=reference_type,
            reference=reference,
        )
        for level, quantity in plan
    ]


def _plan(levels, wanted, rank, sku_codes):
    """[(level, quantity)] serving each SKU's wanted units (one warehouse when one can serve it whole, else
    split in rank order), and the short lines [{sku, requested, available}]."""
    levels = list(levels)
    plan, short = [], []
    for sku_id, quantity in wanted.items():
        options = sorted((lv for lv in levels if lv.sku_id == sku_id and lv.available > 0), key=rank)
        whole = next((lv for lv in options if lv.available >= quantity), None)
        if whole:
            plan.append((whole, quantity))
            continue
        total = sum(lv.available for lv in options)
        if total < quantity:
            short.append({"sku": sku_codes[sku_id], "requested": quantity, "available": total})
            continue
        for level in options:
            take = min(level.available, quantity)
            plan.append((level, take))
            quantity -= take
            if not quantity:
                break
    return plan, short


def _values(pairs) -> tuple[str, list]:
    """A VALUES list of (integer, integer) rows and its parameters."""
    rows = ", ".join(["(CAST(%s AS INTEGER), CAST(%s AS INTEGER))"] * len(pairs))
    return rows, [value for pair in pairs for value in pair]


def _rowcount(cursor) -> int:
    """Rows the last UPDATE changed (Python's sqlite3 answers -1 for a statement starting with WITH)."""
    if cursor.rowcount >= 0:
        return cursor.rowcount
    cursor.execute("SELECT changes()")
    return cursor.fetchone()[0]


def _reserve_set_based(plan, *, actor, reference_type, reference) -> list[StockMovement] | None:
    """Reserve every planned (level, quantity) in one guarded UPDATE, or nothing (None) when a row no longer
    has the units. The rows are locked in primary-key order and their SKUs' rollup rows after them in SKU
    order (as `lock_levels` does), so it never deadlocks with the locking path; the availability is read
    under those locks, so the UPDATE changes all rows or none. Then one INSERT writes the ledger rows and one
    UPDATE carries them into the rollups."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    materialized = "MATERIALIZED "
    level_table = StockLevel._meta.db_table
    rollup_table = SkuStock._meta.db_table
    now = timezone.now()
    pairs = sorted((level.pk, quantity) for level, quantity in plan)
    rows, params = _values(pairs)
    ids = ", ".join(["%s"] * len(pairs))
    sql = (
        f"WITH want(id, q) AS (VALUES {rows}), "
        f"locked AS {materialized}(SELECT l.id, l.on_hand - l.reserved AS avail FROM {level_table} l "
        f"WHERE l.id IN ({ids}) ORDER BY l.id{lock}) "
        f"UPDATE {level_table} SET reserved = {level_table}.reserved + want.q, updated_at = %s FROM want "
        f"WHERE {level_table}.id = want.id "
        f"AND (SELECT COUNT(*) FROM locked JOIN want w ON w.id = locked.id WHERE locked.avail >= w.q) = %s"
    )
    updated_at = StockLevel._meta.get_field("updated_at").get_db_prep_value(now, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *[pk for pk, _q in pairs], updated_at, len(pairs)])
        count = _rowcount(cursor)
    if count == 0:
        return None
    if count != len(pairs):  # cannot happen under the locks; refuse rather than leave a half reservation
        raise Conflict(_("The stock changed while reserving; try again."), code="stock_changed")
    who = Actor.of(actor)
    movements = StockMovement.objects.bulk_create(
        [
            StockMovement(
                sku_id=level.sku_id,
                warehouse_id=level.warehouse_id,
                kind=Kind.RESERVATION,
                reserved_delta=quantity,
                reference_type=reference_type,
                reference=reference,
                actor=who.user,
                actor_label=who.label[:150],
                created_at=now,
            )
            for level, quantity in plan
        ]
    )
    for movement in movements:
        movement.batches = []
    per_sku: defaultdict[int, int] = defaultdict(int)
    for level, quantity in plan:
        per_sku[level.sku_id] += quantity
    sku_pairs = sorted(per_sku.items())
    rows, params = _values(sku_pairs)
    ids = ", ".join(["%s"] * len(sku_pairs))
    r = rollup_table
    sql = (
        f"WITH want(sku_id, q) AS (VALUES {rows}), "
        f"locked AS {materialized}(SELECT sku_id FROM {r} WHERE sku_id IN ({ids}) ORDER BY sku_id{lock}) "
        f"UPDATE {r} SET {_rollup_reserve_set(r, 'want.q')} "
        f"FROM want WHERE {r}.sku_id = want.sku_id AND {r}.sku_id IN (SELECT sku_id FROM locked)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *[sku_id for sku_id, _q in sku_pairs]])
        count = _rowcount(cursor)
    _fill_missing_rollups(per_sku, count)
    return movements


def _rollup_reserve_set(r: str, q: str) -> str:
    """The SET clause adding `q` reserved units to rollup table `r` (available and is_low follow)."""
    return (
        f"reserved = {r}.reserved + {q}, available = {r}.on_hand - {r}.reserved - {q}, "
        f"is_low = ({r}.threshold IS NOT NULL AND {r}.on_hand - {r}.reserved - {q} <= {r}.threshold)"
    )


def _fill_missing_rollups(sku_ids, bumped: int) -> None:
    """After a reservation's rollup UPDATE changed `bumped` of the SKUs' rows: a SKU without its rollup row yet
    gets it, created and filled from the stock rows; any other shortfall means the stock changed meanwhile."""
    if bumped == len(sku_ids):
        return
    have = set(SkuStock.objects.filter(sku_id__in=sku_ids).values_list("sku_id", flat=True))
    missing = [sku_id for sku_id in sku_ids if sku_id not in have]
    if len(missing) != len(sku_ids) - bumped:
        raise Conflict(_("The stock changed while reserving; try again."), code="stock_changed")
    _lock_rollups(missing)


def _reserve_in_one_statement(plan, *, actor, reference_type, reference) -> list[StockMovement] | None:
    """PostgreSQL: `_reserve_set_based` as one statement — the guarded UPDATE of the stock rows, the INSERT of
    their ledger rows and the UPDATE of the rollups are data-modifying CTEs of one round trip, so a hot row is
    locked only for that statement and the COMMIT, never while Python builds the next statement. The same lock
    order (stock rows by id, then the rollup rows by SKU) and the same all-or-nothing guard."""
    level_table, rollup_table = StockLevel._meta.db_table, SkuStock._meta.db_table
    movement_table = StockMovement._meta.db_table
    now = timezone.now()
    who = Actor.of(actor)
    label = who.label[:150]
    pairs = sorted((level.pk, quantity) for level, quantity in plan)
    rows, params = _values(pairs)
    ids = ", ".join(["%s"] * len(pairs))
    r = rollup_table
    sql = (
        f"WITH want(id, q) AS (VALUES {rows}), "
        f"locked AS MATERIALIZED (SELECT l.id, l.on_hand - l.reserved AS avail FROM {level_table} l "
        f"WHERE l.id IN ({ids}) ORDER BY l.id FOR UPDATE), "
        f"taken AS (UPDATE {level_table} SET reserved = {level_table}.reserved + want.q, updated_at = %s FROM want "
        f"WHERE {level_table}.id = want.id "
        f"AND (SELECT COUNT(*) FROM locked JOIN want w ON w.id = locked.id WHERE locked.avail >= w.q) = %s "
        f"RETURNING {level_table}.id, {level_table}.sku_id, {level_table}.warehouse_id, want.q), "
        f"moved AS (INSERT INTO {movement_table} (sku_id, warehouse_id, kind, on_hand_delta, reserved_delta, reason, "
        f"reference_type, reference, actor_id, actor_label, created_at) "
        f"SELECT sku_id, warehouse_id, %s, 0, q, '', %s, %s, %s, %s, %s FROM taken ORDER BY id "
        f"RETURNING id, sku_id, warehouse_id, reserved_delta), "
        f"per_sku AS (SELECT sku_id, SUM(q) AS q FROM taken GROUP BY sku_id), "
        f"rolled AS MATERIALIZED (SELECT sku_id FROM {r} WHERE sku_id IN (SELECT sku_id FROM per_sku) "
        f"ORDER BY sku_id FOR UPDATE), "
        f"bumped AS (UPDATE {r} SET {_rollup_reserve_set(r, 'per_sku.q')} "
        f"FROM per_sku WHERE {r}.sku_id = per_sku.sku_id AND {r}.sku_id IN (SELECT sku_id FROM rolled) "
        f"RETURNING {r}.sku_id) "
        f"SELECT id, sku_id, warehouse_id, reserved_delta, (SELECT COUNT(*) FROM bumped) FROM moved ORDER BY id"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [*params, *[pk for pk, _q in pairs], now, len(pairs), Kind.RESERVATION, reference_type, reference]
            + [who.user.pk if who.user else None, label, now],
        )
        found = cursor.fetchall()
    if not found:
        return None
    if len(found) != len(pairs):  # cannot happen under the locks; refuse rather than leave a half reservation
        raise Conflict(_("The stock changed while reserving; try again."), code="stock_changed")
    movements = []
    for pk, sku_id, warehouse_id, quantity, _bumped in found:
        movement = StockMovement(
            pk=pk,
            sku_id=sku_id,
            warehouse_id=warehouse_id,
            kind=Kind.RESERVATION,
            reserved_delta=quantity,
            reference_type=reference_type,
            reference=reference,
            actor=who.user,
            actor_label=label,
            created_at=now,
        )
        movement._state.adding = False
        movement.batches = []
        movements.append(movement)
    _fill_missing_rollups({sku_id for _pk, sku_id, *_rest in found}, found[0][4])
    return movements


def _reserved_for(reference_type, reference) -> dict:
    """{(sku_id, warehouse_id): quantity} still reserved for a reference, from the ledger."""
    rows = (
        StockMovement.objects.filter(reference_type=reference_type, reference=reference)
        .values("sku_id", "warehouse_id")
        .annotate(n=Sum("reserved_delta"))
        .filter(n__gt=0)
        .order_by()
    )
    return {(row["sku_id"], row["warehouse_id"]): row["n"] for row in rows}


def _settle(*, kind, reference, reference_type, actor, reason=""):
    """Release or ship what is still reserved for a reference; nothing when it is already settled."""
    levels = lock_levels(_reserved_for(reference_type, reference))
    movements = [
        _post(
            levels[pair],
            kind=kind,
            reserved=-quantity,
            on_hand=-quantity if kind == Kind.SALE else 0,
            actor=actor,
            reason=reason,
            reference_type=reference_type,
            reference=reference,
        )
        for pair, quantity in _reserved_for(reference_type, reference).items()
    ]  # read again under the locks
    if movements:
        record(
            actor,
            f"inventory.{kind}",
            None,
            after={
                "reference": f"{reference_type}:{reference}",
                "lines": [[m.sku_id, m.warehouse_id, m.reserved_delta] for m in movements],
            },
        )
    return movements


@transaction.atomic
def stock_release(*, reference, reference_type="order", actor=None, reason="") -> list[StockMovement]:
    """Release the stock still reserved for this order (cancelled or closed)."""
    return _settle(kind=Kind.RELEASE, reference=reference, reference_type=reference_type, actor=actor, reason=reason)


@transaction.atomic
def stock_commit(*, reference, reference_type="order", actor=None) -> list[StockMovement]:
    """Ship the stock reserved for this order: on hand and reserved both go down."""
    return _settle(kind=Kind.SALE, reference=reference, reference_type=reference_type, actor=actor)


@transaction.atomic
def stock_reservation_move(
    *, sku_quantities, from_reference, from_type, to_reference, to_type, actor=None, reason=""
) -> list[StockMovement]:
    """Move reserved units from one reference to another without touching availability: a release row under
    the old reference and a reservation row under the new one, in the same warehouses (a flash-sale session's
    held units becoming an order's, and back). `sku_quantities` is [(sku_id, quantity)]; refuses (409) when
    the old reference holds fewer units than asked."""
    wanted: defaultdict[int, int] = defaultdict(int)
    for sku_id, quantity in sku_quantities:
        _check_quantity(quantity)
        wanted[sku_id] += quantity
    held = {pair: n for pair, n in _reserved_for(from_type, from_reference).items() if pair[0] in wanted}
    levels = lock_levels(held)
    held = {pair: n for pair, n in _reserved_for(from_type, from_reference).items() if pair[0] in wanted}
    movements = []
    for sku_id, quantity in wanted.items():
        for pair in sorted(p for p in held if p[0] == sku_id):
            take = min(held[pair], quantity)
            if take <= 0:
                continue
            level = levels[pair]
            common = {"actor": actor, "reason": reason[:200]}
            movements.append(
                _post(
                    level,
                    kind=Kind.RELEASE,
                    reserved=-take,
                    reference_type=from_type,
                    reference=from_reference,
                    **common,
                )
            )
            movements.append(
                _post(
                    level,
                    kind=Kind.RESERVATION,
                    reserved=take,
                    reference_type=to_type,
                    reference=to_reference,
                    **common,
                )
            )
            quantity -= take
        if quantity:
            raise OutOfStock(
                _("%(ref)s holds too few units to move.") % {"ref": f"{from_type}:{from_reference}"},
                items=[{"sku": sku_id, "requested": wanted[sku_id], "available": wanted[sku_id] - quantity}],
            )
    return movements
