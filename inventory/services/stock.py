"""Staff and ERP stock changes: receive, adjust, transfer, ERP sync."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.models import (
    StockLevel,
    StockMovement,
)
from inventory.services.ledger import Kind, OutOfStock, _check_active, _check_quantity, _level, _post, lock_levels
from shop.audit import record
from shop.errors import Conflict, DomainError


def _receive(
    *, sku, warehouse, quantity, actor, reason="", reference_type="", reference="", expires_on=None, kind=Kind.RECEIPT
) -> StockMovement:
    """Goods coming in: a receipt, or (kind RETURN) goods a customer sent back."""
    _check_quantity(quantity)
    _check_active(warehouse)
    if expires_on is not None and expires_on < timezone.localdate():
        message = _("This expiry date has passed.")
        raise DomainError(message, code="expired", fields={"expires_on": message})
    movement = _post(
        _level(sku, warehouse),
        kind=kind,
        on_hand=quantity,
        actor=actor,
        reason=reason,
        reference_type=reference_type,
        reference=reference,
        expires_on=expires_on,
    )
    record(
        actor,
        "inventory.return" if kind == Kind.RETURN else "inventory.receive",
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
def stock_receive(*, sku, warehouse, quantity, actor, reason="", reference="", expires_on=None) -> StockMovement:
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


@transaction.atomic  # joins the caller's transaction: after-sales inspection restocks inside its own
def stock_return(*, sku, warehouse, quantity, actor, reason, reference, reference_type="aftersales") -> StockMovement:
    """Put returned goods back on hand in a warehouse: a `return` ledger row naming what sent them back."""
    return _receive(
        sku=sku,
        warehouse=warehouse,
        quantity=quantity,
        actor=actor,
        reason=reason,
        reference_type=reference_type,
        reference=reference,
        kind=Kind.RETURN,
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
    record(actor, "inventory.adjust", warehouse, after={"sku": sku.code, "quantity": quantity, "reason": reason})
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
            _("Only %(n)s of %(sku)s are available in %(w)s.") % {"n": out.available, "sku": sku.code, "w": source},
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
