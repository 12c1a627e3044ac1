"""Stocktakes: a count sheet per warehouse, counts, approval posting the variances."""

from django.db import transaction
from django.utils.translation import gettext as _

from inventory.models import (
    StockLevel,
    StockMovement,
    Stocktake,
    StocktakeLine,
)
from inventory.services.ledger import InvalidQuantity, Kind, _check_active, _post, lock_levels
from inventory.state import STOCKTAKE_MACHINE
from shop.actors import Actor
from shop.audit import record
from shop.errors import Conflict, DomainError


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


def _lock_and_move(stocktake, action) -> Stocktake:
    """Lock the stocktake and move it along its machine (inventory.state), or raise IllegalTransition."""
    stocktake = Stocktake.objects.select_for_update().get(pk=stocktake.pk)
    STOCKTAKE_MACHINE.move(stocktake, action)
    return stocktake


@transaction.atomic(durable=True)
def stocktake_count(*, stocktake, counts, actor) -> Stocktake:
    """Enter counted quantities: {line: count}; a count of None leaves the line uncounted."""
    stocktake = _lock_and_move(stocktake, "count")
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
    stocktake = _lock_and_move(stocktake, "approve")  # rolled back with the rest if refused
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
    record(
        actor,
        "inventory.stocktake_approve",
        stocktake,
        after={"variances": [[line.sku.code, line.variance] for line in varied]},
    )
    return movements
