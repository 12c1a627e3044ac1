"""Warehouses and low-stock thresholds."""

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from inventory.models import (
    LowStockRule,
    Warehouse,
)
from inventory.services.ledger import lock_levels
from inventory.services.rollup import _lock_rollups, _rollup_threshold, rollup_rebuild
from shop.audit import audited_save, record, snapshot
from shop.errors import DomainError


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
def low_stock_rule_set(*, sku, kind, value, actor) -> LowStockRule:
    """Give a SKU its own low-stock threshold."""
    if kind not in LowStockRule.Kind.values or value < 0:
        raise DomainError(_("Choose a kind and a threshold of zero or more."), code="invalid_rule")
    _lock_rollups([sku.pk])
    rule = LowStockRule.objects.filter(sku=sku).first() or LowStockRule(sku=sku)
    rule = audited_save(rule, actor=actor, action="inventory.low_stock_rule_set", fields={"kind": kind, "value": value})
    _rollup_threshold(sku.pk)
    return rule


@transaction.atomic(durable=True)
def low_stock_rule_delete(*, rule, actor) -> None:
    """Let a SKU fall back to the store's default threshold."""
    _lock_rollups([rule.sku_id])
    record(actor, "inventory.low_stock_rule_delete", rule.sku, before=snapshot(rule))
    rule.delete()
    _rollup_threshold(rule.sku_id)
