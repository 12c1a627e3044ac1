"""The whole after-sales workflow for each kind of request, through the services staff pages and the API call:
return + refund (restock through the stock ledger, exact line-level refund), exchange (replacement reserved,
then committed on shipping), refund-only before shipping (auto-approved); steps out of order refused."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from aftersales import services
from aftersales.models import AftersalesLine, AftersalesReason, AftersalesRequest, AutoApprovalRule
from aftersales.signals import request_closed
from inventory.models import StockLevel, StockMovement
from orders.models import OrderEvent
from payments.models import Refund
from payments.services import refund_approve
from shop.errors import DomainError
from shop.models import AuditEntry
from shop.state import IllegalTransition
from tests.aftersales.conftest import deliver_refund_callbacks

pytestmark = pytest.mark.django_db


def reason(code):
    return AftersalesReason.objects.get(code=code)


def submit(order, kind, lines, code="changed_mind", actor="api:shop", **kw):
    request, created = services.request_submit(
        order=order, kind=kind, reason=reason(code), lines=lines, actor=actor, **kw
    )
    assert created
    return request


def ledger_matches(sku, warehouse):
    level = StockLevel.objects.get(sku=sku, warehouse=warehouse)
    total = StockMovement.objects.filter(sku=sku, warehouse=warehouse).aggregate(s=Sum("on_hand_delta"))["s"]
    return level, total == level.on_hand


def test_return_from_request_to_refund(
    make_order, skus, warehouse, carrier, make_staff, django_capture_on_commit_callbacks
):
    cs, finance = make_staff("customer_service"), make_staff("finance")
    order = make_order()
    closed = []
    request_closed.connect(lambda sender, request, **kw: closed.append(request.number), weak=False, dispatch_uid="t1")
    request = submit(order, "return", [{"sku": "AS-TEE-M", "quantity": 1}, {"sku": "AS-MUG", "quantity": 1}])
    assert request.number.startswith("AS") and len(request.number) == 15
    assert request.status == "submitted" and request.respond_due_at is not None
    assert request.amount_asked == Decimal("144.00")  # 96.00 + 48.00 of the 240.00 goods charged
    order.refresh_from_db()
    assert order.aftersales_status == "requested"

    services.request_approve(request=request, actor=cs)
    request.refresh_from_db()
    assert request.status == "approved" and request.return_deadline and request.first_response_at
    services.request_return_shipment(request=request, carrier_code="sf", tracking_number="SF1234567890", actor="api:x")
    services.request_receive(request=request, actor=cs)
    request.refresh_from_db()
    assert request.status == "received" and request.refund_due_at is not None
    tee, mug = request.lines.order_by("order_line__sku_code")[1], request.lines.order_by("order_line__sku_code")[0]
    before = StockLevel.objects.get(sku=skus["tee"], warehouse=warehouse).on_hand
    services.request_inspect(
        request=request,
        actor=cs,
        outcomes={
            tee.pk: {"outcome": "restock", "warehouse": warehouse},
            mug.pk: {"outcome": "write_off", "reason": "杯子碎了"},
        },
    )
    level, consistent = ledger_matches(skus["tee"], warehouse)
    assert level.on_hand == before + 1 and consistent
    returned = StockMovement.objects.filter(kind="return", reference_type="aftersales", reference=request.number)
    assert returned.count() == 1
    assert StockLevel.objects.get(sku=skus["mug"], warehouse=warehouse).on_hand == 10  # written off: not restocked

    services.request_refund(request=request, actor=cs)
    request.refresh_from_db()
    refund = request.refund
    assert request.status == "refunded"
    assert (refund.source, refund.status, refund.amount, refund.refund_only) == (
        Refund.Source.AFTERSALES,
        "requested",  # finance approves it in payments
        Decimal("144.00"),
        False,
    )
    assert sorted(AftersalesLine.objects.filter(request=request).values_list("amount_refunded", flat=True)) == [
        Decimal("48.00"),
        Decimal("96.00"),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        refund_approve(refund=refund, actor=finance)
    [confirmed] = deliver_refund_callbacks(refund)
    assert confirmed.status == "succeeded"
    with django_capture_on_commit_callbacks(execute=True):
        services.request_close(request=request, actor=cs)
    request.refresh_from_db()
    order.refresh_from_db()
    assert request.status == "closed" and order.aftersales_status == "refunded"
    assert closed == [request.number]
    events = OrderEvent.objects.filter(order=order, kind="aftersales")
    kinds = list(events.values_list("data__request_status", flat=True))
    assert kinds == ["submitted", "approved", "awaiting_return", "received", "inspected", "refunded", "closed"]
    actions = set(AuditEntry.objects.filter(module="aftersales").values_list("action", flat=True))
    assert {"aftersales.request_approve", "aftersales.request_refund", "aftersales.request_close"} <= actions


def test_exchange_reserves_the_replacement_then_commits_it_on_shipping(make_order, skus, warehouse, carrier, owner):
    order = make_order()
    request = submit(order, "exchange", [{"sku": "AS-TEE-M", "quantity": 1}], code="wrong_size")
    services.request_approve(request=request, actor=owner)
    services.request_receive(request=request, actor=owner)  # the parcel came before its tracking number
    line = request.lines.get()
    services.request_inspect(
        request=request,
        actor=owner,
        outcomes={line.pk: {"outcome": "restock", "warehouse": warehouse, "replacement_sku": skus["tee_l"]}},
    )
    level_l = StockLevel.objects.get(sku=skus["tee_l"], warehouse=warehouse)
    assert (level_l.on_hand, level_l.reserved) == (10, 1)
    with pytest.raises(IllegalTransition):  # an exchange is never refunded
        services.request_refund(request=request, actor=owner)
    with pytest.raises(DomainError) as bad:
        services.request_ship_replacement(request=request, carrier=carrier, tracking_number="nope", actor=owner)
    assert bad.value.code == "invalid_tracking_number"
    services.request_ship_replacement(request=request, carrier=carrier, tracking_number="SF9876543210", actor=owner)
    level_l.refresh_from_db()
    assert (level_l.on_hand, level_l.reserved) == (9, 0)
    level, consistent = ledger_matches(skus["tee_l"], warehouse)
    assert consistent
    services.request_close(request=request, actor=owner)
    order.refresh_from_db()
    request.refresh_from_db()
    assert (request.status, request.replacement_tracking, request.refund) == ("closed", "SF9876543210", None)
    assert order.aftersales_status == "exchanged"


def test_refund_only_before_shipping_is_auto_approved_and_refunded(make_order):
    AutoApprovalRule.objects.create(name="未发货", kind="refund_only", max_amount=Decimal("300"), only_unshipped=True)
    order = make_order(delivered_days_ago=None)
    request = submit(order, "refund_only", [{"sku": "AS-MUG", "quantity": 1}], code="no_longer_wanted")
    request.refresh_from_db()
    assert request.status == "refunded" and request.auto_approved_by is not None
    assert request.refund.amount == Decimal("48.00") and request.refund.refund_only
    assert request.return_address == ""  # nothing comes back
    order.refresh_from_db()
    assert order.aftersales_status == "in_progress"


def test_refund_only_over_the_rule_amount_waits_for_staff(make_order, owner):
    AutoApprovalRule.objects.create(name="小额", kind="refund_only", max_amount=Decimal("50"), only_unshipped=True)
    order = make_order(delivered_days_ago=None)
    request = submit(order, "refund_only", [{"sku": "AS-TEE-M", "quantity": 1}], code="no_longer_wanted")
    assert request.status == "submitted" and request.refund is None  # 96.00 is over the rule's 50
    services.request_approve(request=request, actor=owner)
    services.request_refund(request=request, actor=owner)
    request.refresh_from_db()
    assert request.status == "refunded"


def test_steps_out_of_order_are_refused_and_change_nothing(make_order, owner, warehouse):
    order = make_order()
    request = submit(order, "return", [{"sku": "AS-TEE-M", "quantity": 1}])
    for step in (services.request_receive, services.request_refund, services.request_close):
        with pytest.raises(IllegalTransition) as refused:
            step(request=request, actor=owner)
        assert refused.value.status == 409
    with pytest.raises(IllegalTransition):
        services.request_inspect(request=request, actor=owner, outcomes={})
    services.request_reject(request=request, actor=owner, reason="商品已使用")
    with pytest.raises(IllegalTransition):
        services.request_approve(request=request, actor=owner)
    with pytest.raises(IllegalTransition):
        services.request_cancel(request=request, actor="api:shop")
    request.refresh_from_db()
    assert request.status == "rejected" and request.refusal_reason == "商品已使用"
    assert not StockMovement.objects.filter(reference_type="aftersales").exists()
    assert not Refund.objects.exists()


def test_inspection_needs_an_outcome_for_every_line(make_order, owner, warehouse):
    request = submit(make_order(), "return", [{"sku": "AS-TEE-M", "quantity": 2}])
    services.request_approve(request=request, actor=owner)
    services.request_receive(request=request, actor=owner)
    line = request.lines.get()
    with pytest.raises(DomainError) as missing:
        services.request_inspect(request=request, actor=owner, outcomes={line.pk: {"outcome": "write_off"}})
    assert missing.value.code == "inspection_incomplete"
    request.refresh_from_db()
    assert request.status == "received"


def test_customer_cancels_a_submitted_request_and_its_units_are_free_again(make_order):
    order = make_order()
    request = submit(order, "return", [{"sku": "AS-TEE-M", "quantity": 2}])
    services.request_cancel(request=request, actor="api:shop")
    request.refresh_from_db()
    order.refresh_from_db()
    assert request.status == "cancelled" and order.aftersales_status == "closed"
    again = submit(order, "return", [{"sku": "AS-TEE-M", "quantity": 2}])
    assert again.status == "submitted"


def test_two_partial_returns_of_one_line_refund_its_charge_to_the_cent(make_order, owner, warehouse):
    # 3 tees for 100.00 with a 0.01 order discount: goods 99.99, shares 33.33 + 33.33 + the remaining 33.33
    order = make_order(lines=[("tee", 3, "100.00")], discount="0.01", shipping="0.00")
    amounts = []
    for quantity in (1, 2):
        request = submit(order, "return", [{"sku": "AS-TEE-M", "quantity": quantity}])
        services.request_approve(request=request, actor=owner)
        services.request_receive(request=request, actor=owner)
        services.request_inspect(
            request=request,
            actor=owner,
            outcomes={request.lines.get().pk: {"outcome": "restock", "warehouse": warehouse}},
        )
        services.request_refund(request=request, actor=owner)
        request.refresh_from_db()
        amounts.append(request.refund.amount)
    assert amounts == [Decimal("33.33"), Decimal("66.66")]
    assert sum(amounts) == order.total


def test_an_after_sales_refund_takes_back_the_points_the_order_earned(
    make_order, owner, make_staff, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from customers.models import PointsEntry
    from customers.services import points_earn_for_order
    from orders.models import Order

    order = make_order()
    Order.objects.filter(pk=order.pk).update(status="completed", completed_at=timezone.now())
    order.refresh_from_db()
    earned = points_earn_for_order(customer=order.customer, order_number=order.number, amount=order.total)
    request = submit(order, "refund_only", [{"sku": "AS-TEE-M", "quantity": 1}], code="quality")
    services.request_approve(request=request, actor=owner)
    services.request_refund(request=request, actor=owner)
    request.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        refund_approve(refund=request.refund, actor=make_staff("finance"))
    deliver_refund_callbacks(request.refund)
    reversed_ = PointsEntry.objects.get(order_number=order.number, kind="reverse")
    # 96.00 of the 250.00 paid came back: that share of the earned points goes too
    assert reversed_.points == -round(earned.points * Decimal("96") / Decimal("250"))
    assert reversed_.reference == f"refund:{request.refund.pk}"


def test_the_invariants_hold_after_a_refund_and_notice_a_broken_line(make_order, owner):
    from shop.invariants import invariants_check

    order = make_order(delivered_days_ago=None)
    request = submit(order, "refund_only", [{"sku": "AS-MUG", "quantity": 1}], code="no_longer_wanted")
    services.request_approve(request=request, actor=owner)
    services.request_refund(request=request, actor=owner)
    ours = [i for i in invariants_check() if i.rule.startswith("aftersales")]
    assert len(ours) == 2 and all(i.holds for i in ours)
    AftersalesLine.objects.filter(request=request).update(amount_refunded=Decimal("1.00"), quantity=5)
    assert [i.broken for i in invariants_check() if i.rule.startswith("aftersales")] == [1, 1]


def test_an_auto_approved_refund_payments_refuses_leaves_the_request_approved(make_order, owner):
    from payments.models import Payment
    from payments.services import refund_request

    AutoApprovalRule.objects.create(name="全部仅退款", kind="refund_only", only_unshipped=True)
    order = make_order(delivered_days_ago=None)
    refund_request(payment=Payment.objects.get(order=order), actor=owner, reason="线下已全额退款")
    request = submit(order, "refund_only", [{"sku": "AS-MUG", "quantity": 1}], code="no_longer_wanted")
    request.refresh_from_db()
    assert (request.status, request.refund, request.auto_approved_by is not None) == ("approved", None, True)
    assert Refund.objects.filter(order=order).count() == 1


def test_an_answered_request_is_no_longer_shown_overdue(make_order, owner):
    from datetime import timedelta

    from django.utils import timezone

    request = submit(make_order(), "return", [{"sku": "AS-TEE-M", "quantity": 1}])
    AftersalesRequest.objects.filter(pk=request.pk).update(respond_due_at=timezone.now() - timedelta(hours=1))
    request.refresh_from_db()
    assert request.is_overdue
    services.requests_sla_sweep(now=timezone.now())
    services.request_approve(request=request, actor=owner)
    request.refresh_from_db()
    assert not request.is_overdue and request.overdue_at is None
