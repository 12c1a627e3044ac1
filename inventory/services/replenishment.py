"""Replenishment rules and the suggestions job (draft purchase orders from the rules)."""

from collections import defaultdict
from decimal import ROUND_CEILING, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory import selectors
from inventory.models import (
    PurchaseOrder,
    ReplenishmentRule,
)
from inventory.services.purchasing import _purchase_order_create
from shop.audit import audited_save, record, snapshot
from shop.errors import DomainError


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
