"""Payment methods at order intake: off, under the minimum, over the maximum, over the daily limit -> 422."""

from decimal import Decimal

import pytest

from orders.models import Order
from payments import services
from payments.models import PaymentMethod
from shop.errors import DomainError, RuleRefused

pytestmark = pytest.mark.django_db


def test_the_five_methods_are_seeded_in_display_order():
    assert list(PaymentMethod.objects.values_list("code", flat=True)) == [
        "alipay",
        "wechat",
        "unionpay",
        "card",
        "cod",
    ]
    assert PaymentMethod.objects.get(code="alipay").name == "支付宝"


def test_an_enabled_method_within_its_limits_places_the_order(place_order):
    order = place_order(method="wechat")
    assert order.status == Order.Status.PENDING_PAYMENT


def test_a_disabled_method_is_refused_with_422_and_nothing_is_kept(place_order):
    PaymentMethod.objects.filter(code="wechat").update(is_enabled=False)
    with pytest.raises(RuleRefused) as error:
        place_order(method="wechat")
    assert error.value.status == 422 and error.value.code == "payment_method_disabled"
    assert "微信支付" in error.value.message
    assert not Order.objects.exists()


def test_over_the_maximum_and_under_the_minimum_are_refused(place_order):
    PaymentMethod.objects.filter(code="alipay").update(max_amount=Decimal("150.00"))
    with pytest.raises(RuleRefused) as error:
        place_order(method="alipay", quantity=2)
    assert error.value.code == "payment_above_maximum"
    PaymentMethod.objects.filter(code="card").update(min_amount=Decimal("500.00"))
    with pytest.raises(RuleRefused) as error:
        place_order(method="card", quantity=1)
    assert error.value.code == "payment_below_minimum"


def test_the_daily_limit_per_customer_counts_todays_orders(place_order):
    PaymentMethod.objects.filter(code="alipay").update(daily_limit=Decimal("250.00"))
    first = place_order(method="alipay", quantity=1)
    place_order(method="alipay", quantity=1, address={"detail": "南京西路 1 号 2 楼"})
    with pytest.raises(RuleRefused) as error:
        place_order(method="alipay", quantity=1, address={"detail": "南京西路 3 号 4 楼"})
    assert error.value.code == "payment_daily_limit"
    place_order(method="alipay", quantity=1, phone="13700137000")  # another customer has their own limit
    assert first.pk


def test_intake_over_http_answers_422_with_the_reason(client, sku, owner):
    from shop.services import apikey_create

    PaymentMethod.objects.filter(code="unionpay").update(is_enabled=False)
    _key, plain = apikey_create(actor=owner, name="storefront", scopes=["orders:write", "orders:read"])
    response = client.post(
        "/api/v1/orders",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {plain}",
        data={
            "external_id": "W-1",
            "customer": {"phone": "13800138000", "name": "张三"},
            "shipping_address": {
                "name": "张三",
                "phone": "13800138000",
                "province": "上海",
                "city": "上海",
                "district": "静安区",
                "detail": "南京西路 1266 号",
            },
            "lines": [{"sku": sku.code, "quantity": 1}],
            "payment_method": "unionpay",
        },
    )
    assert response.status_code == 422, response.content
    assert response.json()["error"]["code"] == "payment_method_disabled"


def test_method_update_validates_limits_and_records_the_change(owner):
    method = PaymentMethod.objects.get(code="card")
    with pytest.raises(DomainError):
        services.payment_method_update(method=method, actor=owner, min_amount=Decimal("10"), max_amount=Decimal("5"))
    services.payment_method_update(method=method, actor=owner, is_enabled=False, fee_percent=Decimal("0.38"))
    method.refresh_from_db()
    assert (method.is_enabled, method.fee_percent) == (False, Decimal("0.38"))
    from shop.models import AuditEntry

    assert AuditEntry.objects.filter(action="payments.method_update").exists()


def test_fees_round_half_up_to_the_cent():
    method = PaymentMethod(fee_percent=Decimal("0.60"), fee_fixed=Decimal("0.10"))
    assert services.fee_for(method, Decimal("0.75")) == Decimal("0.10")  # 0.0045 -> 0.00, + 0.10
    assert services.fee_for(method, Decimal("1.25")) == Decimal("0.11")  # 0.0075 -> 0.01, + 0.10
    assert services.fee_for(method, Decimal("199.00")) == Decimal("1.29")
