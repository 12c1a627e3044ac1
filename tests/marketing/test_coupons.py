"""Coupons end to end: claim, codes, use at intake, limits, the race for the last one, release on
cancel and close, expiry, and an exact partial refund of one line of a discounted order."""

import csv
import io
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone, translation

from marketing import services
from marketing.models import Coupon, CouponTemplate, OrderPromotion
from orders import services as order_services
from orders.models import Order
from shop.errors import DomainError, RuleRefused
from tests.orders.conftest import ADDRESS


@pytest.fixture(autouse=True)
def _english():
    """These tests read the engine's reasons as the English catalogue has them."""
    with translation.override("en"):
        yield


D = Decimal


def order(_unused, *lines, phone="13800138000", coupon_code="", external_id=None, **extra):
    placed, _created = order_services.order_place(
        customer={"phone": phone, "name": "张三"},
        shipping_address=ADDRESS,
        lines=list(lines),
        payment_method="alipay",
        coupon_code=coupon_code,
        external_id=external_id or "",
        actor="test",
        **extra,
    )
    return placed


@pytest.fixture
def items(make_sku):
    return make_sku("CP-A", price="100.00", stock=50), make_sku("CP-B", price="50.00", stock=50)


@pytest.mark.django_db
def test_a_claim_code_at_intake_discounts_the_order_and_records_the_split(items, template):
    template(amount=D("15.00"))
    placed = order(None, ("CP-A", 1), ("CP-B", 1), coupon_code="save10")
    assert placed.discount == D("15.00") and placed.coupon_code == "SAVE10"
    assert [line.discount for line in placed.lines.order_by("pk")] == [D("10.00"), D("5.00")]
    coupon = Coupon.objects.get()
    assert coupon.state == Coupon.State.USED and coupon.order_number == placed.number
    promo = OrderPromotion.objects.get(order_id=placed.pk)
    assert promo.amount == D("15.00") and promo.lines == {"CP-A": "10.00", "CP-B": "5.00"}


@pytest.mark.django_db
def test_per_customer_limit_and_a_used_coupon_are_refused(items, template):
    template(per_customer_limit=1)
    order(None, ("CP-A", 1), coupon_code="SAVE10")
    with pytest.raises(RuleRefused) as e:
        order(None, ("CP-A", 1), coupon_code="SAVE10")
    assert e.value.code == "coupon_limit" and e.value.status == 422
    assert Order.objects.count() == 1


@pytest.mark.django_db
def test_unique_codes_claim_once_and_belong_to_their_customer(items, template, owner):
    t = template(claim_code="", total_quantity=2)
    codes = services.coupon_codes_generate(template=t, count=2, batch="双11", prefix="d11", actor=owner)
    assert len({c.code for c in codes}) == 2 and all(c.code.startswith("D11") for c in codes)
    with pytest.raises(DomainError):
        services.coupon_codes_generate(template=t, count=1, actor=owner)  # over the total quantity
    placed = order(None, ("CP-A", 1), coupon_code=codes[0].code.lower())
    assert placed.discount == D("10.00")
    with pytest.raises(RuleRefused) as e:
        order(None, ("CP-A", 1), phone="13900139000", coupon_code=codes[0].code)
    assert e.value.code == "coupon_not_yours"


@pytest.mark.django_db
def test_cancelling_or_closing_an_unpaid_order_gives_the_coupon_back(items, template, owner):
    template(per_customer_limit=1)
    placed = order(None, ("CP-A", 1), coupon_code="SAVE10")
    order_services.order_cancel(order=placed, actor=owner, reason="不要了")
    coupon = Coupon.objects.get()
    assert coupon.state == Coupon.State.CLAIMED and coupon.order_id is None
    again = order(None, ("CP-A", 1), coupon_code="SAVE10")  # the customer's own claimed coupon is used again
    assert again.discount == D("10.00") and Coupon.objects.count() == 1
    from orders.services.sweeps import orders_close_unpaid

    assert orders_close_unpaid(now=again.pay_by + timedelta(minutes=1)) == {"closed": 1}
    again.refresh_from_db()
    assert again.status == Order.Status.CLOSED and Coupon.objects.get().state == Coupon.State.CLAIMED


@pytest.mark.django_db
def test_days_after_claim_and_the_expiry_service(items, template, customer):
    t = template(valid_days=3)
    coupon = services.coupon_claim(template=t, customer=customer)
    assert coupon.expires_at - coupon.claimed_at == timedelta(days=3)
    assert services.coupons_expire(now=timezone.now() + timedelta(days=2)) == {"coupons_expired": 0}
    assert services.coupons_expire(now=timezone.now() + timedelta(days=4)) == {"coupons_expired": 1}
    assert services.coupons_expire(now=timezone.now() + timedelta(days=4)) == {"coupons_expired": 0}
    with pytest.raises(RuleRefused) as e:
        order(None, ("CP-A", 1), coupon_code=coupon.template.claim_code)
    assert e.value.code == "coupon_limit"  # the expired one still counts towards the limit of one


@pytest.mark.django_db
def test_a_partial_refund_of_one_line_returns_exactly_what_it_was_charged(items, activity, owner, monkeypatch):
    import importlib

    from django.apps import apps

    from payments import services as payment_services
    from payments.gateways import sign
    from tests.payments.conftest import SECRETS, callback_body

    importlib.import_module("payments.migrations.0002_seed").seed(apps, None)
    activity([(100, D("10.00"))], name="满100减10")
    placed = order(None, ("CP-A", 1), ("CP-B", 1))  # 150 - 10 split 6.67 / 3.33
    lines = list(placed.lines.order_by("pk"))
    assert [line.line_total for line in lines] == [D("93.33"), D("46.67")]
    monkeypatch.setenv("PAYMENT_SECRET_ALIPAY", SECRETS["alipay"])
    body = callback_body(placed.number, placed.total, f"TX{placed.number}")
    payment = payment_services.payment_callback_handle(
        provider="alipay", body=body, signature=sign(SECRETS["alipay"], body)
    ).payment
    refund = payment_services.refund_request(payment=payment, actor=owner, reason="退B", lines={lines[1].pk: 1})
    assert refund.amount == D("46.67")


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("without_intake_rules")
@pytest.mark.parametrize("unique", [False, True])
def test_two_orders_racing_for_the_last_coupon_one_wins(make_sku, unique, owner):
    make_sku("RACE-C", price="100.00", stock=50)
    now = timezone.now()
    t = CouponTemplate.objects.create(
        name="最后一张",
        amount=D("10.00"),
        valid_from=now - timedelta(days=1),
        valid_until=now + timedelta(days=1),
        claim_code="" if unique else "LAST1",
        total_quantity=1,
        per_customer_limit=5,
    )
    code = services.coupon_codes_generate(template=t, count=1, actor=owner)[0].code if unique else "LAST1"

    def buy(i):
        try:
            order(None, ("RACE-C", 1), phone=f"1390000{i:04d}", coupon_code=code, external_id=f"R{i}")
            return "ok"
        except DomainError as e:
            return e.code
        finally:
            connection.close()

    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(buy, range(6)))
    assert results.count("ok") == 1, results
    assert set(results) - {"ok"} <= {"coupon_used", "coupon_sold_out", "coupon_not_yours"}
    assert Coupon.objects.filter(state=Coupon.State.USED).count() == 1
    assert Order.objects.count() == 1
    assert CouponTemplate.objects.get().issued == 1


@pytest.mark.django_db
def test_the_codes_export_as_csv(items, template, owner_client, owner):
    t = template(claim_code="")
    services.coupon_codes_generate(template=t, count=3, batch="B1", actor=owner)
    response = owner_client.get("/marketing/coupons/codes/", {"template": t.pk, "export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 4 and {r[0] for r in rows[1:]} == set(Coupon.objects.values_list("code", flat=True))


@pytest.mark.django_db
def test_the_api_answers_422_with_the_reason_and_applies_a_good_coupon(items, template, api):
    from tests.orders.conftest import body

    template(amount=D("20.00"), min_spend=D("0"))
    bad = api("post", "/orders", body(("CP-A", 1), coupon_code="NOPE"))
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "coupon_invalid" and "coupon_code" in bad.json()["error"]["fields"]
    good = api("post", "/orders", body(("CP-A", 1), coupon_code="SAVE10"))
    assert good.status_code == 201, good.json()
    assert good.json()["discount"] in ("20.00", 20.0, "20")
    assert Order.objects.count() == 1


@pytest.mark.django_db
def test_a_used_code_and_an_expired_coupon_are_refused_with_the_reason(items, template, owner):
    t = template(claim_code="", per_customer_limit=5)
    code = services.coupon_codes_generate(template=t, count=1, actor=owner)[0].code
    order(None, ("CP-A", 1), coupon_code=code)
    with pytest.raises(RuleRefused) as e:
        order(None, ("CP-A", 1), coupon_code=code)
    assert e.value.code == "coupon_used" and "order" in e.value.message
    Coupon.objects.filter(code=code).update(state=Coupon.State.CLAIMED, expires_at=timezone.now() - timedelta(hours=1))
    with pytest.raises(RuleRefused) as e:
        order(None, ("CP-A", 1), coupon_code=code)
    assert e.value.code == "coupon_expired"
