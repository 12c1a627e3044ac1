"""One list of payment methods: the codes of Order.PaymentMethod. Every code has its method row (what the methods
page lists and intake checks), its adapter, and nothing in payments names a code orders does not know."""

import pytest
from django.apps import apps
from django.db import models
from django.utils import translation

from orders.models import Order
from payments import defaults
from payments.gateways import PROVIDERS, get_gateway
from payments.models import PaymentMethod

pytestmark = pytest.mark.django_db
CODES = set(Order.PaymentMethod.values)


def test_every_order_payment_method_has_its_row_and_adapter_and_no_other_exists():
    assert set(PaymentMethod.objects.values_list("code", flat=True)) == CODES
    assert set(PROVIDERS) == CODES
    assert {get_gateway(code).code for code in CODES} == CODES
    assert set(defaults.METHOD_DEFAULTS) <= CODES  # no defaults for a code orders does not know
    assert PaymentMethod._meta.get_field("code").choices == Order.PaymentMethod.choices


def test_the_rows_are_named_and_ordered_as_the_order_enum_in_the_store_language():
    rows = list(PaymentMethod.objects.order_by("position").values_list("code", "name"))
    with translation.override("zh-hans"):
        assert rows == [(code, str(label)) for code, label in Order.PaymentMethod.choices]
    assert dict(rows)["cod"] == "货到付款"
    cod = PaymentMethod.objects.get(code="cod")
    assert (cod.max_amount, cod.fee_fixed, cod.settlement_days) == (5000, 2, 7)


def test_a_code_added_to_the_order_enum_gets_its_row_with_neutral_defaults(monkeypatch):
    class Extended(models.TextChoices):
        ALIPAY = "alipay", "Alipay"
        JDPAY = "jdpay", "JD Pay"

    monkeypatch.setattr(defaults, "M", Extended)
    defaults.ensure_defaults(apps)
    jd = PaymentMethod.objects.get(code="jdpay")
    assert (jd.name, jd.is_enabled, jd.max_amount, jd.fee_percent, jd.settlement_days) == ("JD Pay", True, None, 0, 1)
    assert PaymentMethod.objects.get(code="alipay").name == "支付宝"  # an existing row is left as staff set it
