"""Daily settlement per method (to the cent, idempotent, T+N) and statement reconciliation."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from payments import services
from payments.models import Payment, Refund, SettlementBatch
from shop.errors import DomainError
from tests.payments.conftest import deliver_refund_callbacks

pytestmark = pytest.mark.django_db


def at(day, hour=12, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def yesterday():
    return timezone.localdate() - timedelta(days=1)


def test_a_days_batch_per_method_to_the_cent(make_order, pay, owner, yesterday):
    for total in ("100.00", "33.33", "0.75"):
        pay(make_order(total=total), paid_at=at(yesterday, 10))
    pay(make_order(total="999.00"), paid_at=at(yesterday + timedelta(days=1), 0, 1))  # the next day
    pay(make_order(total="500.00"), paid_at=at(yesterday - timedelta(days=1), 23, 59))  # the day before
    pay(make_order(total="200.00", method="card"), paid_at=at(yesterday, 0, 0))
    late = pay(make_order(total="80.00"), paid_at=at(yesterday, 9)).payment
    refund = services.refund_request(payment=late, actor=owner, reason="退款", amount=Decimal("10.00"))
    services.refund_approve(refund=refund, actor=owner)
    services.refund_send(refund_id=refund.pk)
    deliver_refund_callbacks(refund)
    Refund.objects.filter(pk=refund.pk).update(confirmed_at=at(yesterday, 20))

    batches = {b.method.code: b for b in services.settle_payments_run(now=at(yesterday + timedelta(days=1), 2))}
    alipay = batches["alipay"]
    # gross 100.00 + 33.33 + 0.75 + 80.00; fees 0.60 + 0.20 + 0.00 + 0.48 (0.6 %, half-up per payment)
    assert (alipay.payment_count, alipay.gross, alipay.fees, alipay.refunds, alipay.net) == (
        4,
        Decimal("214.08"),
        Decimal("1.28"),
        Decimal("10.00"),
        Decimal("202.80"),
    )
    assert alipay.due_on == yesterday + timedelta(days=1)  # T+1
    card = batches["card"]
    assert (card.gross, card.fees, card.net, card.due_on) == (
        Decimal("200.00"),
        Decimal("1.20"),
        Decimal("198.80"),
        yesterday + timedelta(days=2),
    )  # 0.55 % + 0.10, T+2
    assert batches["wechat"].gross == Decimal("0") and batches["wechat"].net == Decimal("0")
    assert Payment.objects.filter(settlement=alipay).count() == 4


def test_settling_twice_keeps_one_batch_per_method_and_day(make_order, pay, yesterday):
    pay(make_order(total="10.00"), paid_at=at(yesterday))
    first = services.settle_payments_run(day=yesterday)
    late = pay(make_order(total="20.00"), paid_at=at(yesterday, 13)).payment  # arrives after the batch
    second = services.settle_payments_run(day=yesterday)
    assert [b.pk for b in first] == [b.pk for b in second]
    assert SettlementBatch.objects.count() == 5
    assert SettlementBatch.objects.get(method__code="alipay").gross == Decimal("10.00")
    # the late payment is not lost: the next day's batch takes it
    services.settle_payments_run(day=yesterday + timedelta(days=1))
    late.refresh_from_db()
    assert late.settlement.day == yesterday + timedelta(days=1) and late.settlement.gross == Decimal("20.00")


def test_the_job_runs_by_name(make_order, pay, yesterday):
    pay(make_order(total="12.34"), paid_at=at(yesterday))
    call_command("run_job", "settle_payments")
    call_command("run_job", "settle_payments")
    assert SettlementBatch.objects.get(method__code="alipay", day=yesterday).gross == Decimal("12.34")


def test_reconciliation_lists_matched_missing_and_mismatched(make_order, pay, owner, yesterday):
    for n, total in enumerate(("10.00", "20.00", "30.00")):
        pay(make_order(total=total), transaction_id=f"ALI-{n}", paid_at=at(yesterday))
    pay(make_order(total="5.00"), transaction_id="ALI-OTHERDAY", paid_at=at(yesterday - timedelta(days=1)))
    statement = (
        "transaction_id,order_number,amount\n"
        "ALI-0,x,10.00\n"  # matched
        "ALI-1,x,21.00\n"  # mismatched
        "ALI-OTHERDAY,x,5.00\n"  # ours, another day: matched
        "ALI-GHOST,x,7.00\n"
    )  # not in our payments; ALI-2 is not on the statement
    run = services.reconciliation_import(
        method=Payment.objects.first().method,
        day=yesterday,
        content=statement.encode("utf-8-sig"),
        filename="alipay.csv",
        actor=owner,
    )
    results = {line.transaction_id: line.result for line in run.lines.all()}
    assert results == {
        "ALI-0": "matched",
        "ALI-1": "mismatched",
        "ALI-OTHERDAY": "matched",
        "ALI-GHOST": "missing_ours",
        "ALI-2": "missing_statement",
    }
    assert (run.matched, run.missing, run.mismatched) == (2, 2, 1)


@pytest.mark.parametrize(
    "content",
    [
        b"a,b\n1,2\n",
        b"transaction_id,amount\nX,abc\n",
        b"\xff\xfe\x00",
        b"transaction_id,amount\n,1.00\n",
        b"transaction_id,amount\nX,1.001\n",
    ],
)
def test_a_bad_statement_is_refused_with_the_reason(owner, content, yesterday):
    from payments.models import PaymentMethod

    with pytest.raises(DomainError) as error:
        services.reconciliation_import(
            method=PaymentMethod.objects.first(),
            day=yesterday,
            content=content,
            filename="x.csv",
            actor=owner,
        )
    assert "file" in error.value.data["fields"]
