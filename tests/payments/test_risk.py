"""Risk rules, the score, the hold and the review queue's approve / reject."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from orders.models import Order
from payments import scoring, services
from payments.models import RiskAssessment, RiskRule

pytestmark = pytest.mark.django_db


def kinds(order, ip=None):
    return {hit["rule"] for hit in scoring.score_order(order, ip=ip)[1]}


def test_velocity_per_phone(make_order):
    for _i in range(5):
        make_order(phone="13600136000", ship_detail=f"地址 {_i}")
    assert "velocity_phone" not in kinds(Order.objects.latest("pk"))
    sixth = make_order(phone="13600136000", ship_detail="另一个地址")
    assert "velocity_phone" in kinds(sixth)
    old = make_order(phone="13500135000", placed_at=timezone.now() - timedelta(hours=3))
    assert "velocity_phone" not in kinds(old)


def test_velocity_per_address(make_order):
    orders = [make_order(phone=f"1380000000{i}", ship_detail="同一小区 5 栋") for i in range(6)]
    assert "velocity_address" in kinds(orders[-1])
    assert "velocity_address" not in kinds(make_order(phone="13811111111", ship_detail="别处"))


def test_velocity_per_ip(make_order):
    for i in range(10):
        services.risk_assess(order=make_order(phone=f"1390000000{i}", ship_detail=f"路 {i}"), ip="203.0.113.7")
    eleventh = make_order(phone="13912345678", ship_detail="路 x")
    assert "velocity_ip" in kinds(eleventh, ip="203.0.113.7")
    assert "velocity_ip" not in kinds(eleventh, ip="198.51.100.1")
    assert "velocity_ip" not in kinds(eleventh)


def test_amount_over_the_threshold(make_order):
    assert "amount_over" in kinds(make_order(total="20000.01"))
    assert "amount_over" not in kinds(make_order(total="20000.00", phone="13100131000"))


def test_new_customer_with_a_large_order(make_order):
    first = make_order(total="6000.00", phone="13200132000")
    assert "new_customer_large" in kinds(first)
    second = make_order(total="6000.00", phone="13200132000", ship_detail="另一处")
    assert "new_customer_large" not in kinds(second)
    assert "new_customer_large" not in kinds(make_order(total="4999.99", phone="13300133000"))


def test_blacklisted_phone_and_address(make_order, owner):
    services.blacklist_add(kind="phone", value="+86 138-0013-8999", reason="拒收多次", actor=owner)
    services.blacklist_add(kind="address", value="杭州 西湖区 文三路90号", reason="欺诈", actor=owner)
    assert "blacklist_phone" in kinds(make_order(phone="13800138999", ship_detail="别处 1 号"))
    hit = make_order(phone="13700137001")  # ships to 浙江杭州西湖区文三路 90 号
    assert "blacklist_address" in kinds(hit)
    assert kinds(make_order(phone="13700137002", ship_detail="体育场路 1 号")) == set()


def test_a_disabled_rule_counts_nothing_and_weights_add_up(make_order, owner):
    order = make_order(total="30000.00")
    assert scoring.score_order(order) == (
        45,
        [
            {"rule": "amount_over", "weight": 20, "detail": scoring.score_order(order)[1][0]["detail"]},
            {"rule": "new_customer_large", "weight": 25, "detail": scoring.score_order(order)[1][1]["detail"]},
        ],
    )
    services.risk_rule_update(
        rule=RiskRule.objects.get(kind="amount_over"),
        actor=owner,
        is_enabled=False,
        weight=20,
        threshold=Decimal("20000"),
        window_minutes=60,
    )
    assert scoring.score_order(order)[0] == 25


def test_a_high_score_holds_the_order_and_approval_releases_it(make_order, owner):
    services.blacklist_add(kind="phone", value="13800138777", reason="", actor=owner)
    order = make_order(phone="13800138777", status=Order.Status.PAID)
    assessment = services.risk_assess(order=order)
    assert assessment.decision == "held" and assessment.score >= 50
    order.refresh_from_db()
    assert (order.is_abnormal, order.abnormal_reason) == (True, "risk")
    assert services.risk_assess(order=order).pk == assessment.pk  # assessed once
    services.risk_approve(assessment=assessment, actor=owner, note="核实为本人")
    order.refresh_from_db()
    assert not order.is_abnormal
    assert RiskAssessment.objects.get().decision == "approved"


def test_rejecting_a_held_paid_order_cancels_it_and_queues_its_refund(
    make_order, pay, owner, django_capture_on_commit_callbacks
):
    services.blacklist_add(kind="phone", value="13800138666", reason="", actor=owner)
    order = make_order(phone="13800138666", total="300.00")
    with django_capture_on_commit_callbacks(execute=True):
        pay(order)  # order_paid -> the risk receiver holds it
    assessment = RiskAssessment.objects.get(order=order)
    assert assessment.decision == "held"
    with django_capture_on_commit_callbacks(execute=True):
        services.risk_reject(assessment=assessment, actor=owner, note="盗卡")
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert order.refunds.get().amount == Decimal("300.00")
    assessment.refresh_from_db()
    assert assessment.decision == "rejected"


def test_a_low_score_passes(make_order):
    assessment = services.risk_assess(order=make_order(total="10.00", phone="13400134000"))
    assert (assessment.decision, assessment.score) == ("passed", 0)


def test_cash_on_delivery_orders_are_scored_at_intake(place_order, owner):
    services.blacklist_add(kind="phone", value="13800138000", reason="", actor=owner)
    order = place_order(method="cod")
    order.refresh_from_db()
    assert order.risk.decision == "held"
    assert (order.is_abnormal, order.abnormal_reason) == (True, "risk")


def test_velocity_per_ip_uses_the_ip_the_storefront_sent_with_the_order(make_order):
    for i in range(10):
        services.risk_assess(order=make_order(phone=f"1370000000{i}", ship_detail=f"街 {i}", client_ip="203.0.113.9"))
    eleventh = make_order(phone="13712345678", ship_detail="街 x", client_ip="203.0.113.9")
    assert "velocity_ip" in kinds(eleventh)


@pytest.mark.parametrize("typed", ["+86 138-0013-8777", "0086 13800138777", "(138) 0013 8777"])
def test_a_blacklisted_mobile_matches_however_it_was_typed(make_order, owner, typed):
    services.blacklist_add(kind="phone", value=typed, reason="拒收多次", actor=owner)
    assert "blacklist_phone" in kinds(make_order(phone="13800138777"))


def test_the_risk_sweep_scores_paid_orders_whose_task_was_lost(
    make_order, pay, owner, django_capture_on_commit_callbacks
):
    services.blacklist_add(kind="phone", value="13800138555", reason="", actor=owner)
    lost = make_order(phone="13800138555", total="300.00")
    with django_capture_on_commit_callbacks(execute=False):  # paid, but the risk task never reached the queue
        pay(lost)
    assert not RiskAssessment.objects.filter(order=lost).exists()
    just_paid = make_order(phone="13800138556", total="20.00")
    with django_capture_on_commit_callbacks(execute=False):
        pay(just_paid)
    assert services.risk_sweep(now=timezone.now()) == 0  # within the grace minutes the task is left to run
    later = timezone.now() + timedelta(minutes=10)
    assert services.risk_sweep(now=later) == 2
    assert RiskAssessment.objects.get(order=lost).decision == "held"
    lost.refresh_from_db()
    assert lost.is_abnormal
    assert services.risk_sweep(now=later) == 0  # run twice: nothing scored twice
