"""The three order jobs (each safe to run twice) and the freight templates."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from orders import services
from orders.freight import freight_quote
from orders.models import FreightRegion, FreightTemplate, Order
from shop.china import province_key
from shop.selectors import store_settings
from tests.orders.conftest import available, reserved

pytestmark = pytest.mark.django_db
S = Order.Status


def test_close_unpaid_orders_closes_only_expired_and_releases_stock(place, sku):
    old = place(("TEE-W-M", 3), now=timezone.now() - timedelta(minutes=31))
    fresh = place(("TEE-W-M", 2), note="fresh")
    call_command("run_job", "close_unpaid_orders")
    call_command("run_job", "close_unpaid_orders")
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.status, fresh.status) == (S.CLOSED, S.PENDING_PAYMENT)
    assert reserved(sku) == 2 and available(sku) == 8
    assert old.events.filter(kind="close").count() == 1


def test_auto_confirm_and_complete_follow_the_store_settings(paid, sku, carrier, owner):
    settings = store_settings()
    settings.auto_confirm_receipt_days, settings.aftersales_window_days = 10, 3
    settings.save()
    now = timezone.now()
    old, recent = paid(("TEE-W-M", 1)), paid(("TEE-W-M", 2))
    for order, days, tracking in ((old, 11, "SF100000000001"), (recent, 9, "SF100000000002")):
        services.order_ship(order=order, carrier=carrier, tracking_number=tracking, actor=owner)
        Order.objects.filter(pk=order.pk).update(shipped_at=now - timedelta(days=days))
    call_command("run_job", "auto_confirm_receipt")
    call_command("run_job", "auto_confirm_receipt")
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.status, recent.status) == (S.DELIVERED, S.SHIPPED)
    call_command("run_job", "auto_complete_orders")
    old.refresh_from_db()
    assert old.status == S.DELIVERED  # delivered just now: the window is still open
    Order.objects.filter(pk=old.pk).update(delivered_at=now - timedelta(days=4))
    call_command("run_job", "auto_complete_orders")
    call_command("run_job", "auto_complete_orders")
    old.refresh_from_db()
    assert old.status == S.COMPLETED and old.events.filter(kind="complete").count() == 1


@pytest.fixture
def by_weight(db):
    template = FreightTemplate.objects.create(
        name="默认",
        basis="weight",
        first_units=Decimal("1"),
        first_fee=Decimal("10.00"),
        additional_units=Decimal("1"),
        additional_fee=Decimal("5.00"),
        free_over=Decimal("199.00"),
        remote_provinces="新疆,西藏",
        remote_surcharge=Decimal("20.00"),
        is_default=True,
    )
    FreightRegion.objects.create(
        template=template, provinces="广东,广西", first_fee=Decimal("8.00"), additional_fee=Decimal("3.00")
    )
    return template


@pytest.mark.parametrize(
    "province,weight,goods,fee",
    [
        ("上海", 500, "50", "10.00"),  # within the first kilogram
        ("上海", 1000, "50", "10.00"),  # exactly the first kilogram
        ("上海市", 2300, "50", "20.00"),  # 1 kg + 2 started kilograms
        ("广东省", 2300, "50", "14.00"),  # the region's own fees
        ("新疆维吾尔自治区", 500, "50", "30.00"),  # remote surcharge
        ("上海", 9000, "199.00", "0.00"),  # free from 199
        ("西藏", 500, "300", "20.00"),  # free shipping still pays the remote surcharge
    ],
)
def test_freight_by_weight(by_weight, province, weight, goods, fee):
    assert freight_quote(province=province, weight_g=weight, pieces=1, goods_total=Decimal(goods)) == Decimal(fee)


def test_freight_by_piece_and_no_template():
    assert freight_quote(province="上海", weight_g=0, pieces=3, goods_total=Decimal("10")) == 0
    template = FreightTemplate(
        name="件", basis="piece", first_units=2, first_fee=Decimal("6"), additional_units=2, additional_fee=Decimal("4")
    )
    template.save()
    assert freight_quote(
        province="上海", weight_g=0, pieces=5, goods_total=Decimal("10"), template=template
    ) == Decimal("14.00")
    assert province_key("内蒙古自治区") == "内蒙古" and province_key("香港特别行政区") == "香港"


def test_intake_charges_the_default_template(by_weight, place, make_sku):
    make_sku("HEAVY", price="20.00", weight_g=1500)
    order = place(("HEAVY", 2))
    assert (order.subtotal, order.shipping_fee, order.total) == (
        Decimal("40.00"),
        Decimal("20.00"),
        Decimal("60.00"),
    )  # 3 kg: 10 + 2 × 5
