"""Issue 11, money and orders: cash on delivery end to end, line refunds after a price adjustment,
late payments in settlement, zero totals, and one record of risk holds."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from orders import selectors as order_selectors
from orders import services as order_services
from orders.models import Carrier, DispatchRule, Order
from payments import selectors, services
from payments.models import Payment, RiskAssessment, SettlementBatch
from shop.errors import Conflict
from tests.payments.conftest import SECRETS, callback_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def carrier(db):
    return Carrier.objects.create(name="顺丰速运", code="sf", tracking_pattern=r"SF\d{12}")


def at(day, hour=12, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


# -- 1. cash on delivery ------------------------------------------------------------------------------------
def test_a_cod_order_waits_for_shipping_without_a_pay_by_and_is_never_closed(place_order, owner_client):
    order = place_order(method="cod")
    assert order.status == Order.Status.PENDING_PAYMENT and order.pay_by is None
    order_services.orders_close_unpaid(now=timezone.now() + timedelta(days=3))
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT
    assert order.pk in set(order_selectors.queue("allocate").values_list("pk", flat=True))
    page = owner_client.get(reverse("orders:order_detail", args=[order.pk])).content.decode()
    assert "付款截止" not in page and "货到付款" in page


def test_a_cod_order_ships_and_the_carriers_collection_pays_it_once(place_order, carrier, owner, client):
    order = place_order(method="cod", quantity=2)
    order_services.order_allocate(order=order, actor=owner)
    order_services.order_pick(order=order, actor=owner)
    order_services.order_ship(order=order, carrier=carrier, tracking_number="SF123456789012", actor=owner)
    order.refresh_from_db()
    assert order.status == Order.Status.SHIPPED and order.paid_at is None
    body = callback_body(order.number, order.total, "COD-SF123456789012")
    from payments.gateways import sign

    for _twice in range(2):
        response = client.post(
            "/api/v1/payments/cod/callback",
            data=body,
            content_type="application/json",
            HTTP_X_SIGNATURE=sign(SECRETS["cod"], body),
        )
        assert response.status_code == 200, response.content
    # staff pressing "mark collected" as well changes nothing
    payment = services.cod_collect(order=order, actor=owner)
    order.refresh_from_db()
    assert order.paid_at is not None and order.status == Order.Status.SHIPPED
    assert Payment.objects.filter(order=order).count() == 1
    assert (payment.amount, payment.method.code, payment.status) == (order.total, "cod", "captured")
    assert not order.refunds.exists()


def test_staff_mark_a_delivered_cod_order_collected_from_the_order_page(place_order, carrier, owner, owner_client):
    order = place_order(method="cod")
    with pytest.raises(Conflict):  # not shipped yet: nothing collected
        services.cod_collect(order=order, actor=owner)
    order_services.order_ship(order=order, carrier=carrier, tracking_number="SF123456789013", actor=owner)
    order_services.order_deliver(order=order, actor=owner)
    page = owner_client.get(reverse("orders:order_detail", args=[order.pk])).content.decode()
    assert reverse("payments:cod_collect", args=[order.pk]) in page
    owner_client.post(reverse("payments:cod_collect", args=[order.pk]))
    order.refresh_from_db()
    assert order.paid_at is not None and order.status == Order.Status.DELIVERED
    assert order.payments.get().amount == order.total
    yesterday = timezone.localdate()
    batch = services.settlement_build(method=order.payments.get().method, day=yesterday)
    assert batch.gross == order.total


def test_a_risky_cod_order_is_held_at_intake_and_stays_out_of_the_shipping_queue(place_order, owner):
    services.blacklist_add(kind="phone", value="13800138000", reason="拒收", actor=owner)
    order = place_order(method="cod")
    order.refresh_from_db()
    assert order.risk.decision == "held" and order.abnormal_reason == "risk"
    assert order.pk not in set(order_selectors.queue("allocate").values_list("pk", flat=True))


def test_cancelling_an_uncollected_cod_order_asks_for_no_refund(place_order, owner, django_capture_on_commit_callbacks):
    order = place_order(method="cod")
    order_services.order_allocate(order=order, actor=owner)
    with django_capture_on_commit_callbacks(execute=True):
        order_services.order_cancel(order=order, actor=owner, reason="客户不要了")
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED and not order.refunds.exists()


# -- 2. line refunds after order-level changes --------------------------------------------------------------
def test_a_line_refund_returns_what_the_line_was_charged_after_an_adjustment(make_order, pay, owner):
    order = make_order(total="200.00", lines=((1, "100.00"), (1, "100.00")))
    order = order_services.order_adjust_price(order=order, actor=owner, adjustment="-100.00", reason="老客户")
    payment = pay(order).payment
    assert payment.amount == Decimal("100.00")
    first, second = order.lines.order_by("pk")
    refund = services.refund_request(payment=payment, actor=owner, reason="退一件", lines={first.pk: 1})
    assert refund.amount == Decimal("50.00")
    rest = services.refund_request(payment=payment, actor=owner, reason="再退一件", lines={second.pk: 1})
    assert refund.amount + rest.amount == Decimal("100.00")


def test_charged_amounts_sum_to_the_goods_and_three_partial_refunds_return_a_whole_line(make_order, pay, owner):
    order = make_order(total="30.00", lines=((3, "10.00"), (1, "10.00"), (1, "10.00")))
    order = order_services.order_adjust_price(order=order, actor=owner, adjustment="-0.01", reason="抹零")
    charged = order_selectors.line_charges(order)
    assert sum(charged.values()) == Decimal("29.99")
    payment = pay(order).payment
    line = order.lines.order_by("pk").first()
    amounts = [
        services.refund_request(payment=payment, actor=owner, reason="退", lines={line.pk: 1}).amount for _i in range(3)
    ]
    assert sum(amounts) == charged[line.pk]


def test_three_partial_refunds_of_a_ten_yuan_line_return_all_of_it(make_order, pay, owner):
    payment = pay(make_order(total="10.00", lines=((3, "10.00"),))).payment
    line = payment.order.lines.get()
    amounts = [
        services.refund_request(payment=payment, actor=owner, reason="退", lines={line.pk: 1}).amount for _i in range(3)
    ]
    assert sum(amounts) == Decimal("10.00")
    payment.refresh_from_db()
    assert payment.refundable == Decimal("0.00")


def test_the_order_page_shows_what_a_line_was_charged(make_order, owner, owner_client):
    order = make_order(total="200.00", lines=((1, "100.00"), (1, "100.00")))
    order_services.order_adjust_price(order=order, actor=owner, adjustment="-100.00", reason="老客户")
    page = owner_client.get(reverse("orders:order_detail", args=[order.pk])).content.decode()
    assert page.count('data-testid="line-charged"') == 2 and "50.00" in page


# -- 3. settlement ------------------------------------------------------------------------------------------
def test_a_payment_whose_callback_comes_after_its_days_batch_lands_in_the_next_batch(make_order, pay):
    day = timezone.localdate() - timedelta(days=2)
    pay(make_order(total="10.00"), paid_at=at(day))
    first = services.settle_payments_run(day=day)
    late = pay(make_order(total="20.00"), paid_at=at(day, 23, 50)).payment  # callback after the batch
    pay(make_order(total="5.00"), paid_at=at(day + timedelta(days=1), 9))
    assert services.settle_payments_run(day=day)[0].pk == first[0].pk  # the day's batch is kept
    services.settle_payments_run(day=day + timedelta(days=1))
    late.refresh_from_db()
    next_batch = SettlementBatch.objects.get(method__code="alipay", day=day + timedelta(days=1))
    assert late.settlement_id == next_batch.pk
    assert (next_batch.payment_count, next_batch.gross) == (2, Decimal("25.00"))
    for batch in SettlementBatch.objects.all():
        linked = Payment.objects.filter(settlement=batch)
        assert batch.gross == sum((p.amount for p in linked), Decimal("0"))
    assert not Payment.objects.filter(settlement__isnull=True).exists()


# -- 4. zero totals -----------------------------------------------------------------------------------------
def test_an_adjustment_to_zero_pays_the_order_at_once(make_order, owner):
    order = make_order(total="100.00")
    order = order_services.order_adjust_price(order=order, actor=owner, adjustment="-100.00", reason="赠送")
    order.refresh_from_db()
    assert (order.total, order.status) == (Decimal("0.00"), Order.Status.PAID)
    assert order.pay_by is None or order_services.orders_close_unpaid(now=order.pay_by + timedelta(1)) == {"closed": 0}


# -- 5. one record of risk holds ----------------------------------------------------------------------------
def test_a_risk_hold_is_counted_the_same_everywhere(make_order, owner, owner_client):
    order = make_order(status=Order.Status.PAID)
    order_services.order_flag_abnormal(order=order, reason="risk", actor=owner, note="收货人可疑")
    held = RiskAssessment.objects.filter(decision="held")
    assert list(held.values_list("order_id", flat=True)) == [order.pk]
    assert selectors.finance_summary()["held"] == 1
    risk_page = owner_client.get(reverse("payments:risk_queue"))
    assert order.number in risk_page.content.decode()
    with pytest.raises(Conflict):  # released only by its review
        order_services.order_clear_abnormal(order=order, actor=owner)
    services.risk_approve(assessment=held.get(), actor=owner, note="核实")
    order.refresh_from_db()
    assert not order.is_abnormal and not RiskAssessment.objects.filter(decision="held").exists()


def test_a_rejected_risk_order_leaves_the_abnormal_list(make_order, owner):
    services.blacklist_add(kind="phone", value="13800138555", reason="", actor=owner)
    order = make_order(phone="13800138555", status=Order.Status.PAID)
    assessment = services.risk_assess(order=order)
    services.risk_reject(assessment=assessment, actor=owner, note="盗卡")
    assert not order_selectors.abnormal_orders().filter(pk=order.pk).exists()


# -- 6. dispatch-rule holds ---------------------------------------------------------------------------------
def test_approving_a_risk_review_does_not_release_a_dispatch_rule_hold(
    make_order, pay, owner, django_capture_on_commit_callbacks
):
    DispatchRule.objects.create(name="浙江人工审核", provinces="浙江", hold=True)
    services.blacklist_add(kind="phone", value="13800138444", reason="", actor=owner)
    order = make_order(phone="13800138444")
    with django_capture_on_commit_callbacks(execute=True):
        pay(order)  # the dispatch rule holds it, then the risk rules hold it too
    assessment = RiskAssessment.objects.get(order=order)
    assert assessment.decision == "held"
    services.risk_approve(assessment=assessment, actor=owner, note="核实为本人")
    order.refresh_from_db()
    assert (order.is_abnormal, order.abnormal_reason) == (True, "dispatch")
    assert "浙江人工审核" in order.abnormal_note


def test_a_dispatch_rule_hold_is_not_a_risk_hold(make_order, pay, owner):
    DispatchRule.objects.create(name="浙江人工审核", provinces="浙江", hold=True)
    order = make_order()
    pay(order)
    order.refresh_from_db()
    assert (order.is_abnormal, order.abnormal_reason) == (True, "dispatch")
    assert not RiskAssessment.objects.filter(decision="held").exists()
    order_services.order_clear_abnormal(order=order, actor=owner, note="已核实")
    order.refresh_from_db()
    assert not order.is_abnormal
