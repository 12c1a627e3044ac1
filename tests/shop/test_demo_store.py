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
