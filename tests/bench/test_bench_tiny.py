"""`python -m bench` cannot rot: the generator at a tiny size keeps every invariant, and each in-process workload
runs once over it and returns figures. A benchmark is never a pass/fail test: no time is checked here."""

import json

import pytest

from bench.generate import SIZES, generate
from shop.invariants import invariants_check

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
TINY = {"orders": 600, "skus": 90, "customers": 150}


@pytest.fixture
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.mark.django_db
def test_generator_fills_every_module_and_keeps_the_invariants():
    marker = generate(**TINY, verbose=False)
    assert (marker["orders"], marker["skus"], marker["customers"]) == (600, 90, 150)
    broken = [i for i in invariants_check() if not i.holds]
    assert broken == []
    from customers.models import PointsEntry
    from orders.models import Order, OrderEvent
    from payments.models import Payment, Refund

    statuses = set(Order.objects.values_list("status", flat=True))
    assert {"completed", "cancelled", "closed", "shipped"} <= statuses
    assert Order.objects.count() == 600
    assert OrderEvent.objects.count() > 600 * 3
    assert (
        Payment.objects.filter(order__paid_at__isnull=False).count()
        == Order.objects.filter(paid_at__isnull=False).count()
    )
    assert Refund.objects.filter(status="succeeded").exists()
    assert PointsEntry.objects.exists()
    # The ledger moved with the orders: one sale per shipped line, what open orders hold still reserved.
    from django.db.models import Sum

    from inventory.models import StockLevel, StockMovement
    from orders.models import OrderLine

    shipped = OrderLine.objects.filter(order__shipped_at__isnull=False).aggregate(n=Sum("quantity"))["n"]
    assert -StockMovement.objects.filter(kind="sale").aggregate(n=Sum("on_hand_delta"))["n"] == shipped
    open_lines = OrderLine.objects.filter(order__status__in=("pending_payment", "paid", "allocated", "picking"))
    assert StockLevel.objects.aggregate(n=Sum("reserved"))["n"] == open_lines.aggregate(n=Sum("quantity"))["n"]
    # Same size again: nothing is generated (the marker answers).
    again = generate(**TINY, verbose=False)
    assert again["generated_at"] == marker["generated_at"]
    assert Order.objects.count() == 600


@pytest.mark.django_db
def test_every_light_workload_runs_and_returns_figures(tmp_path, english):
    from bench.__main__ import main

    rows = main(
        [
            "--orders",
            "600",
            "--skus",
            "90",
            "--customers",
            "150",
            "--light",
            "--no-oscar",
            "--runs",
            "1",
            "--results",
            str(tmp_path),
        ]
    )
    names = {r.workload for r in rows}
    assert any(n.startswith("orders: page 1") for n in names)
    assert any(n.startswith("products: page 1") for n in names)
    failed = [(r.workload, r.note) for r in rows if r.note.startswith("failed")]
    assert failed == []
    assert all(r.median_ms is not None for r in rows)
    saved = json.loads(next(tmp_path.glob("*.json")).read_text())
    assert len(saved["rows"]) == len(rows)


def test_sizes_are_presets_of_the_issue():
    assert SIZES["full"] == {"orders": 1_000_000, "skus": 100_000, "customers": 200_000}
