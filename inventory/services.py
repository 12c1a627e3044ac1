"""Inventory write use cases. Every stock change is `_post`ed as a ledger row under the row locks
taken by `lock_levels` (the one helper that locks stock rows, always in primary-key order).

Top-level services are durable; `stock_reserve`, `stock_release` and `stock_commit` join the caller's
transaction, because order intake and shipping call them inside their own.
"""

from collections import defaultdict
from datetime import timedelta
from decimal import ROUND_CEILING, Decimal

from django.db import transaction
from django.db.models import Case, ExpressionWrapper, F, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from inventory import selectors
from inventory.models import (
    LowStockAlert,
    LowStockRule,
    PurchaseOrder,
    PurchaseOrderLine,
    ReplenishmentRule,
    SkuStock,
    StockBatch,
    StockLevel,
    StockMovement,
    Stocktake,
    StocktakeLine,
    Supplier,
    SupplierSku,
    Warehouse,
)
from shop.actors import Actor
from shop.audit import audited_save, record, snapshot
from shop.china import province_key
from shop.errors import Conflict, DomainError, RuleRefused

Kind = StockMovement.Kind


class OutOfStock(Conflict):
    """Not enough available stock; `items` lists each short line: sku, requested, available."""

    code = "out_of_stock"


class InvalidQuantity(DomainError):
    code = "invalid_quantity"


# -- the ledger -------------------------------------------------------------------------------------
def _check_quantity(quantity, *, allow_negative=False):
    if (
        isinstance(quantity, bool)
        or not isinstance(quantity, int)
        or quantity == 0
        or (quantity < 0 and not allow_negative)
    ):
        message = (
            _("Enter a non-zero whole number.") if allow_negative else _("Enter a whole number above zero.")
        )
        raise InvalidQuantity(message, fields={"quantity": message})


def _check_active(warehouse):
    if not warehouse.is_active:
        raise DomainError(_("Warehouse %(w)s is not active.") % {"w": warehouse}, code="warehouse_inactive")


def lock_levels(pairs=(), *, where=None) -> dict:
    """Lock stock rows in primary-key order, by (sku_id, warehouse_id), each with its warehouse: the rows
    of these pairs (created when missing), or the existing rows that match `where`."""
    if where is None:
        pairs = set(pairs)
        if not pairs:
            return {}
        where = Q()
        for sku_id, warehouse_id in pairs:
            where |= Q(sku_id=sku_id, warehouse_id=warehouse_id)
        missing = pairs - set(StockLevel.objects.filter(where).values_list("sku_id", "warehouse_id"))
        if missing:
            StockLevel.objects.bulk_create(
                [StockLevel(sku_id=s, warehouse_id=w) for s, w in sorted(missing)], ignore_conflicts=True
            )
    levels = StockLevel.objects.select_for_update(of=("self",)).select_related("warehouse").filter(where)
    locked = {(level.sku_id, level.warehouse_id): level for level in levels.order_by("pk")}
    rollups = _lock_rollups({sku_id for sku_id, _w in locked})
    for level in locked.values():
        level.rollup = rollups[level.sku_id]  # one object per SKU: its warehouses' posts add up
    return locked


# -- the per-SKU rollup (low stock) -----------------------------------------------------------------
def _lock_rollups(sku_ids) -> dict:
    """Lock the SKUs' rollup rows in SKU order (created, and filled from the stock rows, when missing)."""
    sku_ids = sorted(set(sku_ids))
    if not sku_ids:
        return {}

    def fetch():
        rows = SkuStock.objects.select_for_update().filter(sku_id__in=sku_ids).order_by("sku_id")
        return {row.sku_id: row for row in rows}

    rollups = fetch()
    missing = [sku_id for sku_id in sku_ids if sku_id not in rollups]
    if missing:
        SkuStock.objects.bulk_create([SkuStock(sku_id=s) for s in missing], ignore_conflicts=True)
        rollup_rebuild(sku_ids=missing)
        rollups = fetch()
    return rollups


def _sold_since(since):
    """Units shipped per SKU since `since`, as a subquery on the outer row's `sku`."""
    return Coalesce(
        Subquery(
            StockMovement.objects.filter(sku=OuterRef("sku"), kind=Kind.SALE, created_at__gte=since)
            .order_by()
            .values("sku")
            .annotate(n=-Sum("on_hand_delta"))
            .values("n")
        ),
        0,
    )


_IS_LOW = Case(
    When(threshold__isnull=False, available__lte=F("threshold"), then=Value(True)), default=Value(False)
)


def _refresh_thresholds(rollups, *, now=None):
    """Turn days of cover into units at the last 30 days' sales (rounded up), then set `is_low`."""
    since = (now or timezone.now()) - timedelta(days=selectors.SALES_WINDOW_DAYS)
    days = selectors.SALES_WINDOW_DAYS
    rollups.filter(cover_days__isnull=False).update(
        threshold=ExpressionWrapper(
            (_sold_since(since) * F("cover_days") + days - 1) / days, output_field=IntegerField()
        )
    )
    rollups.update(is_low=_IS_LOW)


@transaction.atomic
def rollup_rebuild(*, sku_ids=None, now=None) -> int:
    """Recompute rollup rows from the stock rows of active warehouses and the SKUs' rules (set-based).

    Used for rows just created, when a warehouse is switched on or off, and by the data migration's
    twin; callers hold the stock rows' locks (or nothing can post yet)."""
    from catalog.models import Sku

    rollups = SkuStock.objects.all() if sku_ids is None else SkuStock.objects.filter(sku_id__in=sku_ids)
    levels = (
        StockLevel.objects.filter(sku=OuterRef("sku"), warehouse__is_active=True).order_by().values("sku")
    )
    rules = LowStockRule.objects.filter(sku=OuterRef("sku"))

    def total(expression):
        return Coalesce(Subquery(levels.annotate(n=Sum(expression)).values("n")), 0)

    n = rollups.update(
        sku_active=Subquery(Sku.objects.filter(pk=OuterRef("sku")).values("is_active")),
        on_hand=total("on_hand"),
        reserved=total("reserved"),
        available=total(F("on_hand") - F("reserved")),
        threshold=Subquery(rules.filter(kind=LowStockRule.Kind.ABSOLUTE).values("value")),
        cover_days=Subquery(rules.filter(kind=LowStockRule.Kind.DAYS_OF_COVER).values("value")),
    )
    _refresh_thresholds(rollups, now=now)
    return n


def _locked(rollups):
    """Lock these rollup rows in SKU order (the order postings lock them in) before a bulk UPDATE, so a
    job never deadlocks with an order; returns the same queryset, to update."""
    list(rollups.select_for_update(of=("self",)).order_by("sku_id").values_list("sku_id", flat=True))
    return rollups


@transaction.atomic  # the low_stock_alerts job calls it inside its own
def rollup_backfill() -> int:
    """Create the rollup rows of SKUs that have none (SKUs bulk-created by an import), filled, and copy
    `is_active` of SKUs switched on or off in bulk (both set-based)."""
    from catalog.models import Sku

    for active in (True, False):
        switched = SkuStock.objects.filter(sku_active=not active, sku__is_active=active)
        _locked(switched).update(sku_active=active)
    missing = list(Sku.objects.filter(stock_rollup__isnull=True).values_list("pk", flat=True))
    if missing:
        SkuStock.objects.bulk_create([SkuStock(sku_id=s) for s in missing], ignore_conflicts=True)
        rollup_rebuild(sku_ids=missing)
    return len(missing)


def _post(
    level,
    *,
    kind,
    actor,
    on_hand=0,
    reserved=0,
    reason="",
    reference_type="",
    reference="",
    expires_on=None,
    batches=None,
) -> StockMovement:
    """Change a locked stock row and write its ledger row; keep the SKU's rollup and the row's batches.

    Units coming in open a batch (received today, expiring `expires_on`), or the `batches` a transfer
    carries [(received_on, expires_on, quantity)]; units going out leave the batches first-expiring
    first, then first-received, and the movement's `batches` lists what they took."""
    if level.on_hand + on_hand < level.reserved + reserved or level.reserved + reserved < 0:
        raise Conflict(
            _("This change would leave %(sku)s with negative available stock.") % {"sku": level.sku.code},
            code="negative_stock",
        )
    level.on_hand += on_hand
    level.reserved += reserved
    level.save(update_fields=["on_hand", "reserved", "updated_at"])
    who = Actor.of(actor)
    movement = StockMovement.objects.create(
        sku_id=level.sku_id,
        warehouse_id=level.warehouse_id,
        kind=kind,
        on_hand_delta=on_hand,
        reserved_delta=reserved,
        reason=reason[:200],
        reference_type=reference_type,
        reference=reference,
        actor=who.user,
        actor_label=who.label[:150],
    )
    _post_rollup(level, on_hand=on_hand, reserved=reserved, sale=kind == Kind.SALE)
    movement.batches = []
    if on_hand > 0:
        _batches_in(level, on_hand, expires_on=expires_on, carried=batches, reference=reference)
    elif on_hand < 0:
        movement.batches = _batches_out(level, -on_hand)
    return movement


def _batches_in(level, quantity, *, expires_on, carried, reference):
    parts = list(carried or [])
    short = quantity - sum(n for _r, _e, n in parts)
    if short > 0:  # a receipt, a gain, or units that predate batch tracking
        parts.append((timezone.localdate(), expires_on, short))
    StockBatch.objects.bulk_create(
        StockBatch(
            sku_id=level.sku_id,
            warehouse_id=level.warehouse_id,
            received_on=received_on,
            expires_on=expires,
            quantity=n,
            remaining=n,
            reference=reference[:64],
        )
        for received_on, expires, n in parts
    )


def _batches_out(level, quantity) -> list:
    """Take `quantity` units out of a locked stock row's batches, FIFO (earliest expiry, then earliest
    received; batches without expiry last); returns [(received_on, expires_on, taken)]."""
    batches = StockBatch.objects.filter(
        sku_id=level.sku_id, warehouse_id=level.warehouse_id, remaining__gt=0
    ).order_by(F("expires_on").asc(nulls_last=True), "received_on", "pk")
    taken, changed = [], []
    for batch in batches.iterator(chunk_size=50):
        n = min(batch.remaining, quantity)
        batch.remaining -= n
        quantity -= n
        changed.append(batch)
        taken.append((batch.received_on, batch.expires_on, n))
        if not quantity:
            break
    StockBatch.objects.bulk_update(changed, ["remaining"])
    return taken


def _post_rollup(level, *, on_hand, reserved, sale):
    """Carry a posting into the SKU's rollup row, locked with the stock row by `lock_levels`."""
    rollup = level.rollup
    if not level.warehouse.is_active:
        return
    rollup.on_hand += on_hand
    rollup.reserved += reserved
    rollup.available = rollup.on_hand - rollup.reserved
    fields = ["on_hand", "reserved", "available", "is_low"]
    if sale and rollup.cover_days is not None:
        since = timezone.now() - timedelta(days=selectors.SALES_WINDOW_DAYS)
        sales = StockMovement.objects.filter(sku_id=level.sku_id, kind=Kind.SALE, created_at__gte=since)
        sold = -(sales.aggregate(n=Sum("on_hand_delta"))["n"] or 0)
        days = selectors.SALES_WINDOW_DAYS
        rollup.threshold = (sold * rollup.cover_days + days - 1) // days
        fields.append("threshold")
    rollup.refresh_low()
    rollup.save(update_fields=fields)


def _level(sku, warehouse):
    return lock_levels([(sku.pk, warehouse.pk)])[(sku.pk, warehouse.pk)]


# -- staff and ERP stock changes ---------------------------------------------------------------------
def _receive(
    *, sku, warehouse, quantity, actor, reason="", reference_type="", reference="", expires_on=None
) -> StockMovement:
    _check_quantity(quantity)
    _check_active(warehouse)
    if expires_on is not None and expires_on < timezone.localdate():
        message = _("This expiry date has passed.")
        raise DomainError(message, code="expired", fields={"expires_on": message})
    movement = _post(
        _level(sku, warehouse),
        kind=Kind.RECEIPT,
        on_hand=quantity,
        actor=actor,
        reason=reason,
        reference_type=reference_type,
        reference=reference,
        expires_on=expires_on,
    )
    record(
        actor,
        "inventory.receive",
        warehouse,
        after={
            "sku": sku.code,
            "quantity": quantity,
            "reference": reference,
            "reason": reason,
            "expires_on": expires_on.isoformat() if expires_on else None,
        },
    )
    return movement


@transaction.atomic(durable=True)
def stock_receive(
    *, sku, warehouse, quantity, actor, reason="", reference="", expires_on=None
) -> StockMovement:
    """Receive goods into a warehouse, as a batch with an optional expiry date."""
    return _receive(
        sku=sku,
        warehouse=warehouse,
        quantity=quantity,
        actor=actor,
        reason=reason,
        reference_type="receipt" if reference else "",
        reference=reference,
        expires_on=expires_on,
    )


@transaction.atomic(durable=True)
def stock_adjust(*, sku, warehouse, quantity, reason, actor) -> StockMovement:
    """Correct on-hand stock by `quantity` (negative to remove), for a stated reason."""
    _check_quantity(quantity, allow_negative=True)
    if not reason.strip():
        raise DomainError(
            _("Give a reason for the adjustment."),
            code="reason_required",
            fields={"reason": _("This field is required.")},
        )
    level = _level(sku, warehouse)
    if level.on_hand + quantity < level.reserved:
        raise Conflict(
            _("Only %(n)s of %(sku)s can be removed: the rest is reserved for orders.")
            % {"n": level.available, "sku": sku.code},
            code="negative_stock",
        )
    movement = _post(level, kind=Kind.ADJUSTMENT, on_hand=quantity, actor=actor, reason=reason.strip())
    record(
        actor, "inventory.adjust", warehouse, after={"sku": sku.code, "quantity": quantity, "reason": reason}
    )
    return movement


@transaction.atomic(durable=True)
def stock_transfer(*, sku, source, destination, quantity, actor, reason="") -> list[StockMovement]:
    """Move available stock from one warehouse to another."""
    _check_quantity(quantity)
    if source.pk == destination.pk:
        raise DomainError(_("Choose two different warehouses."), code="same_warehouse")
    _check_active(destination)
    levels = lock_levels([(sku.pk, source.pk), (sku.pk, destination.pk)])
    out, into = levels[(sku.pk, source.pk)], levels[(sku.pk, destination.pk)]
    if out.available < quantity:
        raise OutOfStock(
            _("Only %(n)s of %(sku)s are available in %(w)s.")
            % {"n": out.available, "sku": sku.code, "w": source},
            items=[{"sku": sku.code, "requested": quantity, "available": out.available}],
        )
    reference = f"{source.code}>{destination.code}"
    taken = _post(
        out,
        kind=Kind.TRANSFER,
        on_hand=-quantity,
        actor=actor,
        reason=reason,
        reference_type="transfer",
        reference=reference,
    )
    movements = [
        taken,
        _post(  # the batches travel with their received and expiry dates
            into,
            kind=Kind.TRANSFER,
            on_hand=quantity,
            actor=actor,
            reason=reason,
            reference_type="transfer",
            reference=reference,
            batches=taken.batches,
        ),
    ]
    record(
        actor,
        "inventory.transfer",
        source,
        after={"sku": sku.code, "quantity": quantity, "to": destination.code, "reason": reason},
    )
    return movements


@transaction.atomic(durable=True)
def stock_sync(*, items, actor, reference="") -> list[StockLevel]:
    """Set on-hand stock as the ERP counted it: items are (sku, warehouse, on_hand); all or nothing."""
    if not items:
        raise DomainError(_("Send at least one item."), code="empty")
    errors = {}
    for i, (_sku, warehouse, on_hand) in enumerate(items):
        if isinstance(on_hand, bool) or not isinstance(on_hand, int) or on_hand < 0:
            errors[f"items.{i}.on_hand"] = _("Enter a whole number, zero or more.")
        elif not warehouse.is_active:
            errors[f"items.{i}.warehouse"] = _("Warehouse %(w)s is not active.") % {"w": warehouse.code}
    if errors:
        raise DomainError(_("Some items are not valid."), code="validation", fields=errors)
    levels = lock_levels((sku.pk, warehouse.pk) for sku, warehouse, _n in items)
    for i, (sku, warehouse, on_hand) in enumerate(items):
        level = levels[(sku.pk, warehouse.pk)]
        if on_hand < level.reserved:
            errors[f"items.{i}.on_hand"] = _(
                "%(sku)s has %(n)s reserved for orders in %(w)s; on hand cannot be less."
            ) % {"sku": sku.code, "n": level.reserved, "w": warehouse.code}
        elif on_hand != level.on_hand:
            _post(
                level,
                kind=Kind.ERP_SYNC,
                on_hand=on_hand - level.on_hand,
                actor=actor,
                reason=_("ERP sync"),
                reference_type="erp" if reference else "",
                reference=reference,
            )
    if errors:
        raise Conflict(_("Some items are not valid."), code="below_reserved", fields=errors)
    record(actor, "inventory.erp_sync", None, after={"items": [[s.code, w.code, n] for s, w, n in items]})
    return [levels[(sku.pk, warehouse.pk)] for sku, warehouse, _n in items]


# -- reservations: called by orders inside its own transaction ----------------------------------------
@transaction.atomic
def stock_reserve(
    *, items, reference, reference_type="order", province="", warehouse=None, actor=None
) -> list[StockMovement]:
    """Reserve stock for an order's lines, or raise OutOfStock listing every short line.

    Each line comes from one warehouse when one can serve it whole, else it is split; warehouses in the
    order's province come first, then by priority. `warehouse` restricts it to that warehouse.
    """
    if not reference or len(reference) > 64:
        raise DomainError(
            _("A reservation needs a reference of at most 64 characters."), code="invalid_reference"
        )
    wanted = defaultdict(int)
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
    levels = lock_levels(where=where if warehouse is None else where & Q(warehouse=warehouse))
    home = province_key(province)

    def rank(level):
        w = level.warehouse
        return (not home or province_key(w.province) != home, w.priority, w.pk)

    plan, short = [], []
    for sku_id, quantity in wanted.items():
        options = sorted((lv for lv in levels.values() if lv.sku_id == sku_id and lv.available > 0), key=rank)
        whole = next((lv for lv in options if lv.available >= quantity), None)
        if whole:
            plan.append((whole, quantity))
            continue
        total = sum(lv.available for lv in options)
        if total < quantity:
            short.append({"sku": skus[sku_id].code, "requested": quantity, "available": total})
            continue
        for level in options:
            take = min(level.available, quantity)
            plan.append((level, take))
            quantity -= take
            if not quantity:
                break
    if short:
        raise OutOfStock(
            _("Not enough stock: %(lines)s.")
            % {
                "lines": "; ".join(
                    _("%(sku)s wants %(requested)s, %(available)s available") % s for s in short
                )
            },
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


def _held(reference_type, reference) -> dict:
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
    levels = lock_levels(_held(reference_type, reference))
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
        for pair, quantity in _held(reference_type, reference).items()
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
    return _settle(
        kind=Kind.RELEASE, reference=reference, reference_type=reference_type, actor=actor, reason=reason
    )


@transaction.atomic
def stock_commit(*, reference, reference_type="order", actor=None) -> list[StockMovement]:
    """Ship the stock reserved for this order: on hand and reserved both go down."""
    return _settle(kind=Kind.SALE, reference=reference, reference_type=reference_type, actor=actor)


# -- warehouses, suppliers, rules ------------------------------------------------------------------
@transaction.atomic(durable=True)
def warehouse_save(*, actor, warehouse=None, **fields) -> Warehouse:
    """Create a warehouse, or change one; switching it on or off recounts its SKUs' rollups."""
    was_active = warehouse.is_active if warehouse and warehouse.pk else None
    warehouse = audited_save(warehouse or Warehouse(), actor=actor, action="inventory.warehouse_save", fields=fields)
    if was_active is not None and was_active != warehouse.is_active:
        levels = lock_levels(where=Q(warehouse=warehouse))
        rollup_rebuild(sku_ids={sku_id for sku_id, _w in levels})
    return warehouse


@transaction.atomic(durable=True)
def supplier_save(*, actor, supplier=None, **fields) -> Supplier:
    """Create a supplier, or change one."""
    return audited_save(supplier or Supplier(), actor=actor, action="inventory.supplier_save", fields=fields)


@transaction.atomic(durable=True)
def supplier_sku_set(*, supplier, sku, cost, actor) -> SupplierSku:
    """Record that the supplier supplies this SKU, at this cost."""
    item, _created = SupplierSku.objects.update_or_create(supplier=supplier, sku=sku, defaults={"cost": cost})
    record(actor, "inventory.supplier_sku_set", supplier, after={"sku": sku.code, "cost": cost})
    return item


@transaction.atomic(durable=True)
def supplier_sku_remove(*, item, actor) -> None:
    """Stop listing a SKU under a supplier."""
    record(
        actor,
        "inventory.supplier_sku_remove",
        item.supplier,
        before={"sku": item.sku.code, "cost": item.cost},
    )
    item.delete()


@transaction.atomic(durable=True)
def low_stock_rule_set(*, sku, kind, value, actor) -> LowStockRule:
    """Give a SKU its own low-stock threshold."""
    if kind not in LowStockRule.Kind.values or value < 0:
        raise DomainError(_("Choose a kind and a threshold of zero or more."), code="invalid_rule")
    _lock_rollups([sku.pk])
    rule = LowStockRule.objects.filter(sku=sku).first() or LowStockRule(sku=sku)
    rule = audited_save(
        rule, actor=actor, action="inventory.low_stock_rule_set", fields={"kind": kind, "value": value}
    )
    _rollup_threshold(sku.pk)
    return rule


def _rollup_threshold(sku_id):
    """Copy a SKU's rule into its (locked) rollup row and recompute `is_low`."""
    rules = LowStockRule.objects.filter(sku=OuterRef("sku"))
    rollups = SkuStock.objects.filter(sku_id=sku_id)
    rollups.update(
        threshold=Subquery(rules.filter(kind=LowStockRule.Kind.ABSOLUTE).values("value")),
        cover_days=Subquery(rules.filter(kind=LowStockRule.Kind.DAYS_OF_COVER).values("value")),
    )
    _refresh_thresholds(rollups)


@transaction.atomic(durable=True)
def low_stock_rule_delete(*, rule, actor) -> None:
    """Let a SKU fall back to the store's default threshold."""
    _lock_rollups([rule.sku_id])
    record(actor, "inventory.low_stock_rule_delete", rule.sku, before=snapshot(rule))
    rule.delete()
    _rollup_threshold(rule.sku_id)


# -- low-stock alerts --------------------------------------------------------------------------------
@transaction.atomic(durable=True)
def low_stock_alerts_run(*, now=None) -> dict:
    """Open an episode (and alert the warehouse team once) for each SKU that fell to its threshold;
    close the episodes of SKUs that are above it again."""
    from django.urls import reverse

    from shop.services import notify

    now = now or timezone.now()
    rollup_backfill()
    # Days of cover follow sales, which also age out of the 30-day window: refreshed here, set-based.
    _refresh_thresholds(_locked(SkuStock.objects.filter(cover_days__isnull=False)), now=now)
    low = {
        row["pk"]: {**row, "threshold": row["limit"]}
        for row in selectors.low_stock(now=now).values("pk", "available", "limit", code=F("sku__code"))
    }
    open_alerts = {a.sku_id: a for a in selectors.open_alerts().select_for_update()}
    closed = LowStockAlert.objects.filter(
        pk__in=[a.pk for s, a in open_alerts.items() if s not in low]
    ).update(closed_at=now)
    new = [row for pk, row in low.items() if pk not in open_alerts]
    LowStockAlert.objects.bulk_create(
        [
            LowStockAlert(
                sku_id=row["pk"], available=row["available"], threshold=row["threshold"], opened_at=now
            )
            for row in new
        ],
        ignore_conflicts=True,
    )
    if new:
        shown = sorted(new, key=lambda row: row["available"])[:20]
        notify(
            role="warehouse",
            email=True,
            kind="low_stock",
            url=reverse("inventory:low_stock"),
            title=ngettext("%(n)s SKU is low on stock", "%(n)s SKUs are low on stock", len(new))
            % {"n": len(new)},
            body="\n".join(
                _("%(code)s: %(available)s available (threshold %(threshold)s)") % row for row in shown
            ),
        )
    return {"opened": len(new), "closed": closed}


# -- purchase orders ----------------------------------------------------------------------------------
@transaction.atomic(durable=True)
def purchase_order_create(*, supplier, warehouse, lines, actor, note="") -> PurchaseOrder:
    """Draft a purchase order; lines are (sku, quantity, unit cost or None for the supplier's cost)."""
    return _purchase_order_create(supplier=supplier, warehouse=warehouse, lines=lines, actor=actor, note=note)


def _purchase_order_create(*, supplier, warehouse, lines, actor, note):
    if not lines:
        raise DomainError(_("Add at least one line."), code="empty")
    for _sku, quantity, _cost in lines:
        _check_quantity(quantity)
    costs = dict(
        SupplierSku.objects.filter(supplier=supplier, sku__in=[s for s, _q, _c in lines]).values_list(
            "sku_id", "cost"
        )
    )
    merged = {}
    for sku, quantity, cost in lines:
        line = merged.setdefault(sku.pk, PurchaseOrderLine(sku=sku, quantity=0, unit_cost=cost))
        line.quantity += quantity
        if line.unit_cost is None:
            line.unit_cost = costs.get(sku.pk, sku.cost) or 0
    order = PurchaseOrder.objects.create(
        supplier=supplier, warehouse=warehouse, note=note, created_by=Actor.of(actor).user
    )
    for line in merged.values():
        line.order = order
    PurchaseOrderLine.objects.bulk_create(merged.values())
    record(
        actor,
        "inventory.po_create",
        order,
        after={
            "supplier": supplier.name,
            "lines": [[ln.sku.code, ln.quantity, ln.unit_cost] for ln in merged.values()],
        },
    )
    return order


def _locked_order(order) -> PurchaseOrder:
    return PurchaseOrder.objects.select_for_update().get(pk=order.pk)


def _move(order, *, to, allowed, actor):
    order = _locked_order(order)
    if order.status not in allowed:
        raise Conflict(
            _("Purchase order %(po)s is %(status)s; it cannot be changed that way.")
            % {"po": order.number, "status": order.get_status_display()},
            code="illegal_state",
        )
    before = order.status
    order.status = to
    if to == PurchaseOrder.Status.ORDERED:
        order.ordered_at = timezone.now()
    order.save(update_fields=["status", "ordered_at"])
    record(actor, f"inventory.po_{to}", order, before={"status": before}, after={"status": to})
    return order


@transaction.atomic(durable=True)
def purchase_order_place(*, order, actor) -> PurchaseOrder:
    """Send a draft purchase order to its supplier."""
    return _move(order, to=PurchaseOrder.Status.ORDERED, allowed={PurchaseOrder.Status.DRAFT}, actor=actor)


@transaction.atomic(durable=True)
def purchase_order_cancel(*, order, actor) -> PurchaseOrder:
    """Cancel a purchase order that nothing was received against yet."""
    return _move(
        order,
        to=PurchaseOrder.Status.CANCELLED,
        allowed={PurchaseOrder.Status.DRAFT, PurchaseOrder.Status.ORDERED},
        actor=actor,
    )


@transaction.atomic(durable=True)
def purchase_order_receive(
    *, order, quantities, actor, confirm_over=False, expiries=None
) -> PurchaseOrder:
    """Receive goods against an ordered purchase order: {line: quantity}; each posts a receipt, as a
    batch expiring on `expiries[line]` when given.

    Receiving more than a line's outstanding quantity needs `confirm_over`."""
    expiries = {line.pk: date for line, date in (expiries or {}).items() if date}
    order = _locked_order(order)
    if order.status not in (PurchaseOrder.Status.ORDERED, PurchaseOrder.Status.PARTIAL):
        raise Conflict(
            _("Purchase order %(po)s is %(status)s; nothing can be received against it.")
            % {"po": order.number, "status": order.get_status_display()},
            code="illegal_state",
        )
    lines = {line.pk: line for line in order.lines.select_related("sku")}
    wanted = {lines[line.pk]: n for line, n in quantities.items() if n and line.pk in lines}
    if not wanted:
        raise InvalidQuantity(_("Enter the quantity received for at least one line."))
    over = [line.sku.code for line, n in wanted.items() if line.received + n > line.quantity]
    if over and not confirm_over:
        raise RuleRefused(
            _("More than ordered for %(skus)s: confirm to receive it anyway.") % {"skus": ", ".join(over)},
            code="over_receipt",
            skus=over,
        )
    for line, quantity in wanted.items():
        _receive(
            sku=line.sku,
            warehouse=order.warehouse,
            quantity=quantity,
            actor=actor,
            reference_type="po",
            reference=order.number,
            reason=order.supplier.name,
            expires_on=expiries.get(line.pk),
        )
        line.received += quantity
        line.save(update_fields=["received"])
    done = all(line.received >= line.quantity for line in lines.values())
    order.status = PurchaseOrder.Status.RECEIVED if done else PurchaseOrder.Status.PARTIAL
    order.save(update_fields=["status"])
    record(
        actor,
        "inventory.po_receive",
        order,
        after={"status": order.status, "lines": [[ln.sku.code, n] for ln, n in wanted.items()]},
    )
    return order


# -- stocktakes ---------------------------------------------------------------------------------------
@transaction.atomic(durable=True)
def stocktake_start(*, warehouse, actor, note="") -> Stocktake:
    """Open a count sheet for every SKU stocked in an active warehouse, with on-hand as expected."""
    _check_active(warehouse)
    stocktake = Stocktake.objects.create(warehouse=warehouse, note=note, created_by=Actor.of(actor).user)
    StocktakeLine.objects.bulk_create(
        StocktakeLine(stocktake=stocktake, sku_id=sku_id, expected=on_hand)
        for sku_id, on_hand in StockLevel.objects.filter(warehouse=warehouse).values_list("sku_id", "on_hand")
    )
    record(actor, "inventory.stocktake_start", stocktake, after={"warehouse": warehouse.code})
    return stocktake


def _locked_counting(stocktake) -> Stocktake:
    stocktake = Stocktake.objects.select_for_update().get(pk=stocktake.pk)
    if stocktake.status != Stocktake.Status.COUNTING:
        raise Conflict(
            _("Stocktake %(st)s is already approved.") % {"st": stocktake.number}, code="illegal_state"
        )
    return stocktake


@transaction.atomic(durable=True)
def stocktake_count(*, stocktake, counts, actor) -> Stocktake:
    """Enter counted quantities: {line: count}; a count of None leaves the line uncounted."""
    stocktake = _locked_counting(stocktake)
    changed = []
    for line, counted in counts.items():
        if counted is not None and (isinstance(counted, bool) or not isinstance(counted, int) or counted < 0):
            raise InvalidQuantity(_("Enter a whole number, zero or more."))
        if line.stocktake_id == stocktake.pk and line.counted != counted:
            line.counted = counted
            changed.append(line)
    StocktakeLine.objects.bulk_update(changed, ["counted"])
    record(
        actor,
        "inventory.stocktake_count",
        stocktake,
        after={"lines": [[ln.sku_id, ln.counted] for ln in changed]},
    )
    return stocktake


@transaction.atomic(durable=True)
def stocktake_approve(*, stocktake, actor) -> list[StockMovement]:
    """Approve a fully counted stocktake: each variance becomes a stocktake row in the ledger.

    The variance (counted - expected) is applied to on-hand as it is now, so sales during the count stay."""
    stocktake = _locked_counting(stocktake)
    lines = list(stocktake.lines.select_related("sku"))
    uncounted = [line.sku.code for line in lines if line.counted is None]
    if uncounted:
        raise DomainError(
            _("Count every line first; missing: %(skus)s.") % {"skus": ", ".join(uncounted[:20])},
            code="uncounted",
            skus=uncounted,
        )
    varied = [line for line in lines if line.variance]
    levels = lock_levels((line.sku_id, stocktake.warehouse_id) for line in varied)
    short = [
        line.sku.code
        for line in varied
        if levels[(line.sku_id, stocktake.warehouse_id)].on_hand + line.variance
        < levels[(line.sku_id, stocktake.warehouse_id)].reserved
    ]
    if short:
        raise Conflict(
            _("The count leaves less than is reserved for orders: %(skus)s.") % {"skus": ", ".join(short)},
            code="negative_stock",
            skus=short,
        )
    movements = [
        _post(
            levels[(line.sku_id, stocktake.warehouse_id)],
            kind=Kind.STOCKTAKE,
            on_hand=line.variance,
            actor=actor,
            reason=_("Stocktake variance"),
            reference_type="stocktake",
            reference=stocktake.number,
        )
        for line in varied
    ]
    stocktake.status, stocktake.approved_at = Stocktake.Status.APPROVED, timezone.now()
    stocktake.save(update_fields=["status", "approved_at"])
    record(
        actor,
        "inventory.stocktake_approve",
        stocktake,
        after={"variances": [[line.sku.code, line.variance] for line in varied]},
    )
    return movements


# -- replenishment ------------------------------------------------------------------------------------
@transaction.atomic(durable=True)
def replenishment_rule_set(
    *,
    sku,
    supplier,
    pack_size,
    actor,
    kind=ReplenishmentRule.Kind.FIXED,
    reorder_point=None,
    order_up_to=None,
    window_days=28,
    safety_stock=0,
) -> ReplenishmentRule:
    """Give a SKU its reorder rule: fixed (reorder point, order up to) or forecast (sales window, safety
    stock)."""
    if kind == ReplenishmentRule.Kind.FORECAST:
        window_days = 28 if window_days is None else window_days
        safety_stock = safety_stock or 0
        if not 1 <= window_days <= 365 or safety_stock < 0 or pack_size < 1:
            raise DomainError(
                _("The sales window is 1 to 365 days, safety stock zero or more, a pack at least 1."),
                code="invalid_rule",
            )
        reorder_point = order_up_to = 0
    elif kind == ReplenishmentRule.Kind.FIXED:
        if reorder_point is None or order_up_to is None:
            message = _("A fixed rule needs a reorder point and an order-up-to level.")
            field = "reorder_point" if reorder_point is None else "order_up_to"
            raise DomainError(message, code="invalid_rule", fields={field: message})
        if order_up_to <= reorder_point or pack_size < 1 or reorder_point < 0:
            raise DomainError(
                _("Order up to must be above the reorder point, and a pack holds at least 1."),
                code="invalid_rule",
            )
        window_days, safety_stock = window_days or 28, safety_stock or 0
    else:
        raise DomainError(_("Choose a kind of rule."), code="invalid_rule")
    rule = ReplenishmentRule.objects.filter(sku=sku).first() or ReplenishmentRule(sku=sku)
    return audited_save(
        rule,
        actor=actor,
        action="inventory.replenishment_rule_set",
        fields={
            "supplier": supplier,
            "kind": kind,
            "reorder_point": reorder_point,
            "order_up_to": order_up_to,
            "pack_size": pack_size,
            "window_days": window_days,
            "safety_stock": safety_stock,
        },
    )


@transaction.atomic(durable=True)
def replenishment_rule_delete(*, rule, actor) -> None:
    """Stop replenishing a SKU automatically."""
    record(actor, "inventory.replenishment_rule_delete", rule.sku, before=snapshot(rule))
    rule.delete()


def _packs(units, pack_size):
    return -(-units // pack_size) * pack_size


def replenishment_need(rule, *, position, daily_sales=None) -> int:
    """Units to order under a rule at this position (available + on order), in whole packs; 0 if none.

    Forecast: target = ⌈daily sales (simple moving average) × supplier lead time⌉ + safety stock."""
    if rule.kind == ReplenishmentRule.Kind.FORECAST:
        demand = (daily_sales or Decimal(0)) * rule.supplier.lead_time_days
        target = int(demand.to_integral_value(rounding=ROUND_CEILING)) + rule.safety_stock
        return _packs(target - position, rule.pack_size) if position < target else 0
    if position <= rule.reorder_point:
        return _packs(rule.order_up_to - position, rule.pack_size)
    return 0


@transaction.atomic(durable=True)
def replenishment_suggestions_run(*, actor=None, now=None) -> list[PurchaseOrder]:
    """Draft one purchase order per supplier for the SKUs whose rule calls for stock (fixed: available
    plus on order at or under the reorder point; forecast: under the forecast target), in whole packs,
    into the first warehouse."""
    rules = list(selectors.replenishment_rules().filter(supplier__is_active=True, sku__is_active=True))
    warehouse = selectors.active_warehouses().first()
    if not rules or warehouse is None:
        return []
    sku_ids = [rule.sku_id for rule in rules]
    available = dict(selectors.sku_stock().filter(pk__in=sku_ids).values_list("pk", "available"))
    ordered = selectors.on_order(sku_ids)
    daily = selectors.daily_sales(
        [r for r in rules if r.kind == ReplenishmentRule.Kind.FORECAST], now=now or timezone.now()
    )
    lines = defaultdict(list)
    for rule in rules:
        position = available.get(rule.sku_id, 0) + ordered.get(rule.sku_id, 0)
        need = replenishment_need(rule, position=position, daily_sales=daily.get(rule.sku_id))
        if need:
            lines[rule.supplier].append((rule.sku, need, None))
    return [
        _purchase_order_create(
            supplier=supplier,
            warehouse=warehouse,
            lines=supplier_lines,
            actor=actor,
            note=_("Replenishment suggestion"),
        )
        for supplier, supplier_lines in lines.items()
    ]
