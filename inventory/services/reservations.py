"""Reservations for orders: reserve, release, ship (commit). They join the caller's transaction, because
order intake and shipping call them inside their own."""

from collections import defaultdict

from django.db import transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from inventory.models import (
    StockMovement,
)
from inventory.services.ledger import InvalidQuantity, Kind, OutOfStock, _check_quantity, _post, lock_levels
from shop.audit import record
from shop.china import province_key
from shop.errors import DomainError


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
