"""Intake's round trips: one intake's statements pinned; the set-based reservation keeps the ledger and the
rollups; store settings and payment methods are read from the cache and dropped when staff change them."""

import pytest
from django.core.cache import cache
from django.db import connection

from inventory.models import SkuStock, StockLevel, StockMovement
from payments.models import PaymentMethod
from payments.services import payment_method_update
from shop.errors import RuleRefused
from shop.selectors import store_settings, store_settings_row

pytestmark = pytest.mark.django_db

# A two-line order by a returning customer, the store settings and payment methods cached. PostgreSQL:
# idempotency and external-id checks, SKUs, customer (savepoint, select, release), four promotion reads,
# freight template, order number, order, lines, the method's daily limit, audit, stock read, one statement
# reserving (the guarded UPDATE of the stock rows, their ledger rows and the rollups as data-modifying CTEs),
# duplicate check, timeline (and stock_reserve's savepoint). SQLite takes three statements for the reservation
# and asks `SELECT changes()` after each of its two UPDATE … FROM statements. The report rollups' bumps of the
# placed order (reports.receivers) add 3: one INSERT … ON CONFLICT DO UPDATE each for the day, its three dimension
# rows and the hour.
INTAKE_QUERIES = 26


@pytest.fixture
def cached_rows(settings):
    settings.ROW_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


def _expected():
    return INTAKE_QUERIES + (4 if connection.vendor == "sqlite" else 0)


def test_one_intake_takes_a_pinned_number_of_queries(cached_rows, place, sku, make_sku, django_assert_num_queries):
    mug = make_sku("MUG-1", price="35.00", stock=5)
    place(("TEE-W-M", 1))  # the customer exists now, settings and methods are cached
    with django_assert_num_queries(_expected()):
        order = place(("TEE-W-M", 2), ("MUG-1", 1))
    assert order.lines.count() == 2
    levels = {level.sku_id: level for level in StockLevel.objects.filter(sku__in=[sku, mug])}
    assert (levels[sku.pk].reserved, levels[mug.pk].reserved) == (3, 1)
    moves = StockMovement.objects.filter(reference=order.number, kind=StockMovement.Kind.RESERVATION)
    assert sorted(moves.values_list("sku_id", "reserved_delta")) == sorted([(sku.pk, 2), (mug.pk, 1)])
    rollup = SkuStock.objects.get(sku=sku)
    assert (rollup.on_hand, rollup.reserved, rollup.available) == (10, 3, 7)


def test_the_set_based_reservation_keeps_the_low_stock_flag(place, sku):
    SkuStock.objects.filter(sku=sku).update(threshold=5)
    place(("TEE-W-M", 4))
    assert not SkuStock.objects.get(sku=sku).is_low  # 6 available
    place(("TEE-W-M", 1))
    rollup = SkuStock.objects.get(sku=sku)
    assert (rollup.available, rollup.is_low) == (5, True)


def test_a_short_line_reserves_nothing(place, sku, make_sku):
    make_sku("MUG-1", price="35.00", stock=1)
    with pytest.raises(Exception) as refused:
        place(("TEE-W-M", 2), ("MUG-1", 2))
    assert getattr(refused.value, "code", "") == "out_of_stock"
    assert sum(StockLevel.objects.values_list("reserved", flat=True)) == 0
    assert not StockMovement.objects.filter(kind=StockMovement.Kind.RESERVATION).exists()


def test_a_saved_store_setting_is_read_at_once(cached_rows):
    assert store_settings().unpaid_order_minutes != 17
    row = store_settings_row()
    row.unpaid_order_minutes = 17
    row.save()
    assert store_settings().unpaid_order_minutes == 17


def test_a_switched_off_payment_method_refuses_the_next_order(cached_rows, place, sku, owner):
    place(("TEE-W-M", 1))  # methods cached
    payment_method_update(method=PaymentMethod.objects.get(code="alipay"), actor=owner, is_enabled=False)
    with pytest.raises(RuleRefused) as refused:
        place(("TEE-W-M", 1))
    assert refused.value.code == "payment_method_disabled"
