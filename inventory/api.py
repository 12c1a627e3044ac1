"""The ERP's stock API (DESIGN §4): read stock per SKU, set on-hand per warehouse, one by one or in bulk."""

import ninja
from django.utils.translation import gettext as _
from pydantic import Field

from inventory import selectors, services
from inventory.models import Warehouse
from shop.apiauth import api_actor, require_scope
from shop.errors import DomainError, NotFound

router = ninja.Router(tags=["stock"])
MAX_ITEMS = 1000


class StockCount(ninja.Schema):
    warehouse: str = Field(max_length=20)
    on_hand: int = Field(ge=0, le=2_000_000_000)


class SetStockIn(StockCount):
    reference: str = Field("", max_length=64)


class BulkItemIn(StockCount):
    sku: str = Field(max_length=64)


class BulkIn(ninja.Schema):
    items: list[BulkItemIn] = Field(min_length=1, max_length=MAX_ITEMS)
    reference: str = Field("", max_length=64)


def _stock(skus):
    levels = selectors.stock_levels().filter(sku__in=skus).order_by("sku__code", "warehouse__priority", "warehouse_id")
    result = {
        sku.code: {"sku": sku.code, "on_hand": 0, "reserved": 0, "available": 0, "warehouses": []} for sku in skus
    }
    for level in levels:
        row = result[level.sku.code]
        row["warehouses"].append(
            {
                "warehouse": level.warehouse.code,
                "on_hand": level.on_hand,
                "reserved": level.reserved,
                "available": level.available_units,
                "active": level.warehouse.is_active,
            }
        )
        if level.warehouse.is_active:
            row["on_hand"] += level.on_hand
            row["reserved"] += level.reserved
            row["available"] += level.available_units
    return list(result.values())


def _resolve(items):
    """(sku, warehouse, on_hand) for each item, or one 404 naming every unknown code."""
    codes = {item.sku for item in items}
    skus = {s.code: s for s in selectors.skus_by_code(codes)}
    warehouses = {w.code: w for w in Warehouse.objects.filter(code__in={item.warehouse for item in items})}
    errors = {}
    for i, item in enumerate(items):
        if item.sku not in skus:
            errors[f"items.{i}.sku"] = _("Unknown SKU %(code)s.") % {"code": item.sku}
        if item.warehouse not in warehouses:
            errors[f"items.{i}.warehouse"] = _("Unknown warehouse %(code)s.") % {"code": item.warehouse}
    if errors:
        raise NotFound(_("Unknown SKU or warehouse codes."), code="not_found", fields=errors)
    return [(skus[item.sku], warehouses[item.warehouse], item.on_hand) for item in items]


@router.get("/stock")
def stock_get(request, sku: str = ninja.Query(..., max_length=2000)):
    """Stock of one or more SKUs (comma-separated codes, at most 100): totals over active warehouses
    and each warehouse."""
    require_scope(request, "stock:read")
    codes = [c.strip() for c in sku.split(",") if c.strip()]
    if not codes or len(codes) > 100:
        raise DomainError(_("Give 1 to 100 SKU codes."), code="validation")
    skus = list(selectors.skus_by_code(codes))
    if not skus:
        raise NotFound(_("No SKU has these codes."))
    return {"items": _stock(skus)}


@router.post("/stock/bulk")  # before /stock/{sku}, which would take the path
def stock_bulk(request, payload: BulkIn):
    """Set on-hand stock for many SKU × warehouse pairs at once: all or nothing."""
    require_scope(request, "stock:write")
    items = _resolve(payload.items)
    services.stock_sync(items=items, actor=api_actor(request), reference=payload.reference)
    return {"items": _stock(list({sku.pk: sku for sku, _w, _n in items}.values()))}


@router.put("/stock/{sku}")
def stock_put(request, sku: str, payload: SetStockIn):
    """Set the on-hand stock of one SKU in one warehouse, as the ERP counted it."""
    require_scope(request, "stock:write")
    items = _resolve([BulkItemIn(sku=sku[:64], warehouse=payload.warehouse, on_hand=payload.on_hand)])
    services.stock_sync(items=items, actor=api_actor(request), reference=payload.reference)
    return _stock([items[0][0]])[0]
