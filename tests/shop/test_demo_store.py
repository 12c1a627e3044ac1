"""`make run` seeds the demo store with `seed_demo`: it must work on a fresh database, every time."""

import io

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_seed_demo_fills_every_module_and_keeps_the_books_balanced(settings):
    settings.DEBUG = True  # as `make run` seeds it: the sandbox providers use their development secrets
    from inventory import selectors as stock
    from orders.models import Order
    from payments.models import Payment

    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "Demo store ready" in out.getvalue()
    statuses = set(Order.objects.values_list("status", flat=True))
    assert {"pending_payment", "paid", "shipped", "delivered", "completed", "cancelled", "closed"} <= statuses
    cod = Order.objects.filter(payment_method="cod")
    assert cod.exists() and not cod.filter(pay_by__isnull=False).exists()  # cash on delivery has no time to pay
    assert Payment.objects.exists() and list(stock.ledger_mismatches()) == []

    # The demo store keeps every module's invariants (`manage.py check_invariants`), and the command notices
    # each kind of write that bypasses the services.
    out = io.StringIO()
    call_command("check_invariants", stdout=out)
    assert "FAIL" not in out.getvalue() and "invariants hold" in out.getvalue()
    from django.core.management.base import CommandError
    from django.db.models import F

    from customers.models import Customer
    from inventory.models import StockLevel

    StockLevel.objects.filter(pk=StockLevel.objects.filter(on_hand__gt=0).first().pk).update(on_hand=F("on_hand") + 1)
    Payment.objects.filter(pk=Payment.objects.filter(status="captured", refund_reserved=0).first().pk).update(
        refund_reserved=F("amount")
    )  # a refund amount reserved with no refund row behind it
    Customer.objects.filter(pk=Customer.objects.first().pk).update(points_balance=F("points_balance") + 7)
    Order.objects.filter(pk=Order.objects.filter(status="shipped").first().pk).update(status="completed")
    out = io.StringIO()
    with pytest.raises(CommandError, match="6 of"):
        call_command("check_invariants", stdout=out)
    failed = [line for line in out.getvalue().splitlines() if line.startswith("FAIL")]
    # one stock row off by one breaks its ledger, its SKU's rollup and its batches
    assert [line.split(":")[0] for line in failed] == ["FAIL inventory"] * 3 + [
        "FAIL orders",
        "FAIL payments",
        "FAIL customers",
    ]
