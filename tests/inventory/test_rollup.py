"""The per-SKU rollup behind the low-stock scan: kept by the postings, the rules and the warehouses."""

import pytest

from catalog.models import Sku
from inventory import selectors, services
from inventory.models import SkuStock
from inventory.tasks import low_stock_alerts
from shop.selectors import store_settings

pytestmark = pytest.mark.django_db


def _rollup(sku):
    r = SkuStock.objects.get(sku=sku)
    return r.on_hand, r.reserved, r.available, r.threshold, r.is_low


def test_postings_rules_and_warehouses_keep_the_rollup(sku, warehouse, make_warehouse, owner):
    other = make_warehouse("GZ", province="广东")
    assert _rollup(sku) == (0, 0, 0, None, False)  # created with the SKU
    services.stock_receive(sku=sku, warehouse=warehouse, quantity=10, actor=owner)
    services.stock_receive(sku=sku, warehouse=other, quantity=5, actor=owner)
    services.stock_reserve(items=[(sku, 12)], reference="SO1")
    assert _rollup(sku) == (15, 12, 3, None, False)
    services.low_stock_rule_set(sku=sku, kind="absolute", value=3, actor=owner)
    assert _rollup(sku) == (15, 12, 3, 3, True)
    services.stock_commit(reference="SO1")
    services.stock_transfer(sku=sku, source=other, destination=warehouse, quantity=1, actor=owner)
    assert _rollup(sku) == (3, 0, 3, 3, True)
    services.stock_receive(sku=sku, warehouse=other, quantity=1, actor=owner)
    assert _rollup(sku)[4] is False
    services.warehouse_save(warehouse=other, actor=owner, is_active=False)  # its stock leaves the sums
    assert _rollup(sku) == (1, 0, 1, 3, True)
    services.warehouse_save(warehouse=other, actor=owner, is_active=True)
    assert _rollup(sku) == (4, 0, 4, 3, False)
    services.low_stock_rule_delete(rule=sku.low_stock_rule, actor=owner)
    assert _rollup(sku) == (4, 0, 4, None, False)
    assert list(selectors.rollup_mismatches()) == []


def test_low_stock_reads_the_rollup_with_the_store_default(make_sku, warehouse, owner):
    settings = store_settings()
    settings.low_stock_default_threshold = 5
    settings.save()
    low, fine, own = make_sku("LOW"), make_sku("FINE"), make_sku("OWN")
    services.stock_receive(sku=low, warehouse=warehouse, quantity=5, actor=owner)
    services.stock_receive(sku=fine, warehouse=warehouse, quantity=6, actor=owner)
    services.stock_receive(sku=own, warehouse=warehouse, quantity=6, actor=owner)
    services.low_stock_rule_set(sku=own, kind="absolute", value=6, actor=owner)
    assert sorted(s.code for s in selectors.low_stock()) == ["LOW", "OWN"]
    settings.low_stock_default_threshold = 6  # a store setting change needs no rewrite of the rollup
    settings.save()
    assert sorted(s.code for s in selectors.low_stock()) == ["FINE", "LOW", "OWN"]


def test_bulk_created_skus_get_their_rollup_from_the_job(make_sku, warehouse, owner):
    product = make_sku("SEED").product
    [bulk] = Sku.objects.bulk_create([Sku(product=product, code="BULK", price="1.00")])  # no signal
    assert not SkuStock.objects.filter(sku_id=bulk.pk).exists()
    low_stock_alerts()
    assert SkuStock.objects.filter(sku_id=bulk.pk).exists()
    assert "BULK" in {s.code for s in selectors.low_stock()}


def test_days_of_cover_thresholds_are_refreshed_by_the_job(sku, warehouse, owner):
    services.stock_receive(sku=sku, warehouse=warehouse, quantity=100, actor=owner)
    services.low_stock_rule_set(sku=sku, kind="days", value=10, actor=owner)
    services.stock_reserve(items=[(sku, 60)], reference="SO1")
    services.stock_commit(reference="SO1")  # 2 a day: 20 units of cover
    assert _rollup(sku)[3] == 20
    SkuStock.objects.filter(sku=sku).update(threshold=0, is_low=False)  # pretend the window moved
    services.low_stock_alerts_run()
    assert _rollup(sku)[3:] == (20, False)


def test_a_sku_switched_off_leaves_the_low_stock_list_and_comes_back_when_switched_on(sku, owner):
    services.low_stock_rule_set(sku=sku, kind="absolute", value=3, actor=owner)
    assert list(selectors.low_stock().values_list("sku__code", flat=True)) == [sku.code]
    sku.is_active = False
    sku.save()
    assert not selectors.low_stock().exists()
    sku.is_active = True
    sku.save()
    assert list(selectors.low_stock().values_list("sku__code", flat=True)) == [sku.code]
