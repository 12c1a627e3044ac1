"""The ledger: the one place stock moves. `lock_levels` locks stock rows (always in primary-key order,
with their SKUs' rollup rows after them); `_post` changes a locked row, writes its ledger row and keeps the
row's batches and the SKU's rollup."""

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.models import (
    StockBatch,
    StockLevel,
    StockMovement,
)
from inventory.services.rollup import _lock_rollups, _post_rollup
from shop.actors import Actor
from shop.errors import Conflict, DomainError

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
        message = _("Enter a non-zero whole number.") if allow_negative else _("Enter a whole number above zero.")
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
    batches = StockBatch.objects.filter(sku_id=level.sku_id, warehouse_id=level.warehouse_id, remaining__gt=0).order_by(
        F("expires_on").asc(nulls_last=True), "received_on", "pk"
    )
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


def _level(sku, warehouse):
    return lock_levels([(sku.pk, warehouse.pk)])[(sku.pk, warehouse.pk)]
