"""The refund and risk-review flows are one table each (payments/state.py): a move the status does not allow is
refused with the one error type every state machine raises (409, code illegal_transition), and the message a
finance clerk sees still says what is wrong."""

import pytest
from django.urls import reverse

from payments import services
from payments.gateways import RefundNotice
from payments.models import Refund, RiskAssessment
from payments.state import REFUND, RISK
from shop.state import IllegalTransition

pytestmark = pytest.mark.django_db


@pytest.fixture
def refund(make_order, pay, owner):
    payment = pay(make_order(total="100.00")).payment
    return services.refund_request(payment=payment, actor=owner, reason="顾客不想要了")


def test_every_refund_and_risk_status_is_on_its_machine():
    for machine, choices, initial in (
        (REFUND, Refund.Status, {Refund.Status.REQUESTED}),
        (RISK, RiskAssessment.Decision, {RiskAssessment.Decision.PASSED, RiskAssessment.Decision.HELD}),
    ):
        reached = set(initial)
        for sources, target in machine.transitions.values():
            assert set(sources) <= set(choices.values) and target in choices.values
            reached.add(target)
        assert reached == set(choices.values)


def test_approving_a_rejected_refund_is_an_illegal_transition(refund, owner):
    services.refund_reject(refund=refund, actor=owner, note="重复申请")
    with pytest.raises(IllegalTransition) as refused:
        services.refund_approve(refund=refund, actor=owner)
    assert (refused.value.code, refused.value.status) == ("illegal_transition", 409)
    assert refused.value.message == "只有待审批的退款才能批准。"
    refund.refresh_from_db()
    assert refund.status == "rejected"


def test_rejecting_an_approved_refund_is_refused_and_keeps_its_reservation(refund, owner):
    services.refund_approve(refund=refund, actor=owner)
    with pytest.raises(IllegalTransition, match="只有待审批的退款才能驳回"):
        services.refund_reject(refund=refund, actor=owner)
    refund.payment.refresh_from_db()
    assert refund.payment.refund_reserved == refund.amount


def test_a_provider_callback_for_a_refund_not_sent_is_an_illegal_transition(refund):
    notice = RefundNotice(
        refund_id=str(refund.idempotency_key), provider_refund_id="RF1", amount=refund.amount, status="succeeded"
    )
    with pytest.raises(IllegalTransition, match="该退款尚未提交渠道。") as refused:
        services.refund_callback_record(provider="alipay", notice=notice)
    assert refused.value.code == "illegal_transition"


def test_reviewing_an_order_not_held_is_an_illegal_transition(make_order, owner):
    assessment = services.risk_assess(order=make_order(status="paid"))
    assert assessment.decision == "passed"
    for review in (services.risk_approve, services.risk_reject):
        with pytest.raises(IllegalTransition, match="该订单不在风控审核中。") as refused:
            review(assessment=assessment, actor=owner)
        assert refused.value.code == "illegal_transition"
    assessment.order.refresh_from_db()
    assert assessment.order.status == "paid"  # a refused rejection cancels nothing


def test_the_page_shows_why_a_second_approval_is_refused(client, make_staff, refund, owner):
    services.refund_reject(refund=refund, actor=owner)
    client.force_login(make_staff("finance"))
    response = client.post(reverse("payments:refund_approve", args=[refund.pk]), follow=True)
    assert "只有待审批的退款才能批准。" in response.content.decode()
