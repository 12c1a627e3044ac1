"""Flash sales: setting a session up holds its units apart from stock; buyers racing for few units get exactly
that many, never more, within the per-customer limit; unpaid units go back to the session, unsold ones to
stock at the end (with ledger rows)."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from inventory.models import StockMovement
from marketing import flash, gate
from marketing.models import FlashClaim, FlashPurchase, FlashSaleItem, FlashSession
from orders import services
from orders.models import Order
from shop.errors import DomainError
from shop.models import AuditEntry
from tests.marketing.flash.conftest import level, pay, place, running_session

pytestmark = pytest.mark.usefixtures("seeded")


def test_setting_up_a_session_holds_its_units_with_ledger_rows(make_sku):
    sku = make_sku("FS-HOLD", stock=20)
    session, item = running_session(sku, quantity=8)
    assert level(sku) == (20, 8)
    row = StockMovement.objects.get(reference_type="flash_sale", reference=item.reference)
    assert (row.kind, row.reserved_delta) == ("reservation", 8)
    assert AuditEntry.objects.filter(action="marketing.flash_item_add").exists()
    assert session.status == "running"


def test_a_sale_quantity_above_the_stock_is_refused_and_nothing_is_written(make_sku):
    sku = make_sku("FS-BIG", stock=3)
    now = timezone.now()
    session = flash.flash_session_save(actor="test", name="场", starts_at=now, ends_at=now + timedelta(hours=1))
    with pytest.raises(DomainError) as caught:
        flash.flash_item_add(actor="test", session=session, sku=sku, sale_price="1.00", quantity=4)
    assert "quantity" in caught.value.data["fields"]
    assert not FlashSaleItem.objects.exists() and level(sku) == (3, 0)


@pytest.mark.parametrize(
    "change, field",
    [
        ({"ends_at": -1}, "ends_at"),
        ({"quantity": 0}, "quantity"),
        ({"per_customer_limit": 0}, "per_customer_limit"),
        ({"sale_price": "200.00"}, "sale_price"),
        ({"sale_price": "abc"}, "sale_price"),
    ],
)
def test_bad_input_is_named_on_its_field(make_sku, change, field):
    sku = make_sku(stock=10)
    now = timezone.now()
    if "ends_at" in change:
        with pytest.raises(DomainError) as caught:
            flash.flash_session_save(actor="test", name="场", starts_at=now, ends_at=now - timedelta(hours=1))
        assert not FlashSession.objects.exists()
    else:
        session = flash.flash_session_save(actor="test", name="场", starts_at=now, ends_at=now + timedelta(hours=1))
        args = {"sale_price": "9.00", "quantity": 2, "per_customer_limit": 1, **change}
        with pytest.raises(DomainError) as caught:
            flash.flash_item_add(actor="test", session=session, sku=sku, **args)
        assert not FlashSaleItem.objects.exists() and level(sku) == (10, 0)
    assert field in caught.value.data["fields"]


def test_overlapping_sessions_for_one_sku_are_refused(make_sku):
    sku = make_sku(stock=10)
    session, _item = running_session(sku, quantity=2)
    other = flash.flash_session_save(
        actor="test", name="二场", starts_at=session.starts_at + timedelta(minutes=30), ends_at=session.ends_at
    )
    with pytest.raises(DomainError) as caught:
        flash.flash_item_add(actor="test", session=other, sku=sku, sale_price="9.00", quantity=2)
    assert "already in the session" in caught.value.data["fields"]["sku"]


def test_an_order_pays_the_sale_price_and_takes_its_unit_from_the_session(make_sku):
    sku = make_sku("FS-BUY", stock=20)
    session, item = running_session(sku, quantity=5, price="9.90")
    order = place("FS-BUY", flash_sale_id=session.pk)
    item.refresh_from_db()
    assert (str(order.subtotal), item.remaining, item.sold) == ("9.90", 4, 1)
    assert level(sku) == (20, 5)  # the unit moved from the session's hold to the order's reservation
    assert StockMovement.objects.filter(reference_type="order", reference=order.number, reserved_delta=1).exists()
    settings_minutes = order.pay_by - order.placed_at
    assert settings_minutes <= timedelta(minutes=15)


def test_refusals_say_why(make_sku):
    sku = make_sku("FS-NO", stock=20)
    other = make_sku("FS-OTHER", stock=5)
    session, _item = running_session(sku, quantity=1, limit=1)
    for call, code, status in [
        (lambda: place("FS-NO", flash_sale_id=999_999), "flash_sale_unknown", 422),
        (lambda: place("FS-NO", flash_sale_id=session.pk, quantity=2), "flash_sale_limit", 422),
        (lambda: place(other.code, flash_sale_id=session.pk), "flash_sale_sku", 422),
    ]:
        with pytest.raises(DomainError) as caught:
            call()
        assert (caught.value.code, caught.value.status) == (code, status)
    place("FS-NO", flash_sale_id=session.pk)
    with pytest.raises(DomainError) as caught:
        place("FS-NO", flash_sale_id=session.pk, phone="13900139000")
    assert (caught.value.code, caught.value.status) == ("flash_sale_sold_out", 409)
    later = flash.flash_session_save(
        actor="test",
        name="明天",
        starts_at=timezone.now() + timedelta(days=1),
        ends_at=timezone.now() + timedelta(days=1, hours=1),
    )
    with pytest.raises(DomainError) as caught:
        place("FS-NO", flash_sale_id=later.pk)
    assert (caught.value.code, caught.value.status) == ("flash_sale_not_running", 422)


def test_the_per_customer_limit_counts_earlier_orders(make_sku):
    sku = make_sku("FS-LIM", stock=20)
    session, _item = running_session(sku, quantity=10, limit=2)
    place("FS-LIM", flash_sale_id=session.pk)
    place("FS-LIM", flash_sale_id=session.pk)
    with pytest.raises(DomainError) as caught:
        place("FS-LIM", flash_sale_id=session.pk)
    assert caught.value.code == "flash_sale_limit"
    assert FlashPurchase.objects.get().quantity == 2


def test_an_unpaid_order_that_closes_gives_its_unit_back_to_the_session(make_sku):
    sku = make_sku("FS-CLOSE", stock=20)
    session, item = running_session(sku, quantity=1)
    order = place("FS-CLOSE", flash_sale_id=session.pk)
    assert services.orders_close_unpaid(now=order.pay_by + timedelta(seconds=1)) == {"closed": 1}
    item.refresh_from_db()
    assert item.remaining == 1 and level(sku) == (20, 1)  # still held for the session, not back in stock
    assert FlashClaim.objects.get().returned_at is not None
    again = place("FS-CLOSE", flash_sale_id=session.pk)  # the same buyer may buy again: the limit came back
    assert again.status == Order.Status.PENDING_PAYMENT


def test_a_cancelled_order_gives_its_unit_back(make_sku):
    sku = make_sku("FS-CANCEL", stock=20)
    session, item = running_session(sku, quantity=2)
    order = place("FS-CANCEL", flash_sale_id=session.pk)
    services.order_cancel(order=order, actor="test", reason="不要了", by_customer=True)
    item.refresh_from_db()
    assert item.remaining == 2 and level(sku) == (20, 2)


def test_the_session_end_returns_unsold_units_to_stock_once(make_sku):
    sku = make_sku("FS-END", stock=20)
    session, item = running_session(sku, quantity=5)
    order = place("FS-END", flash_sale_id=session.pk)
    pay(order)
    later = session.ends_at + timedelta(seconds=1)
    assert flash.flash_sessions_settle(now=later) == {"sessions": 1, "returned": 4}
    assert flash.flash_sessions_settle(now=later) == {"sessions": 0, "returned": 0}
    item.refresh_from_db()
    assert (item.remaining, item.returned, item.sold) == (0, 4, 1)
    assert level(sku) == (20, 1)  # only the paid order's unit is still reserved
    rows = StockMovement.objects.filter(reference_type="flash_sale", reference=item.reference).order_by("pk")
    assert [(r.kind, r.reserved_delta) for r in rows] == [("reservation", 5), ("release", -1), ("release", -4)]
    assert "ended" in rows.last().reason
    session.refresh_from_db()
    assert session.settled_at is not None


def test_an_order_cancelled_after_the_end_returns_its_unit_to_stock(make_sku):
    sku = make_sku("FS-LATE", stock=20)
    session, item = running_session(sku, quantity=3)
    order = place("FS-LATE", flash_sale_id=session.pk)
    flash.flash_sessions_settle(now=session.ends_at + timedelta(seconds=1))
    services.order_cancel(order=order, actor="test", reason="太晚了", by_customer=True)
    item.refresh_from_db()
    assert (item.remaining, item.returned) == (0, 2) and level(sku) == (20, 0)


# -- under threads ---------------------------------------------------------------------------------------
def _buy(session_id, code, i, buyer, quantity=1):
    try:
        order, _created = services.order_place(
            external_id=f"RUSH-{code}-{i}",
            customer={"phone": f"1390000{buyer:04d}", "name": "抢购"},
            shipping_address={
                "name": "买家",
                "phone": "13800138000",
                "province": "上海",
                "city": "上海市",
                "district": "浦东新区",
                "detail": "世纪大道100号",
            },
            lines=[(code, quantity)],
            payment_method="wechat",
            flash_sale_id=session_id,
        )
        return ("ok", order.customer.phone, quantity)
    except DomainError as e:
        return (e.code, None, 0)
    finally:
        connection.close()


def _rush(make_sku, code, *, units=10, buyers=60, limit=2, threads=8):
    sku = make_sku(code, stock=units + 20)
    session, item = running_session(sku, quantity=units, limit=limit)
    # Each buyer tries three times (one or two units): some try past their limit.
    with ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(lambda i: _buy(session.pk, code, i, i % (buyers // 3), 1 + i % 2), range(buyers)))
    item.refresh_from_db()
    sold = sum(q for status, _p, q in results if status == "ok")
    assert sold == units and item.remaining == 0  # exactly N sold, never more
    assert sum(Order.objects.filter(flash_sale_id=session.pk).values_list("lines__quantity", flat=True)) == units
    per_buyer: dict = {}
    for status, phone, quantity in results:
        if status == "ok":
            per_buyer[phone] = per_buyer.get(phone, 0) + quantity
    assert max(per_buyer.values()) <= limit
    assert {status for status, _p, _q in results} <= {"ok", "flash_sale_sold_out", "flash_sale_limit"}
    assert level(sku) == (units + 20, units)  # every sold unit reserved once for its order; none for the session
    return results


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("without_intake_rules")
def test_many_buyers_for_few_units_get_exactly_that_many(make_sku, settings):
    settings.FLASH_SALE_GATE = "database"  # the guarded UPDATE alone (the only path without Redis)
    _rush(make_sku, "RUSH-1")


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("without_intake_rules")
@pytest.mark.skipif(not settings.REDIS_URL, reason="the Redis gate needs REDIS_URL (and PostgreSQL: DATABASE_URL)")
def test_with_the_redis_gate_exactly_that_many_too(make_sku, settings):
    settings.FLASH_SALE_GATE = "redis"
    assert gate.enabled()
    results = _rush(make_sku, "RUSH-2", units=20, buyers=200, threads=16)
    assert sum(1 for r in results if r[0] == "flash_sale_sold_out") > 0


@pytest.mark.skipif(not settings.REDIS_URL, reason="the Redis gate needs REDIS_URL")
def test_the_gate_gets_units_back_from_closed_orders_and_failed_intakes(make_sku, settings):
    settings.FLASH_SALE_GATE = "redis"
    sku = make_sku("FS-GATE", stock=10)
    session, item = running_session(sku, quantity=1)
    with pytest.raises(DomainError):  # the intake fails after the gate took the unit: the gate gets it back
        place("FS-GATE", flash_sale_id=session.pk, method="no-such-method")
    order = place("FS-GATE", flash_sale_id=session.pk)
    with pytest.raises(DomainError) as caught:
        place("FS-GATE", flash_sale_id=session.pk, phone="13900139000")
    assert caught.value.code == "flash_sale_sold_out"
    services.orders_close_unpaid(now=order.pay_by + timedelta(seconds=1))
    again = place("FS-GATE", flash_sale_id=session.pk, phone="13900139000")
    item.refresh_from_db()
    assert again.pk and item.remaining == 0


def test_a_change_made_on_another_server_reaches_this_one_at_once(make_sku):
    """The intake keeps a session's items in the process (5 s); a change made by another process or host drops
    that copy through the shared cache's version of the session, not after the 5 s."""
    make_sku("FS-ONE", stock=20)
    new = make_sku("FS-TWO", stock=20)
    session, _item = running_session(flash.Sku.objects.get(code="FS-ONE"), quantity=5)
    place("FS-ONE", flash_sale_id=session.pk)  # this process now holds the session's items
    ours = dict(flash._CATALOGUE)
    flash.flash_item_add(actor="test", session=session, sku=new, sale_price="19.90", quantity=3, per_customer_limit=1)
    flash._CATALOGUE.update(ours)  # the other process's change could not touch this process's memory
    order = place("FS-TWO", phone="13900139000", flash_sale_id=session.pk)
    assert str(order.subtotal) == "19.90"
