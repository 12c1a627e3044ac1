"""Operators' repair on orders in the Django admin: release the reservation a closed or cancelled order still
holds (a live order's reservation is its stock: refused)."""

import pytest

from inventory.models import StockMovement
from orders.models import Order
from shop.models import AuditEntry
from tests.orders.conftest import reserved
from tests.shop.adminflow import make_operator, run_action, summary

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


def test_a_cancelled_orders_leftover_reservation_is_released_and_a_paid_order_refused(
    client, make_staff, place, paid, sku
):
    leftover = place((sku.code, 2))
    Order.objects.filter(pk=leftover.pk).update(status=Order.Status.CANCELLED)  # cancelled, stock still held
    live = paid((sku.code, 3))
    assert reserved(sku) == 5
    client.force_login(make_operator(make_staff))

    _confirmation, _result, messages = run_action(client, Order, "release_reservation", [leftover, live])

    assert reserved(sku) == 3  # the paid order keeps its 3
    release = StockMovement.objects.get(reference=leftover.number, kind=StockMovement.Kind.RELEASE)
    assert (release.reserved_delta, release.reason) == (-2, "顾客来电核实")
    assert not StockMovement.objects.filter(reference=live.number, kind=StockMovement.Kind.RELEASE).exists()
    assert summary(messages).endswith("1 done, 1 refused.")
    assert any(live.number in m and "only a closed or cancelled" in m for m in messages)
    entry = AuditEntry.objects.get(action="orders.reservation_release")
    assert (entry.object_id, entry.after["units"]) == (str(leftover.pk), 2)

    # Nothing left to release: refused, nothing written.
    _c, _r, messages = run_action(client, Order, "release_reservation", [leftover])
    assert summary(messages).endswith("0 done, 1 refused.")
    assert StockMovement.objects.filter(reference=leftover.number, kind=StockMovement.Kind.RELEASE).count() == 1
