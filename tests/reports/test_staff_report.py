"""Staff performance: per staff user, from every module's `staff_figures` answer, against direct aggregates."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from customers.models import CustomerMessage, MessageReply
from customers.services import message_receive, message_reply
from orders.models import OrderEvent
from orders.services import order_ship
from payments.models import Payment, PaymentMethod, Refund
from reports.queries.staff import staff_performance
from shop.hooks import hook_answers

pytestmark = pytest.mark.django_db
D = Decimal
HOUR = timedelta(hours=1)


@pytest.fixture
def work(make_sku, paid, carrier, make_staff):
    """Yesterday: clerk `w1` shipped two orders (3 h and 5 h after payment), `w2` one (10 h); `cs1` answered two
    messages first (after 1 h and 2 h) and replied once more to one of them; `f1` approved two refunds (30.00 +
    12.50) and rejected one. Two days ago `w1` shipped another order (outside the period)."""
    w1, w2 = make_staff("warehouse", username="w1"), make_staff("warehouse", username="w2")
    cs1, f1 = make_staff("customer_service", username="cs1"), make_staff("finance", username="f1")
    make_sku("S1", stock=50)
    noon = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0) - timedelta(days=1)
    orders = []
    for n, (clerk, waited, shipped_at) in enumerate(
        [(w1, 3, noon), (w1, 5, noon), (w2, 10, noon), (w1, 1, noon - timedelta(days=1))]
    ):
        order = paid(("S1", 1))
        order_ship(order=order, carrier=carrier, tracking_number=f"SF{n:012d}", actor=clerk)
        OrderEvent.objects.filter(order=order, kind="ship").update(created_at=shipped_at)
        type(order).objects.filter(pk=order.pk).update(paid_at=shipped_at - waited * HOUR)
        orders.append(order)
    for n, waited in enumerate((1, 2)):
        message, _new = message_receive(phone=f"1380013800{n}", subject="问题", text="有货吗", order_number="")
        reply = message_reply(message=message, actor=cs1, text="有的")
        MessageReply.objects.filter(pk=reply.pk).update(created_at=noon)
        CustomerMessage.objects.filter(pk=message.pk).update(created_at=noon - waited * HOUR, first_reply_at=noon)
    later = message_reply(message=message, actor=cs1, text="已发货")
    MessageReply.objects.filter(pk=later.pk).update(created_at=noon + HOUR)
    method = PaymentMethod.objects.get_or_create(code="alipay", defaults={"name": "支付宝"})[0]
    payment = Payment.objects.create(
        order=orders[0], method=method, transaction_id="TX1", amount=orders[0].total, paid_at=noon
    )
    for amount, status in (("30.00", "succeeded"), ("12.50", "approved"), ("5.00", "rejected")):
        Refund.objects.create(
            payment=payment,
            order=orders[0],
            amount=D(amount),
            reason="质量",
            status=status,
            decided_by=f1,
            decided_at=noon,
        )
    today = timezone.localdate()
    return {"users": (w1, w2, cs1, f1), "day": today - timedelta(days=1), "noon": noon}


def _yesterday(work):
    from reports.periods import Period

    return Period(work["day"], work["day"], preset="yesterday", compare="none")


def test_every_module_answers_the_hook_with_its_columns(work):
    period = _yesterday(work)
    keys = {c["key"] for answer in hook_answers("staff_figures", start=period.since, end=period.until) for c in answer}
    assert {"orders_shipped", "time_to_ship", "messages_answered", "first_response", "refunds_approved"} <= keys


def test_figures_per_staff_user_match_direct_aggregates(work):
    w1, w2, cs1, f1 = work["users"]
    period = _yesterday(work)
    report = staff_performance(start=period.since, end=period.until)
    rows = {r["user"].username: r["values"] for r in report.rows}
    assert set(rows) == {"w1", "w2", "cs1", "f1"}
    shipped = OrderEvent.objects.filter(
        kind="ship", actor=w1, created_at__gte=period.since, created_at__lt=period.until
    )
    assert rows["w1"]["orders_shipped"] == shipped.count() == 2
    assert rows["w1"]["time_to_ship"] == 4 * HOUR and rows["w2"]["time_to_ship"] == 10 * HOUR
    assert (rows["cs1"]["messages_answered"], rows["cs1"]["message_replies"]) == (2, 3)
    assert rows["cs1"]["first_response"] == timedelta(minutes=90)
    approved = Refund.objects.filter(decided_by=f1).exclude(status="rejected")
    assert rows["f1"]["refunds_approved"] == approved.count() == 2
    assert rows["f1"]["refunds_amount"] == sum(r.amount for r in approved) == D("42.50")
    assert rows["w1"]["messages_answered"] is None  # nothing of theirs in that column


def test_the_page_shows_hours_and_compares_with_the_day_before(client_as, work):
    client = client_as("owner")
    day = work["day"].isoformat()
    page = client.get("/reports/staff-performance/", {"preset": "custom", "start": day, "end": day})
    rows = {r["label"]: r for r in page.context["table"]["rows"]}
    assert rows["w1"]["time_to_ship"] == D("4.0") and rows["cs1"]["first_response"] == D("1.5")
    assert (rows["w1"]["orders_shipped"], rows["w1"]["orders_shipped__previous"]) == (2, 1)
    assert page.context["table"]["totals"]["orders_shipped"] == 3
    assert "refunds_amount" in {c["key"] for c in page.context["columns"]}
    csv = client.get("/reports/staff-performance/", {"preset": "custom", "start": day, "end": day, "export": "csv"})
    assert csv.status_code == 200 and "w1" in csv.content.decode("utf-8-sig")


def test_money_columns_only_for_roles_that_see_refunds(client_as, work):
    page = client_as("operations").get("/reports/staff-performance/", {"preset": "7d"})
    keys = {c["key"] for c in page.context["columns"]}
    assert "refunds_approved" in keys and "refunds_amount" not in keys


def test_customer_service_and_warehouse_see_only_their_own_row(client, work):
    w1, _w2, cs1, _f1 = work["users"]
    for user, name in ((cs1, "cs1"), (w1, "w1")):
        client.force_login(user)
        assert client.get("/reports/staff-performance/").status_code == 403
        page = client.get("/reports/staff-mine/", {"preset": "7d"})
        assert [r["label"] for r in page.context["table"]["rows"]] == [name]


@pytest.mark.parametrize(("role", "status"), [("finance", 200), ("operations", 200), ("marketing", 403)])
def test_who_sees_every_staff_user(client_as, role, status):
    assert client_as(role).get("/reports/staff-performance/").status_code == status
