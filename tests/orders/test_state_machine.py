"""Each move of the order state machine, its refusals, its timeline and audit entries, and stock."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from inventory.models import StockMovement
from orders import services
from orders.models import Order, OrderEvent
from orders.signals import order_paid, refund_requested
from shop.errors import Conflict, DomainError
from shop.models import AuditEntry
from shop.state import IllegalTransition
from tests.orders.conftest import available, reserved

pytestmark = pytest.mark.django_db
S = Order.Status


def test_paying_moves_to_paid_and_keeps_the_reservation(place, sku, django_capture_on_commit_callbacks):
    order = place(("TEE-W-M", 2))
    received = []
    order_paid.connect(lambda sender, order, **kw: received.append(order.number), weak=False, dispatch_uid="t1")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.order_mark_paid(order=order, amount=Decimal("199.00"), paid_at=timezone.now())
    finally:
        order_paid.disconnect(dispatch_uid="t1")
    order.refresh_from_db()
    assert order.status == S.PAID and order.paid_at and order.priority_at
    assert reserved(sku) == 2 and received == [order.number]
    with pytest.raises(IllegalTransition):
        services.order_mark_paid(order=order, amount=order.total, paid_at=timezone.now())


def test_paying_the_wrong_amount_is_refused(place, sku):
    order = place(("TEE-W-M", 1))
    with pytest.raises(Conflict) as e:
        services.order_mark_paid(order=order, amount="1.00", paid_at=timezone.now())
    assert e.value.code == "amount_mismatch"
    order.refresh_from_db()
    assert order.status == S.PENDING_PAYMENT


def test_full_happy_path_with_timeline_audit_and_stock(paid, sku, carrier, owner):
    order = paid(("TEE-W-M", 3))
    services.order_allocate(order=order, actor=owner)
    services.order_pick(order=order, actor=owner)
    shipment = services.order_ship(order=order, carrier=carrier, tracking_number="SF123456789012", actor=owner)
    assert shipment.tracking_link.endswith("SF123456789012")
    level = sku.stock_levels.get()
    assert (level.on_hand, level.reserved) == (7, 0)  # committed: it left the shelf
    services.order_deliver(order=order, actor=owner)
    services.order_complete(order=order, actor=owner)
    order.refresh_from_db()
    assert order.status == S.COMPLETED and order.shipped_at and order.delivered_at and order.completed_at
    kinds = list(OrderEvent.objects.filter(order=order).values_list("kind", flat=True))
    assert kinds == ["placed", "pay", "allocate", "pick", "ship", "deliver", "complete"]
    assert set(AuditEntry.objects.filter(object_id=str(order.pk)).values_list("action", flat=True)) >= {
        "orders.allocate",
        "orders.pick",
        "orders.ship",
        "orders.deliver",
        "orders.complete",
    }


@pytest.mark.parametrize(
    "service,kwargs",
    [
        (services.order_allocate, {}),
        (services.order_pick, {}),
        (services.order_deliver, {}),
        (services.order_complete, {}),
    ],
)
def test_illegal_moves_from_awaiting_payment_are_refused_with_a_message(place, sku, owner, service, kwargs):
    order = place(("TEE-W-M", 1))
    with pytest.raises(IllegalTransition) as e:
        service(order=order, actor=owner, **kwargs)
    assert order.number in e.value.message and e.value.status == 409
    order.refresh_from_db()
    assert order.status == S.PENDING_PAYMENT


def test_shipping_an_unpaid_order_is_refused(place, sku, carrier, owner):
    order = place(("TEE-W-M", 1))
    with pytest.raises(IllegalTransition):
        services.order_ship(order=order, carrier=carrier, tracking_number="SF123456789012", actor=owner)
    assert reserved(sku) == 1 and not order.shipments.exists()


@pytest.mark.parametrize("tracking", ["", "SF12345", "YT1234567890123", "SF1234567890123456", "SF1" * 20])
def test_tracking_numbers_must_match_the_carrier(paid, sku, carrier, owner, tracking):
    order = paid(("TEE-W-M", 1))
    with pytest.raises(DomainError) as e:
        services.order_ship(order=order, carrier=carrier, tracking_number=tracking, actor=owner)
    assert "tracking_number" in e.value.data["fields"]
    order.refresh_from_db()
    assert order.status == S.PAID


def test_a_tracking_number_is_used_once(paid, sku, carrier, owner):
    a, b = paid(("TEE-W-M", 1)), paid(("TEE-W-M", 1))
    shipment = services.order_ship(order=a, carrier=carrier, tracking_number="sf 1234 5678 9012", actor=owner)
    assert shipment.tracking_number == "SF123456789012"  # spaces dropped, letters as the carrier writes them
    with pytest.raises(Conflict):
        services.order_ship(order=b, carrier=carrier, tracking_number="SF123456789012", actor=owner)


def test_cancelling_unpaid_releases_stock_without_refund(place, sku, owner, django_capture_on_commit_callbacks):
    order = place(("TEE-W-M", 4))
    refunds = []
    refund_requested.connect(lambda sender, **kw: refunds.append(kw), weak=False, dispatch_uid="t2")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.order_cancel(order=order, actor=owner, reason="客户要求")
    finally:
        refund_requested.disconnect(dispatch_uid="t2")
    order.refresh_from_db()
    assert (order.status, order.cancel_reason) == (S.CANCELLED, "客户要求")
    assert reserved(sku) == 0 and available(sku) == 10 and refunds == []
    assert StockMovement.objects.filter(reference=order.number, kind="release").exists()
    with pytest.raises(IllegalTransition):
        services.order_cancel(order=order, actor=owner, reason="again")


def test_a_cancellation_takes_the_stock_rows_before_the_rollup_rows_as_intake_does(paid, sku, owner):
    """Intake locks the stock rows and then bumps the sales rollups (the hottest rows); a cancellation that bumped
    the rollup first and then waited for a stock row deadlocked with an intake (python -m reliability, PostgreSQL:
    "deadlock detected" answered as 503s). Every stock write of a cancellation comes before its rollup writes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    order = paid(("TEE-W-M", 2))
    with CaptureQueriesContext(connection) as queries:
        services.order_cancel(order=order, actor=owner, reason="客户要求")
    sql = [q["sql"] for q in queries.captured_queries]
    stock = [i for i, q in enumerate(sql) if "inventory_stocklevel" in q and not q.lstrip().startswith("SELECT")]
    stock += [i for i, q in enumerate(sql) if "inventory_stocklevel" in q and "FOR UPDATE" in q]
    rollups = [i for i, q in enumerate(sql) if "reports_sales" in q]
    assert stock and rollups and max(stock) < min(rollups)


def test_cancelling_a_paid_order_requests_its_refund(paid, sku, owner, django_capture_on_commit_callbacks):
    order = paid(("TEE-W-M", 2))
    services.order_allocate(order=order, actor=owner)
    refunds = []
    refund_requested.connect(lambda sender, **kw: refunds.append(kw), weak=False, dispatch_uid="t3")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.order_cancel(order=order, actor=owner, reason="缺货")
    finally:
        refund_requested.disconnect(dispatch_uid="t3")
    assert len(refunds) == 1
    assert (refunds[0]["order"].pk, refunds[0]["amount"], refunds[0]["reason"]) == (order.pk, Decimal("199.00"), "缺货")
    assert reserved(sku) == 0


def test_cancel_needs_a_reason_and_shipped_orders_cannot_cancel(paid, sku, carrier, owner):
    order = paid(("TEE-W-M", 1))
    with pytest.raises(DomainError):
        services.order_cancel(order=order, actor=owner, reason="  ")
    services.order_ship(order=order, carrier=carrier, tracking_number="SF123456789012", actor=owner)
    with pytest.raises(IllegalTransition):
        services.order_cancel(order=order, actor=owner, reason="晚了")


def test_abnormal_orders_wait_until_resolved(paid, sku, carrier, owner):
    order = paid(("TEE-W-M", 1))
    services.order_flag_abnormal(order=order, reason="out_of_stock", actor=None)
    with pytest.raises(Conflict) as e:
        services.order_ship(order=order, carrier=carrier, tracking_number="SF123456789012", actor=owner)
    assert e.value.code == "on_hold"
    services.order_clear_abnormal(order=order, actor=owner)
    services.order_ship(order=order, carrier=carrier, tracking_number="SF123456789012", actor=owner)
    services.order_flag_abnormal(order=order, reason="支付金额异常")
    order.refresh_from_db()
    assert (order.abnormal_reason, order.abnormal_note) == ("other", "支付金额异常")


def test_likely_duplicate_and_short_address_are_flagged(place, sku):
    first = place(("TEE-W-M", 1))
    second = place(("TEE-W-M", 1))
    assert not first.is_abnormal
    assert second.is_abnormal and second.abnormal_reason == "duplicate"


def test_price_adjustment_before_payment_with_audit(place, sku, owner):
    order = place(("TEE-W-M", 1))
    services.order_adjust_price(order=order, actor=owner, adjustment="-9.50", reason="老客户优惠")
    order.refresh_from_db()
    assert order.total == Decimal("90.00")
    entry = AuditEntry.objects.get(action="orders.adjust_price")
    assert entry.before["total"] == "99.50" and entry.after["total"] == "90.00"
    with pytest.raises(DomainError):
        services.order_adjust_price(order=order, actor=owner, adjustment="-1000", reason="x")
    services.order_mark_paid(order=order, amount=Decimal("90.00"), paid_at=timezone.now())
    with pytest.raises(IllegalTransition):
        services.order_adjust_price(order=order, actor=owner, adjustment="1", reason="x")


def test_address_changes_until_shipping(paid, sku, carrier, owner):
    order = paid(("TEE-W-M", 1))
    services.order_address_change(
        order=order,
        actor=owner,
        name="李四",
        phone="13900139000",
        province="浙江",
        city="杭州市",
        district="西湖区",
        detail="文三路1号",
        postcode="",
    )
    order.refresh_from_db()
    assert order.ship_name == "李四" and order.address_text == "浙江杭州市西湖区文三路1号"
    assert AuditEntry.objects.filter(action="orders.address_change").exists()
    services.order_ship(order=order, carrier=carrier, tracking_number="SF123456789012", actor=owner)
    with pytest.raises(IllegalTransition):
        services.order_address_change(
            order=order,
            actor=owner,
            name="王五",
            phone="13900139000",
            province="浙江",
            city="杭州市",
            district="西湖区",
            detail="文三路1号",
        )


def test_merged_orders_ship_together(paid, sku, carrier, owner):
    a = paid(("TEE-W-M", 1), now=timezone.now() - timedelta(hours=1))
    b = paid(("TEE-W-M", 2), note="second")
    lead = services.orders_merge(orders=[b, a], actor=owner)
    assert lead.pk == a.pk
    services.order_ship(order=a, carrier=carrier, tracking_number="SF123456789012", actor=owner)
    b.refresh_from_db()
    assert b.status == S.SHIPPED and reserved(sku) == 0


def test_orders_of_different_customers_do_not_merge(paid, place, sku, owner):
    a = paid(("TEE-W-M", 1))
    b = place(("TEE-W-M", 2))
    with pytest.raises(Conflict):
        services.orders_merge(orders=[a, b], actor=owner)


def test_payments_can_mark_paid_and_flag_inside_their_own_transaction(place, sku):
    from django.db import transaction

    order = place(("TEE-W-M", 1))
    with transaction.atomic():
        services.order_mark_paid(order=order, amount=order.total, paid_at=timezone.now(), actor="payments:alipay")
        services.order_flag_abnormal(order=order, reason="risk", actor=None)
    order.refresh_from_db()
    assert order.status == S.PAID and order.is_abnormal
    event = order.events.get(kind="pay")
    assert (event.actor_label, event.actor) == ("payments:alipay", None)


def test_api_shows_the_shipment_once_shipped(api, paid, sku, carrier, owner):
    order = paid(("TEE-W-M", 1))
    services.order_ship(order=order, carrier=carrier, tracking_number="SF123456789012", actor=owner)
    data = api("get", f"/orders/{order.number}").json()
    assert data["status"] == "shipped"
    assert data["shipments"] == [
        {
            "carrier": "sf",
            "tracking_number": "SF123456789012",
            "tracking_url": "https://www.sf-express.com/track?no=SF123456789012",
            "shipped_at": data["shipments"][0]["shipped_at"],
        }
    ]
