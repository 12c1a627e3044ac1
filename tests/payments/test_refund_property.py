"""Random sequences of refund requests (whole, by amount, by line), approvals, rejections and provider
callbacks against one captured payment: refunds never exceed the capture, the payment's reserved and
refunded sums equal its refunds' rows, and every refund's status is one the refund machine reaches.

Every example pays its own fresh order (refunds are durable transactions: no savepoint around them).
"""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from payments import services
from payments.models import Payment, Refund
from shop.errors import DomainError
from tests.payments.conftest import deliver_refund_callbacks

pytestmark = pytest.mark.django_db
ZERO = Decimal("0.00")
cents = st.integers(min_value=1, max_value=60_000).map(lambda n: Decimal(n) / 100)
step = st.one_of(
    st.tuples(st.just("request_amount"), cents),
    st.tuples(st.just("request_all"), st.just(None)),
    st.tuples(st.just("request_line"), st.tuples(st.integers(0, 1), st.integers(1, 3))),
    st.tuples(st.sampled_from(["approve", "reject", "callback"]), st.integers(0, 5)),
)
scenario = st.fixed_dictionaries(
    {
        "lines": st.lists(st.tuples(st.integers(1, 3), cents), min_size=1, max_size=2),
        "steps": st.lists(step, min_size=1, max_size=8),
    }
)


def _check(payment):
    payment.refresh_from_db()
    refunds = list(Refund.objects.filter(payment=payment))
    live = [r for r in refunds if r.status not in (Refund.Status.REJECTED, Refund.Status.FAILED)]
    assert ZERO <= payment.refunded <= payment.refund_reserved <= payment.amount
    assert payment.refund_reserved == sum((r.amount for r in live), ZERO)
    assert payment.refunded == sum((r.amount for r in refunds if r.status == Refund.Status.SUCCEEDED), ZERO)
    assert payment.refundable == payment.amount - payment.refund_reserved
    assert all(r.amount > 0 and r.amount.as_tuple().exponent == -2 for r in refunds)
    for r in refunds:  # a per-line refund is the sum of its rows, each line refunded at most its quantity
        if r.lines:
            assert r.amount == sum((Decimal(row["amount"]) for row in r.lines), ZERO)
    quantities = {}
    for r in live:
        for row in r.lines:
            quantities[row["line"]] = quantities.get(row["line"], 0) + row["quantity"]
    for line in payment.order.lines.all():
        assert quantities.get(line.pk, 0) <= line.quantity


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(s=scenario)
def test_refunds_never_exceed_the_capture_and_always_sum(paid, owner, django_capture_on_commit_callbacks, s):
    total = sum((amount for _q, amount in s["lines"]), ZERO)
    payment = paid(str(total), lines=[(q, str(amount)) for q, amount in s["lines"]])
    assert payment.status == Payment.Status.CAPTURED and payment.amount == total
    line_ids = list(payment.order.lines.order_by("pk").values_list("pk", flat=True))
    refunds = []
    for action, arg in s["steps"]:
        try:
            if action.startswith("request"):
                kwargs = {"amount": arg} if action == "request_amount" else {}
                if action == "request_line":
                    kwargs = {"lines": {line_ids[arg[0] % len(line_ids)]: arg[1]}}
                refunds.append(services.refund_request(payment=payment, actor=owner, reason="属性测试", **kwargs))
            elif refunds:
                refund = refunds[arg % len(refunds)]
                refund.refresh_from_db()
                if action == "approve":
                    with django_capture_on_commit_callbacks(execute=True):  # sent to the sandbox after commit
                        services.refund_approve(refund=refund, actor=owner)
                elif action == "reject":
                    services.refund_reject(refund=refund, actor=owner, note="不符合")
                elif refund.status == Refund.Status.SENT:
                    deliver_refund_callbacks(refund)
                    deliver_refund_callbacks(refund)  # the provider's retry: no second effect
            event(f"{action}: done")
        except DomainError as refused:
            event(f"{action}: {refused.code}")
        _check(payment)
