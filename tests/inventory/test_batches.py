"""Batches: received date and expiry per receipt, consumed first-expiring / first-received first."""

from datetime import timedelta

import pytest
from django.utils import timezone

from inventory import selectors, services
from inventory.models import StockBatch
from shop.errors import DomainError

pytestmark = pytest.mark.django_db


def _left(sku, warehouse):
    return list(
        StockBatch.objects.filter(sku=sku, warehouse=warehouse).order_by("pk").values_list("reference", "remaining")
    )


def test_shipments_and_removals_take_the_earliest_expiry_first_then_the_earliest_received(sku, warehouse, owner):
    today = timezone.localdate()

    def receive(reference, quantity, days=None):
        expires_on = today + timedelta(days) if days else None
        services.stock_receive(
            sku=sku,
            warehouse=warehouse,
            quantity=quantity,
            actor=owner,
            reference=reference,
            expires_on=expires_on,
        )

    receive("LATE", 5, 60)
    receive("SOON", 5, 10)
    receive("NEVER", 5)
    receive("OLD", 2, 60)
    StockBatch.objects.filter(reference="OLD").update(received_on=today - timedelta(days=3))

    services.stock_reserve(items=[(sku, 8)], reference="SO1")
    assert _left(sku, warehouse)[1] == ("SOON", 5)  # a reservation takes no batch
    services.stock_commit(reference="SO1")  # 5 SOON, then 2 OLD (same expiry, received earlier), 1 LATE
    assert _left(sku, warehouse) == [("LATE", 4), ("SOON", 0), ("NEVER", 5), ("OLD", 0)]

    services.stock_adjust(sku=sku, warehouse=warehouse, quantity=-6, reason="破损", actor=owner)
    assert _left(sku, warehouse) == [("LATE", 0), ("SOON", 0), ("NEVER", 3), ("OLD", 0)]
    services.stock_adjust(sku=sku, warehouse=warehouse, quantity=2, reason="找到", actor=owner)
    assert _left(sku, warehouse)[-1] == ("", 2)  # a gain opens a batch without expiry
    assert list(selectors.batch_mismatches()) == []


def test_a_transfer_carries_the_batches_dates(sku, warehouse, make_warehouse, owner):
    other = make_warehouse("GZ", province="广东")
    expiry = timezone.localdate() + timedelta(days=5)
    services.stock_receive(sku=sku, warehouse=warehouse, quantity=4, actor=owner, expires_on=expiry)
    services.stock_receive(sku=sku, warehouse=warehouse, quantity=4, actor=owner)
    services.stock_transfer(sku=sku, source=warehouse, destination=other, quantity=6, actor=owner)
    moved = StockBatch.objects.filter(warehouse=other).order_by("pk")
    assert [(b.expires_on, b.remaining) for b in moved] == [(expiry, 4), (None, 2)]
    assert list(selectors.batch_mismatches()) == []


def test_an_expiry_date_in_the_past_is_refused(sku, warehouse, owner):
    with pytest.raises(DomainError) as error:
        services.stock_receive(
            sku=sku,
            warehouse=warehouse,
            quantity=1,
            actor=owner,
            expires_on=timezone.localdate() - timedelta(days=1),
        )
    assert error.value.code == "expired"


def test_expiring_page_filters_by_days_and_exports_csv(owner_client, make_sku, warehouse, owner):
    today = timezone.localdate()
    for code, days in (("MILK", 3), ("RICE", 20), ("SALT", 200)):
        services.stock_receive(
            sku=make_sku(code),
            warehouse=warehouse,
            quantity=5,
            actor=owner,
            expires_on=today + timedelta(days),
        )
    services.stock_receive(sku=make_sku("PAN"), warehouse=warehouse, quantity=5, actor=owner)
    gone = make_sku("GONE")
    services.stock_receive(sku=gone, warehouse=warehouse, quantity=1, actor=owner, expires_on=today)
    services.stock_adjust(sku=gone, warehouse=warehouse, quantity=-1, reason="过期销毁", actor=owner)

    def codes(**params):
        return [b.sku.code for b in owner_client.get("/inventory/expiring/", params).context["page"].rows]

    assert codes() == ["MILK", "RICE"]  # 30 days by default; empty and undated batches never show
    assert codes(days=7) == ["MILK"]
    assert codes(days=365) == ["MILK", "RICE", "SALT"]
    assert owner_client.get("/inventory/expiring/", {"days": "10**9"}).status_code == 200
    assert owner_client.get("/inventory/expiring/", {"days": "99999999"}).status_code == 200
    response = owner_client.get("/inventory/expiring/", {"days": 7, "export": "csv"})
    body = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert len(body) == 2 and body[1].startswith(str(today + timedelta(days=3)))
    assert ",MILK," in body[1] and body[1].split(",")[1] == "3"


def test_receive_page_takes_an_expiry_date(owner_client, sku, warehouse):
    expiry = timezone.localdate() + timedelta(days=90)
    owner_client.post(
        "/inventory/receive/",
        {"sku": sku.code, "warehouse": warehouse.pk, "quantity": 12, "expires_on": expiry.isoformat()},
    )
    assert StockBatch.objects.get(sku=sku).expires_on == expiry


def test_receiving_a_purchase_order_takes_an_expiry_per_line(owner_client, make_sku, warehouse, owner):
    from inventory.models import Supplier

    milk, salt = make_sku("MILK"), make_sku("SALT")
    order = services.purchase_order_create(
        supplier=Supplier.objects.create(name="乳业"),
        warehouse=warehouse,
        lines=[(milk, 10, None), (salt, 4, None)],
        actor=owner,
    )
    services.purchase_order_place(order=order, actor=owner)
    lines = {line.sku.code: line for line in order.lines.select_related("sku")}
    expiry = timezone.localdate() + timedelta(days=12)
    owner_client.post(
        f"/inventory/purchase-orders/{order.pk}/receive/",
        {
            f"line_{lines['MILK'].pk}": 10,
            f"expires_{lines['MILK'].pk}": expiry.isoformat(),
            f"line_{lines['SALT'].pk}": 4,
        },
    )
    batches = dict(StockBatch.objects.values_list("sku__code", "expires_on"))
    assert batches == {"MILK": expiry, "SALT": None}
    assert StockBatch.objects.get(sku=milk).reference == order.number
