"""Demo payments: pay a share of the unpaid demo orders through the sandbox provider (the same signed
callback path the API uses), record the payments of orders the orders demo already marked paid,
settle the last week and make a couple of refunds. Safe to run again."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from orders import state as order_state
from orders.models import Order
from payments import services
from payments.gateways import SandboxGateway, get_gateway
from payments.models import Payment, PaymentMethod, Refund
from shop.demo import OWNER_USERNAME
from shop.money import to_cents

SHARE = 6  # of every 10 unpaid orders
LIMIT = 2000


def seed(stdout):
    actor = get_user_model().objects.filter(username=OWNER_USERNAME).first()
    methods = {m.code: m for m in PaymentMethod.objects.all()}
    paid = imported = refunds = 0
    unpaid = (
        Order.objects.filter(status__in=order_state.MACHINE.sources("pay"), payments__isnull=True)
        .exclude(payment_method=Order.PaymentMethod.COD)
        .order_by("pk")[:LIMIT]
    )
    for i, order in enumerate(unpaid):
        gateway = get_gateway(order.payment_method)
        if i % 10 >= SHARE or not isinstance(gateway, SandboxGateway) or not gateway.secret:
            continue
        body, signature = gateway.simulate_payment(
            order_number=order.number, amount=order.total, transaction_id=f"DEMO{order.number}"
        )
        services.payment_callback_handle(provider=order.payment_method, body=body, signature=signature)
        paid += 1
    for order in Order.objects.filter(paid_at__isnull=False, payments__isnull=True).order_by("pk")[:LIMIT]:
        services.payment_record_existing(
            order=order,
            method=methods[order.payment_method],
            transaction_id=f"DEMO{order.number}",
            amount=order.total,
            paid_at=order.paid_at,
            actor=actor,
        )
        imported += 1
    if not Refund.objects.filter(source=Refund.Source.STAFF).exists():
        candidates = (
            Payment.objects.filter(status=Payment.Status.CAPTURED, flag="", refund_reserved=0)
            .exclude(method__code="cod")
            .select_related("method")
            .order_by("-pk")[:2]
        )
        for n, payment in enumerate(candidates):
            refund = services.refund_request(
                payment=payment,
                actor=actor,
                amount=to_cents(payment.amount / 2),
                reason="顾客反馈商品有瑕疵，部分退款",
            )
            refunds += 1
            if n == 0:  # one approved, sent and confirmed by the provider's callback; one waiting
                services.refund_approve(refund=refund, actor=actor)
                services.refund_send(refund_id=refund.pk)
                body, signature = get_gateway(payment.method.code).refund_callback(str(refund.idempotency_key))
                services.refund_callback_handle(provider=payment.method.code, body=body, signature=signature)
    today = timezone.localdate()
    for days in range(1, 8):
        services.settle_payments_run(day=today - timedelta(days=days))
    stdout.write(
        f"payments: {paid} orders paid through the sandbox, {imported} earlier payments recorded, "
        f"{refunds} refunds, settlements for the last 7 days"
    )
