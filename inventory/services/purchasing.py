"""Suppliers, the SKUs they supply, and purchase orders (draft -> ordered -> received)."""

from django.db import transaction
from django.utils.translation import gettext as _

from inventory.models import (
    PurchaseOrder,
    PurchaseOrderLine,
    Supplier,
    SupplierSku,
)
from inventory.services.ledger import InvalidQuantity, _check_quantity
from inventory.services.stock import _receive
from inventory.state import PO_MACHINE
from shop.actors import Actor
from shop.audit import audited_save, record
from shop.errors import DomainError, RuleRefused


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
        SupplierSku.objects.filter(supplier=supplier, sku__in=[s for s, _q, _c in lines]).values_list("sku_id", "cost")
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


def _move(order, *, action, actor) -> PurchaseOrder:
    """Move a purchase order along its machine (inventory.state) and audit it as `inventory.po_<status>`."""
    order = _locked_order(order)
    before = PO_MACHINE.move(order, action)
    record(actor, f"inventory.po_{order.status}", order, before={"status": before}, after={"status": order.status})
    return order


@transaction.atomic(durable=True)
def purchase_order_place(*, order, actor) -> PurchaseOrder:
    """Send a draft purchase order to its supplier."""
    return _move(order, action="place", actor=actor)


@transaction.atomic(durable=True)
def purchase_order_cancel(*, order, actor) -> PurchaseOrder:
    """Cancel a purchase order that nothing was received against yet."""
    return _move(order, action="cancel", actor=actor)


@transaction.atomic(durable=True)
def purchase_order_receive(*, order, quantities, actor, confirm_over=False, expiries=None) -> PurchaseOrder:
    """Receive goods against an ordered purchase order: {line: quantity}; each posts a receipt, as a
    batch expiring on `expiries[line]` when given.

    Receiving more than a line's outstanding quantity needs `confirm_over`."""
    expiries = {line.pk: date for line, date in (expiries or {}).items() if date}
    order = _locked_order(order)
    PO_MACHINE.move(order, "receive")  # to partial; rolled back with the rest if a line is refused
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
    if all(line.received >= line.quantity for line in lines.values()):
        PO_MACHINE.move(order, "complete")
    record(
        actor,
        "inventory.po_receive",
        order,
        after={"status": order.status, "lines": [[ln.sku.code, n] for ln, n in wanted.items()]},
    )
    return order
